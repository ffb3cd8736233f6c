"""``footfall import`` against the real database: same report, same all-or-nothing rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from footfall.cli import main
from tests.integration.kpis.conftest import Chain


def test_cli_import_applies_then_is_idempotent_then_rejects(
    chain: Chain, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "sales.csv"
    good.write_text(
        "store,timestamp,transaction_id,amount,currency,units\n"
        "S1,2026-03-10T10:00:00,T1,10.00,GBP,1\nS1,2026-03-10T11:00:00,T2,-4.00,GBP,1\n"
    )
    args = ["import", "sales", str(good), "--org", chain.world.org_id, "--database-url", chain.dsn]
    assert main(args) == 0
    assert "2 new" in capsys.readouterr().out
    assert main(args) == 0
    assert "0 new, 0 updated, 2 unchanged" in capsys.readouterr().out

    bad = tmp_path / "bad.csv"
    bad.write_text(
        "store,timestamp,transaction_id,amount,currency,units\nS1,2026-03-10T12:00,T3,5.00,EUR,1\n"
    )
    assert main(["import", "sales", str(bad), "--org", chain.world.org_id, "--database-url", chain.dsn]) == 1
    err = capsys.readouterr().err
    assert "rejected: row 1 currency" in err and "nothing was written" in err
    assert chain.count("sales_transactions") == 2
