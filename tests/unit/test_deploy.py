"""deploy/ stays consistent with the code: every command it runs exists, every file it names exists.

The compose file, the container files and the systemd unit are parsed, their ``footfall ...``
command lines are fed to the real CLI parser, and every setting they pass is checked
against the server's settings model, so renaming a command or a setting breaks this test
instead of a production deployment.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from pathlib import Path

import pytest
import yaml

from footfall.cli import UsageError, build_parser

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))


def _parses(argv: list[str]) -> None:
    assert argv[0] == "footfall", argv
    try:
        build_parser().parse_args(argv[1:])
    except UsageError as error:  # pragma: no cover - the failure message is the point
        pytest.fail(f"deploy/ runs a command the CLI does not have: {shlex.join(argv)} ({error})")


def test_compose_has_the_production_services(compose: dict) -> None:
    services = compose["services"]
    assert {"db", "migrate", "server", "dashboard", "proxy"} <= set(services)
    assert "timescaledb" in services["db"]["image"]
    assert services["migrate"]["restart"] == "no"
    assert services["server"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert "ports" not in services["db"], "the database must not be published"
    published = {str(p).split(":")[0] for s in services.values() for p in s.get("ports", [])}
    assert published == {"80", "443"}, "only the TLS proxy faces the network"


def test_every_compose_command_exists_in_the_cli(compose: dict) -> None:
    commands = [s["command"] for s in compose["services"].values() if s.get("command")]
    footfall_commands = [c for c in commands if c[0] == "footfall"]
    assert len(footfall_commands) >= 3
    for argv in footfall_commands:
        _parses(argv)
    assert ["footfall", "db", "migrate"] in footfall_commands


def test_container_and_unit_commands_exist_in_the_cli() -> None:
    for containerfile in (DEPLOY / "Containerfile", DEPLOY / "edge" / "Containerfile"):
        cmd = re.search(r"^CMD (\[.*\])$", containerfile.read_text(encoding="utf-8"), re.M)
        assert cmd, f"{containerfile} has no CMD"
        _parses(json.loads(cmd.group(1)))
    unit = (DEPLOY / "edge" / "footfall-edge.service").read_text(encoding="utf-8")
    exec_start = re.search(r"^ExecStart=(.*)$", unit, re.M)
    assert exec_start
    argv = shlex.split(exec_start.group(1))
    assert argv[0].endswith("/footfall")
    _parses(["footfall", *argv[1:]])


def test_files_named_by_the_deployment_exist(compose: dict) -> None:
    services = compose["services"]
    assert (
        DEPLOY / services["server"]["build"]["context"] / services["server"]["build"]["dockerfile"]
    ).is_file()
    for volume in services["proxy"]["volumes"]:
        source = volume.split(":")[0]
        if source.startswith("./"):
            assert (DEPLOY / source).exists(), source
    for name in (
        ".env.example",
        "server.env.example",
        "edge/footfall-edge.env.example",
        "backup.sh",
        "restore.sh",
        "UPGRADE.md",
        "SCALING.md",
        "README.md",
    ):
        assert (DEPLOY / name).is_file(), name
    for copied in re.findall(r"^COPY (?!--)(\S+)", (DEPLOY / "Containerfile").read_text(), re.M):
        assert (REPO / copied).exists(), f"Containerfile copies missing {copied}"


def test_required_variables_are_in_the_example_env(compose: dict) -> None:
    text = (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
    required = set(re.findall(r"\$\{(\w+):\?", text))
    example = _env_keys(DEPLOY / ".env.example")
    assert required, "compose should insist on its secrets"
    assert required <= example, f"missing from .env.example: {required - example}"


def test_server_env_example_names_real_settings() -> None:
    from footfall.server.settings import ServerSettings

    fields = {f"FOOTFALL_{name.upper()}" for name in ServerSettings.model_fields}
    keys = _env_keys(DEPLOY / "server.env.example")
    assert keys and keys <= fields, f"unknown settings: {keys - fields}"


def test_example_secrets_are_refused_by_the_server() -> None:
    from footfall.server.settings import ServerSettings
    from pydantic import ValidationError

    example = dict(
        line.split("=", 1)
        for line in (DEPLOY / ".env.example").read_text().splitlines()
        if "=" in line and not line.startswith("#")
    )
    assert example["FOOTFALL_SECRET_KEY"]
    # An operator who forgets to replace it must not get a running server.
    with pytest.raises(ValidationError):
        ServerSettings(secret_key=example["FOOTFALL_SECRET_KEY"], database_url="postgresql://x/y")


def test_scripts_are_valid_bash() -> None:
    for script in ("backup.sh", "restore.sh"):
        path = DEPLOY / script
        assert path.stat().st_mode & 0o111, f"{script} is not executable"
        subprocess.run(["bash", "-n", str(path)], check=True)


def test_commands_in_the_deployment_docs_exist() -> None:
    """Every ``footfall ...`` an operator is told to type in deploy/*.md parses in the real CLI."""
    found = 0
    for doc in sorted(DEPLOY.glob("*.md")):
        for line in doc.read_text(encoding="utf-8").splitlines():
            match = re.search(r"(?:^|[\s`(])(footfall (?:[a-z-]+)(?: [^`#|]*)?)", line)
            if not match or match.group(1).startswith("footfall demo"):
                continue
            command = match.group(1).split("#")[0].strip().rstrip("`).,")
            words = shlex.split(command.replace("\\", ""))
            if len(words) < 2 or words[1] not in {"db", "server", "dashboard", "edge", "users", "import"}:
                continue
            found += 1
            _parses(words)
    assert found >= 4


def test_the_example_agent_config_is_valid() -> None:
    from footfall.edge.config import load_agent_config

    config = load_agent_config(DEPLOY / "edge" / "agent.example.yaml")
    unit = (DEPLOY / "edge" / "footfall-edge.service").read_text(encoding="utf-8")
    state = re.search(r"^StateDirectory=(.*)$", unit, re.M).group(1)
    # The agent keeps its token and outbox where systemd gives it a writable folder.
    for path in (config.server.token_file, config.outbox.path):
        assert str(path).startswith(f"/var/lib/{state}/"), path


def _env_keys(path: Path) -> set[str]:
    return {
        line.split("=", 1)[0].strip()
        for line in path.read_text(encoding="utf-8").splitlines()
        if "=" in line and not line.lstrip().startswith("#")
    }
