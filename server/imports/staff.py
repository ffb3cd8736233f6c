"""Staff hours: ``store, hour_start, staff_on_duty`` — how many people worked the floor in
that local hour (fractions allowed: 2.5 = two full-time and one half-hour shift).

A re-import replaces the figure for that store and hour (rotas get corrected); the same
figure again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from footfall.server.imports import normalise as n
from footfall.server.imports.reading import Columns, FileFormat, Record, read_records
from footfall.server.imports.report import ImportReport
from footfall.server.imports.stores import StoreDirectory

COLUMNS = Columns(required=("store", "hour_start", "staff_on_duty"))


@dataclass(frozen=True, slots=True)
class StaffHour:
    row: int
    store_id: str
    hour_start: datetime  # UTC
    staff_on_duty: Decimal


def validate_staff(
    content: bytes, fmt: FileFormat, stores: StoreDirectory, report: ImportReport
) -> list[StaffHour]:
    records = read_records(content, fmt, COLUMNS, report)
    hours: list[StaffHour] = []
    first_row_of: dict[tuple[str, datetime], int] = {}
    for number, record in enumerate(records, start=1):
        if not record:
            continue
        hour = _staff_hour(number, record, stores, report)
        if hour is None:
            continue
        key = (hour.store_id, hour.hour_start)
        if key in first_row_of:
            report.reject(
                number, "hour_start", f"this store and hour appear again (first on row {first_row_of[key]})"
            )
            continue
        first_row_of[key] = number
        hours.append(hour)
    return hours if report.ok else []


def _staff_hour(
    number: int, record: Record, stores: StoreDirectory, report: ImportReport
) -> StaffHour | None:
    try:
        store = stores.find(record.get("store"))
    except n.FieldError as error:
        report.reject(number, "store", str(error))
        return None
    try:
        start = n.local_timestamp(record.get("hour_start"), store.zone, "hour_start")
        local = start.astimezone(store.zone)
        if local.minute or local.second or local.microsecond:
            raise n.FieldError(
                f"hour_start {record.get('hour_start')!r} is not on the hour of store-local time"
            )
        staff = n.decimal_number(
            record.get("staff_on_duty"), "staff_on_duty", low=Decimal(0), high=Decimal(1000)
        )
    except n.FieldError as error:
        field = "staff_on_duty" if str(error).startswith("staff_on_duty") else "hour_start"
        report.reject(number, field, str(error))
        return None
    return StaffHour(number, store.store_id, start, staff)
