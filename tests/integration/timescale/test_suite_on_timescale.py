"""The server and KPI suites again, unchanged, against TimescaleDB: identical answers on both paths.

Each test below is the very function of the plain-PostgreSQL suite, collected a second time
here where ``pg_dsn`` is the TimescaleDB database (see this folder's conftest).
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from _pytest.fixtures import FixtureFunctionDefinition

#: Every test module of these suites runs here too, new ones included.
SUITES = ("tests.integration.server", "tests.integration.kpis")
#: Need two transactions in flight at once; the harness's PGlite is a single session, so on
#: it they would wait for each other forever (a real TimescaleDB server runs them).
NEEDS_CONCURRENT_SESSIONS = frozenset({"test_concurrent_redelivery_counts_each_event_once"})

pytestmark = pytest.mark.timescale

_TESTS = Path(__file__).resolve().parents[3]
_MODULES = sorted(
    f"{suite}.{path.stem}"
    for suite in SUITES
    for path in (_TESTS / suite.replace(".", "/")).glob("test_*.py")
)
for _suite in _MODULES:
    _module = importlib.import_module(_suite)
    _short = _suite.rsplit(".", 1)[1].removeprefix("test_")
    for _name, _value in vars(_module).items():
        if isinstance(_value, FixtureFunctionDefinition):  # a module's own fixtures come along
            if globals().get(_name, _value) is not _value:
                raise RuntimeError(
                    f"fixture {_name!r} of {_suite} has the name of another module's fixture; "
                    "rename one, or it would silently replace the other in the TimescaleDB run"
                )
            globals()[_name] = _value
        elif _name.startswith("test_") and callable(_value) and _name not in NEEDS_CONCURRENT_SESSIONS:
            globals()[f"test_{_short}__{_name.removeprefix('test_')}"] = _value
