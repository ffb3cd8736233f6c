"""Start child processes in order, stop them all on one event, leave nothing behind.

Children run in their own session (process group), so a Ctrl-C reaches only the parent,
which then stops them in reverse order: SIGTERM, a grace period, SIGKILL of the group.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field

from footfall.errors import FootfallError


@dataclass
class Child:
    name: str
    process: subprocess.Popen


@dataclass
class Supervisor:
    children: list[Child] = field(default_factory=list)

    def start(self, name: str, argv: Sequence[str], *, env: dict[str, str] | None = None) -> Child:
        process = subprocess.Popen(
            list(argv), env={**os.environ, **(env or {})}, start_new_session=True, stdin=subprocess.DEVNULL
        )
        child = Child(name, process)
        self.children.append(child)
        return child

    def wait_http(self, child: Child, url: str, *, timeout_s: float = 60.0) -> None:
        """Wait until ``url`` answers (any HTTP status), or fail if the child died or time ran out."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if child.process.poll() is not None:
                raise FootfallError(
                    f"{child.name} exited with code {child.process.returncode} while starting"
                )
            try:
                with urllib.request.urlopen(url, timeout=2):
                    return
            except urllib.error.HTTPError:
                return
            except (urllib.error.URLError, OSError):
                time.sleep(0.3)
        raise FootfallError(f"{child.name} did not answer on {url} within {timeout_s:.0f} s")

    def first_exited(self) -> Child | None:
        return next((c for c in self.children if c.process.poll() is not None), None)

    def stop_all(self, *, grace_s: float = 10.0) -> None:
        for child in reversed(self.children):
            _stop(child, grace_s)
        self.children.clear()


def _stop(child: Child, grace_s: float) -> None:
    process = child.process
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            print(f"footfall: {child.name} did not stop in {grace_s:.0f} s; killing it", file=sys.stderr)
    # Whatever the child started in its group goes too.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
