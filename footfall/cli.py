"""The ``footfall`` command: one entry point, one sub-command tree per part.

Each part contributes ``register(subparsers)`` from its own ``cli`` module. Registering
must stay cheap and import nothing heavy: ultralytics, psycopg or dash are imported only
inside the handler that needs them, so ``footfall --help`` is instant and an edge device
without the server extra can still run ``footfall edge ...``.

Exit codes: 0 success, 1 a :class:`~footfall.errors.FootfallError` (one line on stderr),
2 bad usage (one line on stderr), 130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from footfall import __version__
from footfall.errors import FootfallError

Handler = Callable[[argparse.Namespace], int | None]

#: Modules that contribute sub-commands; each has ``register(subparsers)``.
_PART_CLIS = (
    "footfall.edge.cli",
    "footfall.server.cli",
    "footfall.dashboard.cli",
    "footfall.demo_cli",
)


class UsageError(FootfallError):
    """The command line itself is wrong."""


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line that says how to get help."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message} (see '{self.prog} --help')")


def build_parser() -> Parser:
    parser = Parser(
        prog="footfall",
        description="Footfall: people counting at the store entrance, analytics at headquarters.",
    )
    parser.add_argument("--version", action="version", version=f"footfall {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output (repeatable)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    subparsers.required = True
    for module_name in _PART_CLIS:
        importlib.import_module(module_name).register(subparsers)
    return parser


def _configure_logging(verbosity: int) -> None:
    import logging

    level = logging.WARNING if verbosity == 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except UsageError as error:
        print(error, file=sys.stderr)
        return 2
    _configure_logging(args.verbose)
    handler: Handler = args.handler
    try:
        return int(handler(args) or 0)
    except UsageError as error:
        print(error, file=sys.stderr)
        return 2
    except FootfallError as error:
        print(f"footfall: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("footfall: interrupted", file=sys.stderr)
        return 130


def add_command(
    subparsers: argparse._SubParsersAction, name: str, handler: Handler, help_text: str
) -> argparse.ArgumentParser:
    """Add one leaf command whose handler is called with the parsed namespace."""
    parser = subparsers.add_parser(name, help=help_text, description=help_text)
    parser.set_defaults(handler=handler)
    return parser


def add_group(
    subparsers: argparse._SubParsersAction, name: str, help_text: str
) -> argparse._SubParsersAction:
    """Add a command that only holds sub-commands (``footfall edge ...``)."""
    parser = subparsers.add_parser(name, help=help_text, description=help_text)
    children = parser.add_subparsers(dest=f"{name}_command", metavar="COMMAND", parser_class=Parser)
    children.required = True
    return children


def lazy(module: str, function: str) -> Handler:
    """A handler that imports its module only when the command actually runs."""

    def run(args: argparse.Namespace) -> int | None:
        try:
            target = importlib.import_module(module)
        except ModuleNotFoundError as error:
            extra = module.split(".")[1] if module.count(".") >= 1 else "all"
            raise FootfallError(
                f"this command needs the '{error.name}' package; install it with pip install 'footfall[{extra}]'"
            ) from error
        return getattr(target, function)(args)

    return run


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
