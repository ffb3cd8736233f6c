"""The CLI: --help everywhere, one-line errors with exit code 2 on bad usage."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

from footfall.cli import build_parser, main


def _all_command_paths(
    parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()
) -> list[tuple[str, ...]]:
    paths = [prefix]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                paths.extend(_all_command_paths(child, (*prefix, name)))
    return paths


COMMANDS = _all_command_paths(build_parser())


def test_required_commands_exist() -> None:
    for path in [("demo",), ("server", "run"), ("db", "migrate"), ("dashboard", "run"), ("edge",)]:
        assert path in COMMANDS, path


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "footfall")
def test_every_command_has_help(path: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([*path, "--help"])
    assert exit_info.value.code == 0
    assert "usage: footfall" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["demo", "--no-such-flag"], "unrecognized arguments"),
        (["server", "run", "--port", "eighty"], "invalid int value"),
        (["nonsense"], "invalid choice"),
        ([], "required"),
        (["edge"], "required"),
    ],
)
def test_bad_usage_exits_2_with_one_line(
    argv: list[str], fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert fragment in err
    assert "--help" in err


def test_console_script_runs_as_module() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "footfall", "--version"], capture_output=True, text=True, check=True
    )
    assert result.stdout.startswith("footfall ")


def test_config_error_is_one_line_and_exit_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    monkeypatch.setenv("FOOTFALL_SECRET_KEY", "changeme")
    assert main(["server", "run", "--port", "8999"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "FOOTFALL_SECRET_KEY" in err
