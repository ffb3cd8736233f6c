"""The dashboard in a real Chromium against a seeded server: what each role sees, that the
numbers shown are the API's, that scoping holds in the UI, that the live view moves when
crossings arrive, and that a line drawn by the installer reaches the device's config.
"""

from __future__ import annotations

import time
from contextlib import closing
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from footfall.dashboard import formatting
from footfall.dashboard.navigation import PAGES, home_for, visible_pages

from tests.browser.conftest import Stack

pytestmark = pytest.mark.browser

ROLES = ("hq_admin", "regional_manager", "store_manager", "installer", "analyst")
_seq = iter(range(int(time.time() * 1000), 2**62))


# -- helpers --------------------------------------------------------------------------------


def sign_in(page: Any, stack: Stack, role: str, *, then: str | None = None) -> None:
    page.goto(f"{stack.dashboard_url}/login")
    page.fill("#login-email", stack.seeded.users[role])
    page.fill("#login-password", stack.seeded.password)
    page.click("#login-submit")
    page.wait_for_url(f"**{home_for(role)}")
    page.wait_for_selector("#nav-user")
    if then:
        page.goto(f"{stack.dashboard_url}{then}")


def api(stack: Stack, role: str) -> httpx.Client:
    client = httpx.Client(base_url=f"{stack.api_url}/api/v1", timeout=10)
    answer = client.post(
        "/auth/login", json={"email": stack.seeded.users[role], "password": stack.seeded.password}
    )
    answer.raise_for_status()
    client.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"
    # The server may answer the sign-in before the session is committed (reported); wait for it.
    deadline = time.monotonic() + 2
    while client.get("/auth/me").status_code == 401 and time.monotonic() < deadline:
        time.sleep(0.05)
    return client


def get_json(client: httpx.Client, path: str, **params: str) -> Any:
    answer = client.get(path, params=params)
    assert answer.status_code == 200, f"{path}: {answer.status_code} {answer.text}"
    return answer.json()


def device(stack: Stack, store: int = 0) -> httpx.Client:
    token = stack.seeded.stores[store].device_token
    return httpx.Client(
        base_url=f"{stack.api_url}/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )


def ingest(
    stack: Stack, *, ins: int, outs: int = 0, children: int = 0, store: int = 0, at: datetime | None = None
) -> None:
    """Send crossings (now, or ``at``) and that minute's coverage as the store's device would."""
    seeded = stack.seeded.stores[store]
    now = at or datetime.now(UTC)
    crossings = [
        {
            "seq": next(_seq),
            "camera_id": seeded.camera_id,
            "line_id": seeded.line_id,
            "direction": direction,
            "ts": now.isoformat(),
            "track_id": n,
            "frame_index": n,
            "person_class": person_class,
        }
        for n, (direction, person_class) in enumerate(
            [("in", "adult")] * ins + [("out", "adult")] * outs + [("in", "child")] * children
        )
    ]
    coverage = [
        {
            "seq": next(_seq),
            "camera_id": seeded.camera_id,
            "minute": now.replace(second=0, microsecond=0).isoformat(),
            "processed_s": 60.0,
            "fps": 15.0,
        }
    ]
    with device(stack, store) as client:
        answer = client.post(
            "/ingest/crossings",
            json={"crossings": crossings, "coverage": coverage, "sent_at": now.isoformat()},
        )
        answer.raise_for_status()


def settle(page: Any) -> None:
    """Wait until Dash has no callback in flight (no component marked as loading)."""
    page.wait_for_timeout(200)
    page.wait_for_function("!document.querySelector('[data-dash-is-loading=\"true\"]')")


def shot(page: Any, stack: Stack, name: str) -> None:
    page.wait_for_timeout(300)  # let charts finish their transition
    page.screenshot(path=str(stack.artefacts / f"{name}.png"), full_page=True)


def graph_traces(page: Any, graph_id: str) -> list[dict]:
    return page.evaluate(
        "id => (document.querySelector('#' + id + ' .js-plotly-plot') || {}).data?.map(t => ({name: t.name, x: t.x, y: t.y})) || []",
        graph_id,
    )


def wait_for_text(page: Any, selector: str, expected: str, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        text = page.inner_text(selector).strip()
        if text == expected:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{selector} shows {text!r}, expected {expected!r}")
        page.wait_for_timeout(250)


def today_in(zone: str) -> str:
    return datetime.now(ZoneInfo(zone)).date().isoformat()


@pytest.fixture(scope="module")
def some_traffic(stack: Stack) -> None:
    """Both stores have counted people yesterday and today, and their devices report healthy."""
    for store, (yesterday_in, today_in_count) in enumerate([(30, 12), (18, 7)]):
        zone = ZoneInfo(stack.seeded.stores[store].timezone)
        local_noon = datetime.now(zone).replace(hour=12, minute=0, second=0, microsecond=0) - timedelta(
            days=1
        )
        ingest(stack, ins=yesterday_in, outs=yesterday_in, store=store, at=local_noon.astimezone(UTC))
        ingest(stack, ins=today_in_count, outs=today_in_count // 2, store=store)
        heartbeat(stack, store)
    import_sales(stack)


def import_sales(stack: Stack) -> None:
    """CRM customers and POS sales for the first store, yesterday and today (as HQ would import)."""
    zone = ZoneInfo(stack.seeded.stores[0].timezone)
    now = datetime.now(zone).replace(microsecond=0)
    customers = "customer_id,joined_on\n" + "".join(f"c{n},2026-01-0{n}\n" for n in range(1, 5))
    rows = ["store,timestamp,transaction_id,amount,currency,units,customer_id"]
    for day, count in ((1, 6), (0, 3)):
        moment = (
            (now - timedelta(days=day, minutes=5)) if day == 0 else now.replace(hour=12) - timedelta(days=1)
        )
        for n in range(count):
            customer = f"c{n % 4 + 1}" if n % 3 else ""
            rows.append(f"S1,{moment.isoformat()},t{day}-{n},{20 + 5 * n}.50,EUR,{1 + n % 3},{customer}")
    with closing(api(stack, "hq_admin")) as client:
        for kind, body in (("customers", customers), ("sales", "\n".join(rows) + "\n")):
            answer = client.post(
                f"/imports/{kind}", content=body.encode(), headers={"Content-Type": "text/csv"}
            )
            assert answer.status_code == 200, answer.text


def heartbeat(
    stack: Stack, store: int = 0, *, state: str = "ok", reason: str | None = None, lines: list | None = None
) -> None:
    seeded = stack.seeded.stores[store]
    now = datetime.now(UTC).isoformat()
    camera = {
        "camera_id": seeded.camera_id,
        "state": state,
        "reason": reason,
        "fps": 15.0,
        "last_frame_at": now,
        "lines": lines or [],
    }
    health = {
        "sent_at": now,
        "agent_version": "test",
        "uptime_s": 60,
        "cameras": [camera],
        "outbox_backlog": 0,
        "disk_used_bytes": 0,
        "disk_budget_bytes": 10**9,
    }
    with device(stack, store) as client:
        client.post("/ingest/health", json=health).raise_for_status()


# -- tests ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_only_its_pages(stack: Stack, new_page: Any, role: str, some_traffic: None) -> None:
    page = new_page()
    sign_in(page, stack, role)
    expected = len(visible_pages(role))
    page.wait_for_function(f"document.querySelectorAll('#nav-collapse a.nav-link').length === {expected}")
    shown = sorted(link.get_attribute("href") for link in page.locator("#nav-collapse a.nav-link").all())
    assert shown == sorted(p.path for p in visible_pages(role))
    for entry in visible_pages(role):
        page.goto(f"{stack.dashboard_url}{entry.path}")
        page.wait_for_selector(".page-body h2")
        settle(page)
        assert page.locator(".alert-danger").count() == 0, page.inner_text("body")
        shot(page, stack, f"{role}{entry.path.replace('/', '-')}")
    hidden = [p for p in PAGES if p not in visible_pages(role)]
    for entry in hidden:
        page.goto(f"{stack.dashboard_url}{entry.path}")
        page.wait_for_selector(".not-available")
        assert "not part of your role" in page.inner_text(".not-available")


def test_signed_out_visitor_is_sent_to_sign_in(stack: Stack, new_page: Any) -> None:
    page = new_page()
    page.goto(f"{stack.dashboard_url}/live")
    page.wait_for_url("**/login**")
    page.fill("#login-email", stack.seeded.users["store_manager"])
    page.fill("#login-password", "not-the-password")
    page.click("#login-submit")
    page.wait_for_selector("#login-error")
    assert "not right" in page.inner_text("#login-error")
    shot(page, stack, "login-rejected")


def test_live_figures_equal_the_api(stack: Stack, new_page: Any, some_traffic: None) -> None:
    store = stack.seeded.stores[0]
    page = new_page()
    sign_in(page, stack, "store_manager", then="/live")
    page.wait_for_selector("#live-in")
    with closing(api(stack, "store_manager")) as client:
        details = get_json(client, f"/stores/{store.store_id}")
        occupancy = get_json(client, f"/stores/{store.store_id}/occupancy")
        day = today_in(store.timezone)
        hourly = get_json(
            client,
            f"/stores/{store.store_id}/traffic",
            start=day,
            end=day,
            granularity="hour",
            person_class="adult",
        )
    locale = details["locale"]
    assert occupancy["in"] > 0
    wait_for_text(page, "#live-in", formatting.count(sum(b["in"] for b in hourly["buckets"]), locale))
    wait_for_text(page, "#live-out", formatting.count(sum(b["out"] for b in hourly["buckets"]), locale))
    wait_for_text(page, "#live-occupancy", formatting.count(occupancy["occupancy"], locale))
    with closing(api(stack, "store_manager")) as client:
        kpis = get_json(client, f"/stores/{store.store_id}/kpis", start=day, end=day, granularity="day")
    conversion = kpis["buckets"][0]["kpis"]["conversion"]["value"]
    assert conversion
    wait_for_text(page, "#live-conversion", formatting.percent(conversion, locale))
    today = next(t for t in graph_traces(page, "live-hourly") if t["name"] == "Today")
    assert sum(today["y"]) == sum(b["in"] for b in hourly["buckets"])
    shot(page, stack, "live-store-manager")


def test_customers_figures_equal_the_api(stack: Stack, new_page: Any, some_traffic: None) -> None:
    from footfall.dashboard.periods import period_dates

    store = stack.seeded.stores[0]
    page = new_page()
    sign_in(page, stack, "store_manager", then="/customers")
    page.wait_for_selector("#cus-tiles-customers")
    start, end = period_dates("last_90", datetime.now(ZoneInfo(store.timezone)).date())
    with closing(api(stack, "store_manager")) as client:
        details = get_json(client, f"/stores/{store.store_id}")
        summary = get_json(
            client,
            f"/stores/{store.store_id}/customers/summary",
            start=start.isoformat(),
            end=end.isoformat(),
        )
    locale = details["locale"]
    assert summary["customers"] > 0
    wait_for_text(page, "#cus-tiles-customers", formatting.count(summary["customers"], locale))
    wait_for_text(page, "#cus-tiles-member-share", formatting.percent(summary["member_share"], locale))
    wait_for_text(
        page, "#cus-tiles-ltv", formatting.money(summary["average_ltv"], details["currency"], locale)
    )
    segments = graph_traces(page, "cus-segments")
    assert sum(segments[0]["x"]) == sum(summary["rfm_segments"].values())
    shot(page, stack, "customers-store-manager")


def test_store_manager_cannot_reach_another_store(stack: Stack, new_page: Any) -> None:
    other = stack.seeded.stores[1].store_id
    page = new_page()
    sign_in(page, stack, "store_manager")
    for path in (f"/live?store_id={other}", f"/customers?store_id={other}"):
        page.goto(f"{stack.dashboard_url}{path}")
        page.wait_for_selector(".not-available")
        assert "not part of your stores" in page.inner_text(".not-available")
        assert page.locator("#live-in").count() == 0
    options = page.evaluate("() => Array.from(document.querySelectorAll('#cus-store')).length")
    assert options <= 1
    shot(page, stack, "store-manager-other-store")


def test_live_view_updates_when_crossings_arrive(stack: Stack, new_page: Any, some_traffic: None) -> None:
    store = stack.seeded.stores[0]
    page = new_page()
    sign_in(page, stack, "store_manager", then="/live")
    page.wait_for_selector("#live-in")
    page.evaluate("() => { window.__sameDocument = true; }")
    day = today_in(store.timezone)
    with closing(api(stack, "store_manager")) as client:
        before = get_json(client, f"/stores/{store.store_id}/occupancy")
        adults = get_json(client, f"/stores/{store.store_id}/traffic", start=day, end=day, granularity="day")
        locale = get_json(client, f"/stores/{store.store_id}")["locale"]
    adults_in = sum(b["in"] for b in adults["buckets"])
    wait_for_text(page, "#live-in", formatting.count(adults_in, locale))
    ingest(stack, ins=4, outs=1, children=2, store=0)
    # Visitors are adults; occupancy counts the two children as well.
    wait_for_text(page, "#live-in", formatting.count(adults_in + 4, locale))
    wait_for_text(page, "#live-occupancy", formatting.count(before["occupancy"] + 3 + 2, locale))
    assert page.evaluate("() => window.__sameDocument === true"), "the page reloaded instead of updating"
    shot(page, stack, "live-after-ingest")


def test_comparison_ranking_equals_the_api(stack: Stack, new_page: Any, some_traffic: None) -> None:
    page = new_page()
    sign_in(page, stack, "hq_admin", then="/comparison")
    page.wait_for_selector("#cmp-table-grid td")
    from footfall.dashboard.periods import period_dates

    start, end = period_dates("last_28", datetime.now(UTC).date())
    with closing(api(stack, "hq_admin")) as client:
        answer = get_json(client, "/comparison", kpi="visitors", start=start.isoformat(), end=end.isoformat())
    from footfall.dashboard.ranking import comparison_rows

    rows = comparison_rows(answer)
    shown = page.locator("#cmp-table-grid td[data-dash-column='store']").all_inner_texts()
    assert sorted(shown) == sorted(r.get("name") or r.get("store_name") for r in rows)
    values = [
        int(v.replace(",", "") or 0)
        for v in page.locator("#cmp-table-grid td[data-dash-column='value']").all_inner_texts()
    ]
    assert sorted(values) == sorted(round(r["value"] or 0) for r in rows)
    with page.expect_download() as download:
        page.click("#cmp-table-grid .export, .export")
    assert "Store" in download.value.path().read_text(encoding="utf-8").splitlines()[0]
    shot(page, stack, "comparison-hq")


def test_installer_draws_a_line_that_reaches_the_device(
    stack: Stack, new_page: Any, some_traffic: None
) -> None:
    store = stack.seeded.stores[0]
    page = new_page()
    sign_in(page, stack, "installer", then="/installer")
    page.wait_for_selector("#ins-canvas .nsewdrag")
    page.wait_for_function(
        "document.querySelector('#ins-x1') && document.querySelector('#ins-x1').value !== ''"
    )

    # Snapshot on request: the device answers the request with a JPEG.
    page.click("#ins-snapshot-button")
    jpeg = _test_jpeg()
    with device(stack) as client:
        deadline = time.monotonic() + 10
        requests: list = []
        while not requests and time.monotonic() < deadline:
            body = get_json(client, "/devices/me/snapshot-requests")
            requests = body if isinstance(body, list) else body.get("requests", [])
            time.sleep(0.3)
        assert requests, "the snapshot request did not reach the device"
        request = requests[0]
        request_id = request.get("request_id") or request.get("id")
        client.put(
            f"/devices/me/snapshots/{request_id}", content=jpeg, headers={"Content-Type": "image/jpeg"}
        ).raise_for_status()
    page.wait_for_function(
        "document.querySelector('#ins-canvas .layer-below image, #ins-canvas image') !== null"
    )

    box = page.locator("#ins-canvas .nsewdrag").first.bounding_box()
    x, y, w, h = box["x"], box["y"], box["width"], box["height"]
    page.mouse.move(x + 0.2 * w, y + 0.4 * h)
    page.mouse.down()
    page.mouse.move(x + 0.5 * w, y + 0.42 * h, steps=6)
    page.mouse.move(x + 0.8 * w, y + 0.45 * h, steps=6)
    page.mouse.up()
    page.wait_for_function("Math.abs(parseFloat(document.querySelector('#ins-x1').value) - 0.2) < 0.1")
    page.get_by_text("click sets the inside point").click()
    page.wait_for_timeout(500)
    page.mouse.click(x + 0.5 * w, y + 0.8 * h)
    page.wait_for_function("parseFloat(document.querySelector('#ins-inside-y').value) > 0.6")
    drawn = {
        k: float(page.input_value(f"#ins-{k.replace('_', '-')}"))
        for k in ("x1", "y1", "x2", "y2", "inside_x", "inside_y")
    }
    page.click("#ins-apply")
    page.wait_for_timeout(300)
    page.click("#ins-save")
    page.wait_for_selector("#ins-save-result-ok")
    shot(page, stack, "installer-line-drawn")

    with device(stack) as client:
        config = get_json(client, "/devices/me/config")
    camera = next(c for c in config["cameras"] if c["camera_id"] == store.camera_id)
    line = camera["lines"][0]
    for key, value in drawn.items():
        assert line[key] == pytest.approx(value, abs=1e-3), key
    assert line["x1"] == pytest.approx(0.2, abs=0.05) and line["x2"] == pytest.approx(0.8, abs=0.05)
    assert line["inside_y"] > max(line["y1"], line["y2"])

    # Validation mode: the walk-through shows counts arriving for this line.
    page.locator("#ins-validate").check()
    page.wait_for_selector(f"#validate-in-{line['line_id']}")
    ingest(stack, ins=2, outs=1, store=0)
    wait_for_text(page, f"#validate-in-{line['line_id']}", "2")
    wait_for_text(page, f"#validate-out-{line['line_id']}", "1")
    shot(page, stack, "installer-validation")


def _test_jpeg() -> bytes:
    """A camera-sized JPEG with a floor and a doorway, made on the spot."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 360), (180, 190, 200))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 200, 640, 360), fill=(120, 110, 100))
    draw.rectangle((220, 60, 420, 220), fill=(60, 70, 90))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()


def test_installer_sees_the_devices_of_their_store(stack: Stack, new_page: Any) -> None:
    """The installer's device table lists the seeded device of their store, and no other."""
    page = new_page()
    sign_in(page, stack, "installer", then="/installer")
    page.wait_for_selector("#ins-devices-grid td")
    with closing(api(stack, "installer")) as client:
        devices = get_json(client, "/devices")
    rows = page.locator("#ins-devices-grid td[data-dash-column='device']").all_inner_texts()
    assert set(rows) == {d.get("hostname") or d["device_id"] for d in devices}
    assert len(devices) == 1  # the installer is scoped to the first store
    page.click("#ins-enrol-button")
    page.wait_for_selector("#ins-enrol-result-code")
    code = page.inner_text("#ins-enrol-result-code").strip()
    assert len(code) >= 6
    with httpx.Client(base_url=f"{stack.api_url}/api/v1", timeout=10) as anonymous:
        enrolled = anonymous.post("/devices/enrol", json={"code": code, "hostname": "new-pi"})
    assert enrolled.status_code == 201, enrolled.text
    assert enrolled.json()["store_id"] == stack.seeded.stores[0].store_id
    shot(page, stack, "installer-enrolment-code")


def test_installer_is_told_to_extend_a_line_people_cross_at_its_ends(stack: Stack, new_page: Any) -> None:
    """The device's line tallies reach the installer's table: 6 of 40 people changed sides at a line's end."""
    heartbeat(stack, 0, lines=[{"line_id": "L1", "crossings": 40, "at_ends": 6}])
    page = new_page()
    sign_in(page, stack, "installer", then="/installer")
    page.wait_for_selector("#ins-devices-grid td[data-dash-column='line_check']")
    checks = page.locator("#ins-devices-grid td[data-dash-column='line_check']").all_inner_texts()
    assert "L1: 6 of 40 at its ends, extend it" in checks  # (a device enrolled by another test has none)
    heartbeat(stack, 0, lines=[{"line_id": "L1", "crossings": 400, "at_ends": 6}])  # 1.5%: fine
    page.reload()
    page.wait_for_selector("#ins-devices-grid td[data-dash-column='line_check']")
    checks = page.locator("#ins-devices-grid td[data-dash-column='line_check']").all_inner_texts()
    assert "ok" in checks and not any("extend" in check for check in checks)


def test_installer_sees_when_a_camera_was_down(stack: Stack, new_page: Any) -> None:
    """A camera that went stale and came back shows in the health history, as the API has it."""
    heartbeat(stack, 0)
    heartbeat(stack, 0, state="stale", reason="no new frame for 30 s")
    heartbeat(stack, 0)
    with closing(api(stack, "installer")) as client:
        camera_id = stack.seeded.stores[0].camera_id
        (device,) = [d for d in get_json(client, "/devices") if camera_id in d["camera_ids"]]
        history = get_json(client, f"/devices/{device['device_id']}/health-history")
    assert "stale" in [s["cameras"][0]["state"] for s in history["stretches"]]
    page = new_page()
    sign_in(page, stack, "installer", then="/installer")
    page.wait_for_selector("#ins-history-grid td")
    states = page.locator("#ins-history-grid td[data-dash-column='state']").all_inner_texts()
    reasons = page.locator("#ins-history-grid td[data-dash-column='reason']").all_inner_texts()
    assert states[0] == "ok" and "stale" in states  # newest first: back to ok after the outage
    assert "no new frame for 30 s" in reasons
    assert "Not ok:" in page.inner_text("#ins-history-summary")
    shot(page, stack, "installer-health-history")
