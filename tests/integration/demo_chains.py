"""A three-store slice of the demo chain (two London stores, one in New York) for seed tests."""

from __future__ import annotations

from dataclasses import replace

from footfall.server.seed import DemoChain, demo_chain

CODES = frozenset({"LON-01", "LON-02", "NYC-03"})


def three_store_chain(org_name: str) -> DemoChain:
    """The demo chain cut to :data:`CODES`, its users' stores cut alike, and 200 members."""
    chain = demo_chain()
    stores = tuple(s for s in chain.stores if s.code in CODES)
    users = tuple(replace(u, store_codes=tuple(c for c in u.store_codes if c in CODES)) for u in chain.users)
    return replace(chain, org_name=org_name, stores=stores, users=users, customers=200)
