"""Find detector weights: explicit path, ``FOOTFALL_MODEL_DIR``, ``../shared/models``, an Ultralytics name.

The order matters for offline sites: a path or a model folder the installer copied wins;
only when none holds the model do we hand Ultralytics a name it may download (which
needs the network once). ``../shared/models`` beside a source checkout is the development
layout (the weights are never committed), so ``footfall edge count`` works there without
setting anything. Tests set ``FOOTFALL_MODEL_DIR`` and never download.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from footfall.edge.errors import ModelNotFound
from footfall.models import load_manifest

MODEL_DIR_ENV = "FOOTFALL_MODEL_DIR"
#: The source checkout (``edge/`` sits at its root); only meaningful for an editable install.
CHECKOUT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True, slots=True)
class ResolvedModel:
    """Where weights are: a local path, or an Ultralytics name to download on first use."""

    location: str
    task: str
    imgsz: int | None
    is_local: bool
    manifest_name: str | None = None


def default_model_name() -> str:
    manifest = load_manifest()
    return next(name for name, entry in manifest.items() if entry.get("default"))


def resolve_model(spec: str | None = None, *, allow_download: bool | None = None) -> ResolvedModel:
    """Resolve ``spec`` (a path, a manifest name, or None for the default) to weights.

    ``allow_download`` defaults to false when ``YOLO_OFFLINE`` is set.
    """
    if allow_download is None:
        allow_download = os.environ.get("YOLO_OFFLINE", "").lower() not in {"1", "true", "yes"}
    manifest = load_manifest()
    spec = spec or default_model_name()
    looked: list[str] = []

    as_path = Path(spec).expanduser()
    if as_path.exists():
        entry = _entry_for_file(manifest, as_path.name)
        return ResolvedModel(
            location=str(as_path.resolve()),
            task=entry["task"] if entry else _guess_task(as_path.name),
            imgsz=entry.get("imgsz") if entry else None,
            is_local=True,
            manifest_name=entry["name"] if entry else None,
        )
    looked.append(str(as_path))

    entry = manifest.get(spec) or _entry_for_file(manifest, spec) or _entry_for_ultralytics(manifest, spec)
    candidate = entry["file"] if entry else spec
    model_dir = os.environ.get(MODEL_DIR_ENV)
    folders = [Path(model_dir).expanduser()] if model_dir else []
    if not model_dir:
        looked.append(f"${MODEL_DIR_ENV} (not set)")
    shared = checkout_models_dir(CHECKOUT)
    if shared is not None and shared not in folders:
        folders.append(shared)
    for folder in folders:
        path = folder / candidate
        if path.exists():
            return ResolvedModel(
                location=str(path.resolve()),
                task=entry["task"] if entry else _guess_task(candidate),
                imgsz=entry.get("imgsz") if entry else None,
                is_local=True,
                manifest_name=entry["name"] if entry else None,
            )
        looked.append(str(path))

    ultralytics_name = entry.get("ultralytics_name") if entry else (spec if spec.endswith(".pt") else None)
    if ultralytics_name and allow_download:
        return ResolvedModel(
            location=ultralytics_name,
            task=entry["task"] if entry else _guess_task(spec),
            imgsz=None,
            is_local=False,
            manifest_name=entry["name"] if entry else None,
        )
    hint = "set FOOTFALL_MODEL_DIR to the folder holding it, or pass --model PATH"
    if ultralytics_name and not allow_download:
        hint += " (download disabled: YOLO_OFFLINE is set)"
    raise ModelNotFound(f"model '{spec}' not found; looked in: {', '.join(looked)}; {hint}")


def checkout_models_dir(checkout: Path = CHECKOUT) -> Path | None:
    """``../shared/models`` beside a source checkout, when this runs from one and it exists."""
    if not (checkout / "pyproject.toml").is_file():
        return None  # an installed package: site-packages has no "shared" sibling worth trusting
    folder = (checkout.parent / "shared" / "models").resolve()
    return folder if folder.is_dir() else None


def _entry_for_file(manifest: dict[str, dict], file_name: str) -> dict | None:
    return next((e for e in manifest.values() if e["file"] == file_name), None)


def _entry_for_ultralytics(manifest: dict[str, dict], name: str) -> dict | None:
    return next((e for e in manifest.values() if e.get("ultralytics_name") == name), None)


def _guess_task(name: str) -> str:
    return "pose" if "pose" in name else "detect"
