"""A wheel (not only the editable install) must carry every sub-package of every part."""

from __future__ import annotations

import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_every_python_package_folder_is_listed_in_pyproject() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    folder_of = {name: REPO / path for name, path in config["package-dir"].items()}
    expected = set()
    for root_name, root in folder_of.items():
        for init in root.rglob("__init__.py"):
            relative = init.parent.relative_to(root)
            expected.add(".".join([root_name, *relative.parts]))
    assert expected - listed == set(), "add these to [tool.setuptools] packages"
