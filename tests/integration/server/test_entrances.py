"""Entrances are listed by name for anyone who may read the store's traffic."""

from __future__ import annotations

from footfall.server.provisioning import World

from tests.integration.server.conftest import login


def test_a_store_manager_sees_their_entrances_by_name(app_client, world: World) -> None:
    headers = login(app_client, world, "store_manager")
    mine = app_client.get("/api/v1/auth/me", headers=headers).json()["store_ids"]
    answer = app_client.get(f"/api/v1/stores/{mine[0]}/entrances", headers=headers)
    assert answer.status_code == 200
    assert [e["name"] for e in answer.json()] == ["Main entrance"]
    others = [s.store_id for s in world.stores if s.store_id not in mine]
    assert others, "the demo world has a store outside the manager's scope"
    assert app_client.get(f"/api/v1/stores/{others[0]}/entrances", headers=headers).status_code == 404
