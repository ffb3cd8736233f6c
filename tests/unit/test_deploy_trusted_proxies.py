"""deploy/ trusts exactly Caddy's and the dashboard's addresses for X-Forwarded-For, and only they have them."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import yaml
from footfall.server.settings import ServerSettings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def test_the_server_trusts_only_the_proxy_and_the_proxy_address_is_reserved() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    trusted = ServerSettings(
        demo=True, trusted_proxies=services["server"]["environment"]["FOOTFALL_TRUSTED_PROXIES"]
    ).trusted_proxies
    # Caddy, and the dashboard (it signs people in and passes their chain on).
    fixed = {
        name: ipaddress.ip_address(services[name]["networks"]["backend"]["ipv4_address"])
        for name in ("proxy", "dashboard")
    }
    assert sorted(str(n) for n in trusted) == sorted(f"{a}/32" for a in fixed.values())

    (pool,) = compose["networks"]["backend"]["ipam"]["config"]
    subnet, dynamic = ipaddress.ip_network(pool["subnet"]), ipaddress.ip_network(pool["ip_range"])
    assert dynamic.subnet_of(subnet)
    for address in fixed.values():
        # Docker hands out addresses from ip_range only: no other container can get these.
        assert address in subnet and address not in dynamic
    others = [s for name, s in services.items() if name not in fixed]
    assert all("ipv4_address" not in str(s.get("networks")) for s in others)
