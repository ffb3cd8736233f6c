"""Property-based fuzzing of every API operation from its own OpenAPI schema (schemathesis).

Schemathesis turns each operation's schema into a hypothesis strategy; every generated
request goes through the real app and database, signed in as an hq_admin (the widest human
scope) or, for the device routes, with a device token. Half of the generated path ids are
swapped for real ones, so the fuzzing also reaches the code behind the scope check. The one
property: the server never answers 5xx (an unhandled exception is a 500).

Bounded: ``EXAMPLES`` cases per operation (~2,000 requests in all, well under two minutes).
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.security.conftest import Orgs
from tests.integration.security.test_access_matrix import DEVICE_ONLY

EXAMPLES = 60
#: Signing out would end the fuzzing session's own token; it is covered by the access matrix.
SKIPPED = {("POST", "/api/v1/auth/logout")}


def _schema() -> Any:
    """The schema as the app publishes it (built without a database: no pool opens until start-up)."""
    from footfall.server.app import create_app
    from footfall.server.settings import ServerSettings

    app = create_app(ServerSettings(demo=True, database_url="postgresql://fuzz.invalid/none"))
    return schemathesis.openapi.from_dict(app.openapi())


SCHEMA = _schema()
OPERATIONS = {
    (op.method.upper(), op.path): op
    for op in (result.ok() for result in SCHEMA.get_all_operations())
    if (op.method.upper(), op.path) not in SKIPPED
}


def _real_ids(orgs: Orgs) -> dict[str, str]:
    store = orgs.a.stores[0]
    return {
        "store_id": store.store_id,
        "camera_id": store.camera_id,
        "device_id": orgs.a.stores[1].device_id,  # revoking it harms no other test module
        "customer_id": "A-FUZZ-1",
    }


@pytest.mark.parametrize(("method", "path"), sorted(OPERATIONS), ids=lambda v: str(v))
def test_no_generated_request_gets_a_5xx(app_client, orgs: Orgs, method: str, path: str) -> None:
    operation = OPERATIONS[(method, path)]
    is_device = (method, path) in DEVICE_ONLY
    headers = (
        {"Authorization": f"Bearer {orgs.a.stores[0].device_token}"}
        if is_device
        else orgs.headers["hq_admin"]
    )
    real = _real_ids(orgs)
    # Same app and pool, but an unhandled exception surfaces here with its traceback.
    client = TestClient(app_client.app, raise_server_exceptions=True)

    @given(case=operation.as_strategy(), use_real=st.booleans())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def fuzz(case: Any, use_real: bool) -> None:
        if use_real and case.path_parameters:
            for name in case.path_parameters:
                if name in real:
                    case.path_parameters[name] = real[name]
        kwargs = case.as_transport_kwargs(headers=headers)
        kwargs.pop("cookies", None)
        if kwargs.get("files"):  # multipart parts generated as numbers: send them as their text
            kwargs["files"] = [
                (name, (filename, value if isinstance(value, (bytes, str)) else str(value)))
                for name, (filename, value, *_) in kwargs["files"]
            ]
        answer = client.request(**kwargs)
        assert answer.status_code < 500, f"{answer.status_code} {kwargs!r:.600} -> {answer.text[:200]}"

    fuzz()
