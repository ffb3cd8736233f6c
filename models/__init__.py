"""The model manifest (``manifest.toml``): which detector weights Footfall knows, never the weights."""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Any


def load_manifest() -> dict[str, dict[str, Any]]:
    """Return ``{name: entry}`` from the packaged ``manifest.toml``."""
    text = resources.files(__name__).joinpath("manifest.toml").read_text(encoding="utf-8")
    return {entry["name"]: entry for entry in tomllib.loads(text)["model"]}
