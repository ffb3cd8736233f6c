"""Branch comparison as pure data: filter stores by attributes, rank them, like-for-like change.

Like-for-like (LFL) compares only stores that traded in both periods, the way retailers
report it, so an opening or closing does not read as growth or decline.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from footfall.dashboard.formatting import KPI_KINDS

#: Floor-area bands a comparison can be filtered by (m², lower inclusive, upper exclusive).
SIZE_BANDS: dict[str, tuple[float, float]] = {
    "small": (0, 500),
    "medium": (500, 1500),
    "large": (1500, float("inf")),
}
SIZE_LABELS = {"small": "Small (< 500 m²)", "medium": "Medium (500–1,500 m²)", "large": "Large (≥ 1,500 m²)"}


def comparison_rows(answer: object) -> list[dict]:
    """The per-store rows of a ``/comparison`` answer (a list, or wrapped under a key)."""
    if isinstance(answer, list):
        return [dict(r) for r in answer]
    if isinstance(answer, Mapping):
        for key in ("stores", "rows", "ranking", "items"):
            if isinstance(answer.get(key), list):
                return [dict(r) for r in answer[key]]
    return []


def store_matches(store: Mapping, *, region_id: str | None, size: str | None) -> bool:
    if region_id and str(store.get("region_id")) != str(region_id):
        return False
    if size:
        low, high = SIZE_BANDS[size]
        area = store.get("floor_area_m2")
        if area is None or not (low <= float(area) < high):
            return False
    return True


def rank(
    rows: Iterable[Mapping],
    stores: Mapping[str, Mapping],
    previous: Mapping[str, float | None],
    *,
    region_id: str | None = None,
    size: str | None = None,
) -> list[dict]:
    """Table rows, best first, joined with store attributes and the change against ``previous``."""
    table = []
    for row in rows:
        store = stores.get(str(row.get("store_id")), {})
        merged = {**store, **row}
        if not store_matches(merged, region_id=region_id, size=size):
            continue
        value = row.get("value")
        before = previous.get(str(row.get("store_id")))
        table.append(
            {
                "store_id": str(row.get("store_id")),
                "store": merged.get("name") or merged.get("store_name") or str(row.get("store_id")),
                "region": merged.get("region_name") or "",
                "floor_area_m2": merged.get("floor_area_m2"),
                "value": value,
                "previous": before,
                "change": relative_change(value, before),
                "coverage": row.get("coverage"),
            }
        )
    if not all("rank" in row for row in rows):
        table.sort(key=lambda r: (r["value"] is None, -(r["value"] or 0)))
    # else: keep the server's order, which knows whether higher is better for this KPI
    for position, row in enumerate(table, start=1):
        row["rank"] = position
    return table


def relative_change(now: float | None, before: float | None) -> float | None:
    if now is None or before in (None, 0):
        return None
    return (now - before) / before  # type: ignore[operator]


def like_for_like(kpi: str, table: Sequence[Mapping]) -> tuple[float | None, int]:
    """The chain's LFL change over stores with a value in both periods, and how many there were.

    Additive KPIs (visitors, sales) compare totals; ratios (conversion, ATV) compare the mean
    of the stores' values, since summing ratios means nothing.
    """
    both = [r for r in table if r.get("value") is not None and r.get("previous") not in (None, 0)]
    if not both:
        return None, 0
    now = sum(float(r["value"]) for r in both)
    before = sum(float(r["previous"]) for r in both)
    if KPI_KINDS.get(kpi) not in ("count",) and kpi not in ("sales", "net_sales", "revenue"):
        now, before = now / len(both), before / len(both)
    return relative_change(now, before), len(both)


def anomaly_rows(answer: object) -> list[dict]:
    """Anomalies as a list of dicts, newest first, whatever key the server wraps them in."""
    rows = (
        comparison_rows(answer)
        if not isinstance(answer, Mapping) or "anomalies" not in answer
        else [dict(r) for r in answer["anomalies"]]
    )
    return sorted(
        rows, key=lambda r: str(r.get("bucket_start") or r.get("date") or r.get("day") or ""), reverse=True
    )
