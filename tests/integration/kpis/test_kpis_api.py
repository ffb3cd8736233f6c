"""KPIs, imports, comparison, anomalies and customers through the real API and database.

Every expected number is counted by hand from the seed written in the test itself.
"""

from __future__ import annotations

import json

import pytest

from tests.integration.kpis.conftest import Chain, utc
from tests.integration.server.conftest import login

API = "/api/v1"
SALES_HEADER = "store,timestamp,transaction_id,amount,currency,units,customer_id\n"


def _sales_csv(day: str, count: int, *, amount: str = "20.00", prefix: str = "T", store: str = "S1",
               currency: str = "GBP", customer: str = "") -> str:  # fmt: skip
    """``count`` sales spread over 10:00..10:59 local on ``day``."""
    return "".join(
        f"{store},{day}T10:{k % 60:02d}:00,{prefix}{k},{amount},{currency},2,{customer}\n"
        for k in range(count)
    )


def _import(client, headers, kind: str, body: str, content_type: str = "text/csv", **params):
    return client.post(
        f"{API}/imports/{kind}",
        content=body.encode(),
        headers={**headers, "Content-Type": content_type},
        params=params,
    )


def _day(client, headers, store_id: str, day: str, **params) -> dict:
    answer = client.get(
        f"{API}/stores/{store_id}/kpis", params={"start": day, "end": day, **params}, headers=headers
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["buckets"]


def test_conversion_atv_and_a_refund_counted_by_hand(app_client, chain: Chain) -> None:
    admin = login(app_client, chain.world, "hq_admin")
    # Tue 10 March 2026, London is on GMT: open 09:00-19:00 = 40 quarter hours x 25 adults = 1,000 visitors
    chain.traffic(0, utc(2026, 3, 10, 9), 40, 25)
    body = SALES_HEADER + _sales_csv("2026-03-10", 150) + "S1,2026-03-10T15:00:00,R1,-10.00,GBP,1,\n"
    answer = _import(app_client, admin, "sales", body)
    assert answer.status_code == 200, answer.text
    assert answer.json()["inserted"] == 151 and answer.json()["status"] == "applied"

    (day,) = _day(app_client, admin, chain.london, "2026-03-10")
    assert day["visitors"] == 1000 and day["transactions"] == 150
    assert day["conversion"] == pytest.approx(0.15)  # 150 / 1,000
    assert day["net_sales"] == pytest.approx(150 * 20 - 10)  # the refund lowers sales...
    assert day["atv"] == pytest.approx(2990 / 150)  # ...but is not a transaction
    assert day["upt"] == pytest.approx((300 - 1) / 150)
    assert day["sales_per_visitor"] == pytest.approx(2.99)
    assert day["complete"] and day["missing"] == [] and day["kpis"]["conversion"]["completeness"] == 1.0

    # re-running the same file is a no-op
    again = _import(app_client, admin, "sales", body).json()
    assert (again["inserted"], again["unchanged"]) == (0, 151)
    (same,) = _day(app_client, admin, chain.london, "2026-03-10")
    assert same["transactions"] == 150 and same["net_sales"] == day["net_sales"]


def test_a_camera_outage_and_a_day_without_sales_are_flagged_incomplete(app_client, chain: Chain) -> None:
    admin = login(app_client, chain.world, "hq_admin")
    chain.traffic(0, utc(2026, 3, 11, 9), 20, 25)  # camera up 09:00-14:00 only
    chain.traffic(0, utc(2026, 3, 11, 14), 20, 0, covered=False)
    chain.traffic(0, utc(2026, 3, 12, 9), 40, 10)  # Thursday: counted, no sales imported
    assert _import(app_client, admin, "sales", SALES_HEADER + _sales_csv("2026-03-11", 50)).status_code == 200
    (outage,) = _day(app_client, admin, chain.london, "2026-03-11")
    assert not outage["complete"] and outage["coverage"] == pytest.approx(0.5)
    assert outage["kpis"]["conversion"]["missing"] == [
        "traffic: 300 of 600 open minutes not counted (camera down or not reporting)"
    ]
    assert outage["kpis"]["atv"]["complete"]  # ATV needs no traffic
    (no_sales,) = _day(app_client, admin, chain.london, "2026-03-12")
    assert no_sales["kpis"]["visitors"]["complete"] and not no_sales["kpis"]["conversion"]["complete"]
    assert "1 of 1 open day(s) have no sales imported" in no_sales["kpis"]["conversion"]["missing"][0]

    flags = app_client.get(
        f"{API}/anomalies",
        params={"start": "2026-03-11", "end": "2026-03-11", "store_id": chain.london},
        headers=admin,
    ).json()["anomalies"]
    down = [f for f in flags if f["kind"] == "camera_down"]
    assert len(down) == 5 and {f["bucket_start"][11:13] for f in down} == {"14", "15", "16", "17", "18"}


def test_a_dst_day_has_23_local_hours_and_sales_land_in_local_hours(app_client, chain: Chain) -> None:
    admin = login(app_client, chain.world, "hq_admin")
    # Sunday 29 March 2026, London springs forward at 01:00 GMT; 10:30 BST is 09:30 UTC
    chain.traffic(0, utc(2026, 3, 29, 8), 40, 5)  # 09:00-19:00 BST = 08:00-18:00 UTC
    body = (
        SALES_HEADER + "S1,2026-03-29T10:30:00,D1,12.00,GBP,1,\nS1,2026-03-29T01:30:00+00:00,D2,5.00,GBP,1,\n"
    )
    assert _import(app_client, admin, "sales", body).status_code == 200
    hours = _day(app_client, admin, chain.london, "2026-03-29", granularity="hour")
    assert len(hours) == 23
    by_label = {h["bucket_start"]: h for h in hours}
    assert by_label["2026-03-29T10:00:00+01:00"]["transactions"] == 1
    assert by_label["2026-03-29T02:00:00+01:00"]["transactions"] == 1  # 01:30 UTC = 02:30 BST
    assert by_label["2026-03-29T09:00:00+01:00"]["visitors"] == 20
    (day,) = _day(app_client, admin, chain.london, "2026-03-29")
    assert day["visitors"] == 200 and day["transactions"] == 2 and day["complete"]
    # a local time that does not exist is refused, not guessed
    bad = _import(app_client, admin, "sales", SALES_HEADER + "S1,2026-03-29T01:30:00,D3,1.00,GBP,1,\n")
    assert bad.status_code == 422 and "does not exist" in bad.json()["details"][0]["message"]


@pytest.mark.parametrize(
    ("body", "row", "reason"),
    [
        ("store,when,transaction_id,amount,currency,units\nS1,x,T1,1,GBP,1\n", 0, "unknown column(s) when"),
        (SALES_HEADER + "S1,10/03/2026 10:00,T1,1.00,GBP,1,\n", 1, "not a date and time"),
        (SALES_HEADER + "ZZ,2026-03-10T10:00:00,T1,1.00,GBP,1,\n", 1, "not a store you can import for"),
        (
            SALES_HEADER + "S1,2026-03-10T10:00:00,T1,1.00,GBP,1,\nS1,2026-03-10T11:00:00,T1,2.00,GBP,1,\n",
            2,
            "appears again",
        ),
        (
            SALES_HEADER + "S1,2026-03-10T10:00:00,T1,1.00,GBP,1,\nS1,2026-03-10T11:00:00,T2,2.00,EUR,1,\n",
            2,
            "mixed currencies",
        ),
    ],
)
def test_malformed_sales_files_are_rejected_and_change_nothing(app_client, chain: Chain, body: str, row: int,
                                                               reason: str) -> None:  # fmt: skip
    admin = login(app_client, chain.world, "hq_admin")
    before = {t: chain.count(t) for t in ("sales_transactions", "sales_hourly", "sales_days", "imports")}
    answer = _import(app_client, admin, "sales", body)
    assert answer.status_code == 422, answer.text
    error = answer.json()
    assert error["error"] == "import_rejected" and "nothing was written" in error["message"]
    assert error["details"][0]["row"] == row and reason in error["details"][0]["message"]
    assert {t: chain.count(t) for t in before} == before


def test_a_changed_transaction_rejects_the_whole_file(app_client, chain: Chain) -> None:
    admin = login(app_client, chain.world, "hq_admin")
    assert _import(app_client, admin, "sales", SALES_HEADER + _sales_csv("2026-03-10", 3)).status_code == 200
    before = chain.count("sales_transactions")
    changed = (
        SALES_HEADER + "S1,2026-03-10T12:00:00,NEW1,9.00,GBP,1,\nS1,2026-03-10T10:00:00,T0,99.00,GBP,2,\n"
    )
    answer = _import(app_client, admin, "sales", changed)
    assert (
        answer.status_code == 422
        and "imported before with different values" in answer.json()["details"][0]["message"]
    )
    assert chain.count("sales_transactions") == before  # NEW1 was not written either


def test_json_import_and_dry_run(app_client, chain: Chain) -> None:
    admin = login(app_client, chain.world, "hq_admin")
    rows = [{"store": "S2", "timestamp": "2026-03-10T10:00:00", "transaction_id": "J1", "amount": 12.5,
             "currency": "USD", "units": 1}]  # fmt: skip
    dry = _import(app_client, admin, "sales", json.dumps(rows), "application/json", dry_run="true").json()
    assert dry["status"] == "dry_run" and dry["inserted"] == 1 and chain.count("sales_transactions") == 0
    assert _import(app_client, admin, "sales", json.dumps(rows), "application/json").json()["inserted"] == 1


def test_duplicate_customers_are_merged_and_erasure_keeps_aggregates(app_client, chain: Chain) -> None:
    admin = login(app_client, chain.world, "hq_admin")
    customers = (
        "customer_id,joined_on,segment,home_store,email,phone\n"
        "C1,2025-01-10,gold,S1,Ann@Example.com,07700 900123\n"
        "C2,2026-02-01,,S1,ann@example.com ,\n"  # same person, new loyalty card
        "C3,2026-02-02,,S1,,+44 7700 900999\n"
    )
    report = _import(app_client, admin, "customers", customers).json()
    assert (report["inserted"], report["merged"]) == (2, 1)
    assert [i["severity"] for i in report["issues"]] == ["merged"]
    assert _import(app_client, admin, "customers", customers).json()["inserted"] == 0  # idempotent
    assert chain.count("customers") == 2 and chain.count("customer_aliases") == 1

    sales = SALES_HEADER + (
        "S1,2026-01-05T10:00:00,H1,40.00,GBP,1,C1\n"  # C1 bought before the period: returning
        "S1,2026-03-10T10:00:00,K1,30.00,GBP,1,C2\n"  # C2 is C1
        "S1,2026-03-10T11:00:00,K2,20.00,GBP,1,C3\n"  # first purchase ever: new
        "S1,2026-03-10T12:00:00,K3,10.00,GBP,1,\n"
    )
    assert _import(app_client, admin, "sales", sales).status_code == 200
    params = {"start": "2026-03-01", "end": "2026-03-31"}
    summary = app_client.get(
        f"{API}/stores/{chain.london}/customers/summary", params=params, headers=admin
    ).json()
    assert summary["customers"] == 2 and summary["new_customers"] == 1 and summary["returning_customers"] == 1
    assert summary["member_transactions"] == 2 and summary["member_share"] == pytest.approx(2 / 3)
    assert summary["average_ltv"] == pytest.approx((70 + 20) / 2)
    assert sum(summary["rfm_segments"].values()) == 2

    erased = app_client.delete(f"{API}/customers/C2/personal-data", headers=admin)  # via the alias
    assert erased.status_code == 200 and erased.json()["customer_id"] == "C1"
    import psycopg

    with psycopg.connect(chain.dsn) as conn:
        row = conn.execute(
            "SELECT email, phone, erased_at FROM customers WHERE org_id = %s AND customer_id = 'C1'",
            (chain.world.org_id,),
        ).fetchone()
    assert row[0] is None and row[1] is None and row[2] is not None
    after = app_client.get(
        f"{API}/stores/{chain.london}/customers/summary", params=params, headers=admin
    ).json()
    assert after["customers"] == 2 and after["average_ltv"] == summary["average_ltv"]
    assert app_client.delete(f"{API}/customers/NOPE/personal-data", headers=admin).status_code == 404


def test_roles_installers_see_no_sales_and_analysts_no_personal_data(app_client, chain: Chain) -> None:
    params = {"start": "2026-03-10", "end": "2026-03-10"}
    installer = login(app_client, chain.world, "installer")
    assert (
        app_client.get(f"{API}/stores/{chain.london}/kpis", params=params, headers=installer).status_code
        == 403
    )
    assert _import(app_client, installer, "sales", SALES_HEADER).status_code == 403
    analyst = login(app_client, chain.world, "analyst")
    summary = app_client.get(f"{API}/stores/{chain.london}/customers/summary", params=params, headers=analyst)
    assert summary.status_code == 200 and "email" not in summary.text
    assert app_client.delete(f"{API}/customers/C1/personal-data", headers=analyst).status_code == 403
    manager = login(app_client, chain.world, "store_manager")  # scoped to London only
    assert (
        app_client.get(f"{API}/stores/{chain.new_york}/kpis", params=params, headers=manager).status_code
        == 404
    )


def test_store_comparison_ranking_normalised_and_like_for_like(app_client, chain: Chain) -> None:
    admin = login(app_client, chain.world, "hq_admin")
    chain.traffic(0, utc(2026, 3, 10, 9), 40, 25)  # London: 1,000 visitors
    chain.traffic(1, utc(2026, 3, 10, 13), 40, 10)  # New York (EDT, UTC-4): 09:00-19:00 local, 400 visitors
    chain.traffic(0, utc(2026, 3, 3, 9), 40, 20)  # London a week earlier: 800
    _import(app_client, admin, "sales", SALES_HEADER + _sales_csv("2026-03-10", 150))
    _import(
        app_client, admin, "sales", SALES_HEADER + _sales_csv("2026-03-10", 100, store="S2", currency="USD")
    )
    params = {"start": "2026-03-10", "end": "2026-03-10"}

    ranking = app_client.get(
        f"{API}/comparison", params={**params, "kpi": "conversion"}, headers=admin
    ).json()
    assert [(r["code"], r["value"], r["rank"]) for r in ranking["stores"]] == [
        ("S2", 0.25, 1),
        ("S1", 0.15, 2),
    ]
    assert "transactions ÷ visitors" in ranking["formula"]
    assert [r["complete"] for r in ranking["stores"]] == [True, True] and ranking["stores"][0][
        "coverage"
    ] == 1.0
    week = app_client.get(
        f"{API}/comparison",
        params={"start": "2026-03-09", "end": "2026-03-10", "kpi": "conversion"},
        headers=admin,
    ).json()["stores"]
    assert {r["code"]: r["missing"] for r in week}["S1"] == [
        "traffic: 600 of 1200 open minutes not counted (camera down or not reporting)",
        "sales: 1 of 2 open day(s) have no sales imported",
    ]

    per_m2 = app_client.get(
        f"{API}/comparison", params={**params, "kpi": "visitors", "normalise": "per_m2"}, headers=admin
    ).json()["stores"]
    assert {r["code"]: r["value"] for r in per_m2} == {"S1": 1000 / 250, "S2": 400 / 500}
    per_hour = app_client.get(
        f"{API}/comparison", params={**params, "kpi": "visitors", "normalise": "per_open_hour"}, headers=admin
    ).json()["stores"]
    assert {r["code"]: r["value"] for r in per_hour} == {"S1": 100.0, "S2": 40.0}
    refused = app_client.get(
        f"{API}/comparison", params={**params, "kpi": "conversion", "normalise": "per_m2"}, headers=admin
    )
    assert refused.status_code == 422

    lfl = app_client.get(
        f"{API}/comparison", params={**params, "kpi": "visitors", "compare_to": "last_week"}, headers=admin
    ).json()
    london = next(r for r in lfl["stores"] if r["code"] == "S1")
    assert (
        lfl["previous_start"] == "2026-03-03"
        and london["previous"] == 800
        and london["change"] == pytest.approx(0.25)
    )


def test_hour_of_week_profile(app_client, chain: Chain) -> None:
    admin = login(app_client, chain.world, "hq_admin")
    chain.traffic(0, utc(2026, 3, 10, 9), 4, 5)  # Tue 09:00 GMT: 20
    chain.traffic(0, utc(2026, 3, 17, 9), 4, 10)  # next Tue 09:00: 40
    answer = app_client.get(
        f"{API}/stores/{chain.london}/hour-of-week",
        params={"start": "2026-03-09", "end": "2026-03-22"},
        headers=admin,
    ).json()
    cell = next(c for c in answer["cells"] if (c["weekday"], c["hour"]) == (1, 9))
    assert cell["value"] == 30.0 and cell["hours"] == 2


def test_staff_import_and_shoppers_per_staff_hour(app_client, chain: Chain) -> None:
    admin = login(app_client, chain.world, "hq_admin")
    chain.traffic(0, utc(2026, 3, 10, 9), 40, 25)
    staff = "store,hour_start,staff_on_duty\n" + "".join(
        f"S1,2026-03-10T{h:02d}:00,4\n" for h in range(9, 19)
    )
    assert _import(app_client, admin, "staff", staff).json()["inserted"] == 10
    (day,) = _day(app_client, admin, chain.london, "2026-03-10")
    assert day["staff_to_shopper"] == pytest.approx(1000 / 40) and day["kpis"]["staff_to_shopper"]["complete"]
    corrected = _import(app_client, admin, "staff", staff.replace("T09:00,4", "T09:00,5")).json()
    assert (corrected["updated"], corrected["unchanged"]) == (1, 9)


def test_buying_units_entrances_and_occupancy(app_client, chain: Chain) -> None:
    import psycopg

    admin = login(app_client, chain.world, "hq_admin")
    store = chain.world.stores[0]
    # 09:00-09:15 GMT: 4 adults in, 3 of them one family (group g1), 1 child; 09:15-09:30: 1 adult out
    events = [("in", "adult", "g1"), ("in", "adult", "g1"), ("in", "adult", "g1"), ("in", "adult", None),
              ("in", "child", "g1")]  # fmt: skip
    with psycopg.connect(chain.dsn) as conn:
        for seq, (direction, person, group) in enumerate(events, start=1):
            conn.execute(
                "INSERT INTO crossing_events (device_id, seq, event_time, store_id, camera_id, line_id, entrance_id,"
                " direction, person_class, group_id) VALUES (%s, %s, %s, %s, %s, 'door', %s, %s, %s, %s)",
                (store.device_id, seq, utc(2026, 3, 10, 9, 1, seq), store.store_id, store.camera_id,
                 store.entrance_id, direction, person, group),
            )  # fmt: skip
    chain.traffic(0, utc(2026, 3, 10, 9), 1, 4)
    chain.traffic(0, utc(2026, 3, 10, 9, 15), 1, 0, out_per_quarter=1)
    (adults,) = _day(app_client, admin, chain.london, "2026-03-10", by="entrance")
    assert adults["visitors"] == 4 and adults["entrances"] == [
        {"entrance_id": store.entrance_id, "visitors": 4}
    ]
    # occupancy 4 after 09:15, 3 after 09:30 and through the 38 quiet quarters until 19:00
    assert adults["peak_occupancy"] == 4 and adults["average_occupancy"] == pytest.approx((4 + 3 * 39) / 40)
    (units,) = _day(app_client, admin, chain.london, "2026-03-10", visitors="buying_units")
    assert units["visitors"] == 2  # the family counts once, the single adult once


def test_low_traffic_is_flagged_against_the_same_hour_of_previous_weeks(app_client, chain: Chain) -> None:
    admin = login(app_client, chain.world, "hq_admin")
    for week in (1, 2, 3):  # three Tuesdays before, 10:00-11:00 GMT: 40 visitors each
        chain.traffic(0, utc(2026, 3, 24 - 7 * week, 10), 4, 10)
    chain.traffic(0, utc(2026, 3, 24, 10), 4, 1)  # the camera is up but only 4 people came
    flags = app_client.get(
        f"{API}/anomalies",
        params={"start": "2026-03-24", "end": "2026-03-24", "store_id": chain.london},
        headers=admin,
    ).json()["anomalies"]
    low = [f for f in flags if f["kind"] == "low_traffic"]
    assert [(f["bucket_start"], f["value"], f["expected"]) for f in low] == [
        ("2026-03-24T10:00:00+00:00", 4, 40.0)
    ]
    # the other open hours of that day had no camera coverage at all: flagged as camera down, not low traffic
    assert {f["kind"] for f in flags} == {"low_traffic", "camera_down"}
