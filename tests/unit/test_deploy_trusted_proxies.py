"""deploy/ trusts exactly Caddy's address for X-Forwarded-For, and that address is really Caddy's."""

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
    proxy_address = ipaddress.ip_address(services["proxy"]["networks"]["backend"]["ipv4_address"])
    assert [str(n) for n in trusted] == [f"{proxy_address}/32"]

    (pool,) = compose["networks"]["backend"]["ipam"]["config"]
    subnet, dynamic = ipaddress.ip_network(pool["subnet"]), ipaddress.ip_network(pool["ip_range"])
    assert proxy_address in subnet and dynamic.subnet_of(subnet)
    # Docker hands out addresses from ip_range only: no other container can get the proxy's.
    assert proxy_address not in dynamic
    assert all("ipv4_address" not in str(s.get("networks")) for n, s in services.items() if n != "proxy")
