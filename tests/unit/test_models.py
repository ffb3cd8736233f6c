"""Model resolution: explicit path, FOOTFALL_MODEL_DIR, ../shared/models beside the checkout, a name."""

from __future__ import annotations

from pathlib import Path

import pytest
from footfall.edge import models
from footfall.edge.errors import ModelNotFound
from footfall.edge.models import resolve_model
from footfall.models import load_manifest


def test_manifest_lists_the_shared_models_with_checksums() -> None:
    manifest = load_manifest()
    assert {"yolo11n-int8", "yolov8n-int8", "yolov8n-pose-int8"} <= set(manifest)
    for entry in manifest.values():
        assert len(entry["sha256"]) == 64 and entry["licence"] and entry["source"]
    assert sum(bool(e.get("default")) for e in manifest.values()) == 1


def test_manifest_checksums_match_the_shared_weights(model_dir: Path) -> None:
    import hashlib

    for entry in load_manifest().values():
        folder = model_dir / entry["file"]
        (weights,) = folder.glob("*.bin")
        assert hashlib.sha256(weights.read_bytes()).hexdigest() == entry["sha256"], entry["name"]


def test_explicit_path_wins(model_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FOOTFALL_MODEL_DIR", raising=False)
    resolved = resolve_model(str(model_dir / "yolov8n_int8_openvino_model"), allow_download=False)
    assert resolved.is_local and resolved.manifest_name == "yolov8n-int8" and resolved.imgsz == 640


def test_default_resolves_from_model_dir(model_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOOTFALL_MODEL_DIR", str(model_dir))
    resolved = resolve_model(None, allow_download=False)
    assert resolved.location == str((model_dir / "yolo11n_int8_openvino_model").resolve())
    assert resolved.task == "detect"


def test_pose_model_by_name(model_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOOTFALL_MODEL_DIR", str(model_dir))
    assert resolve_model("yolov8n-pose-int8", allow_download=False).task == "pose"


def test_falls_back_to_ultralytics_name_when_download_allowed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("FOOTFALL_MODEL_DIR", str(tmp_path))
    monkeypatch.setattr(models, "CHECKOUT", tmp_path / "not-a-checkout")
    resolved = resolve_model("yolo11n-int8", allow_download=True)
    assert resolved.location == "yolo11n.pt" and not resolved.is_local


def test_missing_model_names_where_it_looked(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FOOTFALL_MODEL_DIR", str(tmp_path))
    monkeypatch.setattr(models, "CHECKOUT", tmp_path / "not-a-checkout")
    with pytest.raises(ModelNotFound) as error:
        resolve_model("yolo11n-int8", allow_download=False)
    message = str(error.value)
    assert "\n" not in message
    assert str(tmp_path / "yolo11n_int8_openvino_model") in message and "YOLO_OFFLINE" in message


def _checkout_beside(tmp_path: Path, model_dir: Path) -> Path:
    """A fake source checkout with ``../shared/models`` holding the real default model."""
    checkout = tmp_path / "footfall"
    checkout.mkdir()
    (checkout / "pyproject.toml").write_text("[project]\nname = 'footfall'\n")
    shared = tmp_path / "shared" / "models"
    shared.mkdir(parents=True)
    (shared / "yolo11n_int8_openvino_model").symlink_to(model_dir / "yolo11n_int8_openvino_model")
    return checkout


def test_default_resolves_from_shared_models_beside_the_checkout(
    model_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("FOOTFALL_MODEL_DIR", raising=False)
    monkeypatch.setattr(models, "CHECKOUT", _checkout_beside(tmp_path, model_dir))
    resolved = resolve_model(None, allow_download=False)
    assert resolved.is_local and resolved.manifest_name == "yolo11n-int8"
    assert resolved.location == str((model_dir / "yolo11n_int8_openvino_model").resolve())


def test_model_dir_wins_over_shared_models(
    model_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    own = tmp_path / "own"
    (own / "yolo11n_int8_openvino_model").mkdir(parents=True)
    monkeypatch.setenv("FOOTFALL_MODEL_DIR", str(own))
    monkeypatch.setattr(models, "CHECKOUT", _checkout_beside(tmp_path, model_dir))
    assert resolve_model(None, allow_download=False).location == str(own / "yolo11n_int8_openvino_model")


def test_an_installed_package_does_not_look_beside_itself(tmp_path: Path) -> None:
    (tmp_path / "shared" / "models").mkdir(parents=True)
    site_packages = tmp_path / "site-packages"
    site_packages.mkdir()
    assert models.checkout_models_dir(site_packages) is None
    (site_packages / "pyproject.toml").write_text("")
    assert models.checkout_models_dir(site_packages) == (tmp_path / "shared" / "models").resolve()
