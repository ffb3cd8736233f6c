"""The configs `footfall demo` writes for its agents are valid for the agents that read them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from footfall.edge.config import load_agent_config
from footfall.edge.simulator import load_simulator_config
from footfall.server.seed import demo_chain

from footfall.demo import real_agent_config, simulator_config
from footfall.demo_traffic import visitors_per_hour


def test_simulator_config_round_trips_every_store_profile(tmp_path: Path) -> None:
    chain = demo_chain()
    stores = list(chain.stores)
    raw = simulator_config("http://127.0.0.1:8000", tmp_path, stores, {"LON-01": "CODE-123456"}, speed=2.0)
    path = tmp_path / "simulator.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    config = load_simulator_config(path)
    assert [s.name for s in config.stores] == [s.code for s in stores]
    assert config.speed == 2.0
    assert config.stores[0].enrolment_code == "CODE-123456" and config.stores[1].enrolment_code is None
    # The simulated store sees the same traffic model as the seed that wrote its history.
    moment = datetime(2026, 9, 8, 17, 30, tzinfo=UTC)
    for plan, simulated in zip(stores, config.stores, strict=True):
        local = moment.astimezone(ZoneInfo(plan.timezone))
        assert visitors_per_hour(simulated.profile, local) == visitors_per_hour(plan.traffic, local)


def test_real_agent_config_is_a_valid_agent_config(tmp_path: Path) -> None:
    store = demo_chain().store("LON-02")
    raw = real_agent_config(
        "http://127.0.0.1:8000",
        tmp_path / "token.json",
        tmp_path / "outbox.sqlite3",
        store,
        tmp_path / "clip.mp4",
        (0.55, 0.5, 0.85, 0.5, 0.7, 0.38),
    )
    path = tmp_path / "agent.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    config = load_agent_config(path)
    (camera,) = config.cameras
    assert camera.camera_id == store.entrances[0].camera_id and camera.loop
    assert camera.lines[0].line_id == store.entrances[0].line_id
    assert camera.lines[0].inside_y == 0.38
    assert not config.pull_config
