"""The client address behind trusted proxies: believed only from a trusted peer, rightmost untrusted hop."""

from __future__ import annotations

import pytest
from footfall.server.client_address import UNKNOWN, parse_networks, resolve_client
from footfall.server.settings import ServerSettings
from pydantic import ValidationError

CADDY_NET = parse_networks(["172.18.0.0/16"])


def test_nobody_is_trusted_by_default() -> None:
    assert ServerSettings(demo=True).trusted_proxies == ()
    assert resolve_client("172.18.0.5", ["203.0.113.9"], ()) == "172.18.0.5"


def test_a_spoofed_header_from_an_untrusted_peer_is_ignored() -> None:
    assert resolve_client("198.51.100.7", ["10.9.9.9"], CADDY_NET) == "198.51.100.7"
    assert resolve_client("198.51.100.7", ["172.18.0.5, 10.9.9.9"], CADDY_NET) == "198.51.100.7"


def test_a_trusted_proxy_names_the_client() -> None:
    assert resolve_client("172.18.0.5", ["203.0.113.9"], CADDY_NET) == "203.0.113.9"


def test_the_rightmost_untrusted_hop_wins_over_what_the_client_wrote() -> None:
    # The client sent "X-Forwarded-For: 1.1.1.1" hoping to pass as someone else; Caddy appended
    # the real address, and a second trusted proxy appended Caddy's.
    chain = ["1.1.1.1, 203.0.113.9, 172.18.0.9"]
    assert resolve_client("172.18.0.5", chain, CADDY_NET) == "203.0.113.9"
    # Repeated headers are one list, in order.
    assert resolve_client("172.18.0.5", ["1.1.1.1", "203.0.113.9"], CADDY_NET) == "203.0.113.9"


def test_an_unreadable_hop_stops_at_the_last_trusted_address() -> None:
    assert resolve_client("172.18.0.5", ["203.0.113.9, not-an-ip"], CADDY_NET) == "172.18.0.5"
    assert resolve_client("172.18.0.5", ["junk, 172.18.0.9"], CADDY_NET) == "172.18.0.9"


def test_only_trusted_hops_name_the_leftmost_and_no_header_names_the_peer() -> None:
    assert resolve_client("172.18.0.5", ["172.18.0.9"], CADDY_NET) == "172.18.0.9"
    assert resolve_client("172.18.0.5", [], CADDY_NET) == "172.18.0.5"
    assert resolve_client(None, ["203.0.113.9"], CADDY_NET) == UNKNOWN


def test_ipv6_and_mapped_ipv4_peers() -> None:
    trusted = parse_networks(["fd00::/8", "172.18.0.0/16"])
    assert resolve_client("fd00::2", ["2001:db8::1"], trusted) == "2001:db8::1"
    assert resolve_client("::ffff:172.18.0.5", ["203.0.113.9"], trusted) == "203.0.113.9"
    assert resolve_client("testclient", ["203.0.113.9"], trusted) == "testclient"


def test_settings_read_a_comma_separated_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOOTFALL_TRUSTED_PROXIES", "172.18.0.0/16, 10.0.0.7 ,fd00::/8")
    networks = [str(n) for n in ServerSettings(demo=True).trusted_proxies]
    assert networks == ["172.18.0.0/16", "10.0.0.7/32", "fd00::/8"]


@pytest.mark.parametrize("bad", ["10.0.0.1/8", "10.0.0/8", "172.18.0.0/33", "caddy", "*"])
def test_settings_refuse_a_bad_network_with_a_clear_error(monkeypatch: pytest.MonkeyPatch, bad: str) -> None:
    monkeypatch.setenv("FOOTFALL_TRUSTED_PROXIES", f"172.18.0.0/16,{bad}")
    with pytest.raises(ValidationError) as error:
        ServerSettings(demo=True)
    message = str(error.value)
    assert "FOOTFALL_TRUSTED_PROXIES" in message and repr(bad) in message and "CIDR" in message


def test_the_deployed_chain_browser_caddy_dashboard_server() -> None:
    """deploy/: Caddy (.2) appends the browser; the dashboard (.3) appends Caddy on sign-in."""
    trusted = parse_networks(["172.31.240.2", "172.31.240.3"])
    chain = ["1.1.1.1, 203.0.113.9, 172.31.240.2"]  # the browser wrote 1.1.1.1 itself
    assert resolve_client("172.31.240.3", chain, trusted) == "203.0.113.9"
    # Someone on the network calling the dashboard directly is named by the dashboard's peer hop.
    assert resolve_client("172.31.240.3", ["203.0.113.9, 172.31.240.77"], trusted) == "172.31.240.77"
