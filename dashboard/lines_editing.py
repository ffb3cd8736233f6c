"""Editing counting lines as plain data (pure): what the installer page changes, tested alone.

Lines are :class:`footfall.contracts.LineConfig`-shaped dicts in 0–1 frame fractions; the
page keeps the camera's list in a ``dcc.Store`` and saves it whole with one PUT, so the
device config changes in one step.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Literal

from footfall.contracts import LineConfig

EDITABLE = ("line_id", "name", "entrance_id", "x1", "y1", "x2", "y2", "inside_x", "inside_y")


def lines_of(answer: object) -> list[dict]:
    """The lines of a ``GET /cameras/{id}/lines`` answer (a list or ``{"lines": [...]}``)."""
    rows = answer.get("lines", []) if isinstance(answer, Mapping) else answer or []
    return [{k: row.get(k) for k in EDITABLE} for row in rows]  # type: ignore[union-attr]


def new_line(existing: Sequence[Mapping], camera_id: str) -> dict:
    """A horizontal line across the middle with the inside point below it, named uniquely."""
    taken = {line.get("line_id") for line in existing}
    number = len(existing) + 1
    while f"{camera_id}-line-{number}" in taken:
        number += 1
    return {
        "line_id": f"{camera_id}-line-{number}",
        "name": f"Line {number}",
        "entrance_id": None,
        "x1": 0.2,
        "y1": 0.5,
        "x2": 0.8,
        "y2": 0.5,
        "inside_x": 0.5,
        "inside_y": 0.75,
    }


def replace_line(lines: Sequence[Mapping], line_id: str, changes: Mapping) -> list[dict]:
    """A copy of ``lines`` with ``line_id`` updated by the non-``None`` ``changes``."""
    updated = []
    for line in lines:
        if line.get("line_id") == line_id:
            line = {**line, **{k: v for k, v in changes.items() if v is not None and k in EDITABLE}}
        updated.append(dict(line))
    return updated


def remove_line(lines: Sequence[Mapping], line_id: str) -> list[dict]:
    return [dict(line) for line in lines if line.get("line_id") != line_id]


def validation_problems(lines: Sequence[Mapping]) -> list[str]:
    """What is wrong with the lines before saving, one sentence each (empty when all is fine).

    Checks what the edge needs to count: valid fractions, a real segment, and an inside point
    that is off the line (otherwise "in" and "out" cannot be told apart).
    """
    problems = []
    for line in lines:
        label = line.get("name") or line.get("line_id")
        try:
            config = LineConfig(**{k: line.get(k) for k in EDITABLE})
        except ValueError as error:
            first = error.errors()[0] if hasattr(error, "errors") else {"loc": ("?",), "msg": str(error)}
            problems.append(f"{label}: {'.'.join(str(p) for p in first['loc'])} {first['msg']}")
            continue
        dx, dy = config.x2 - config.x1, config.y2 - config.y1
        if (dx * dx + dy * dy) ** 0.5 < 0.02:
            problems.append(f"{label}: the line is too short; drag across the whole doorway.")
            continue
        side = dx * (config.inside_y - config.y1) - dy * (config.inside_x - config.x1)
        if abs(side) < 1e-4:
            problems.append(f"{label}: the inside point lies on the line; click a point inside the store.")
    ids = [line.get("line_id") for line in lines]
    if len(ids) != len(set(ids)):
        problems.append("Two lines share an id; give each line its own.")
    return problems


EditorEvent = Literal["drawn", "inside", "line", "none"]


def editor_event(triggered: Collection[str], *, select: str, drawn: bool, inside_click: bool) -> EditorEvent:
    """What the editor's coordinate fields should show after the inputs in ``triggered`` changed.

    ``drawn``: the picture reports a line drawn or moved; ``inside_click``: a click placed the
    inside point. Dash hands one callback every input that changed in the same round, so the
    picture's own resize (a relayout without a shape) can arrive together with the line chosen
    once the camera's lines load; the chosen line must still fill the fields then, or they stay
    empty. ``select`` is the line chooser's ``id.value``; no trigger at all is the page opening.
    """
    if drawn:
        return "drawn"
    if inside_click:
        return "inside"
    if not triggered or select in triggered:
        return "line"
    return "none"
