"""The customers page counts periods on the store's calendar, not the machine's."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from footfall.dashboard.pages.customers import store_today


def test_store_today_is_the_date_where_the_store_is() -> None:
    for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago", "Europe/Berlin"):
        assert store_today({"timezone": zone}) == datetime.now(ZoneInfo(zone)).date()
    # Kiritimati (UTC+14) and Pago Pago (UTC-11) never share a date.
    assert store_today({"timezone": "Pacific/Kiritimati"}) != store_today({"timezone": "Pacific/Pago_Pago"})


def test_an_unknown_zone_falls_back_to_the_machine_date() -> None:
    assert store_today({"timezone": "Mars/Olympus"}) == date.today()
    assert store_today({}) == date.today()
