"""The command line: options -> Config -> api.check() -> reporter -> exit status. Thin.

Heavy modules (libcst, networkx, alembic) are imported inside the commands that need
them, so `--version` and `--help` stay fast.
"""

from __future__ import annotations

import os
import sys
import tempfile
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn, TypeVar

from analyzer._version import __version__

PROG = "alembic-analyzer"
EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
FORMATS = ("text", "json", "sarif", "github")
LEVEL_NAMES = ("error", "warning", "note")


def main(argv: Sequence[str] | None = None) -> int:
    """Console entry point."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["--version"]:  # answered before importing click: this must be instant
        print(f"{PROG} {__version__}")
        return EXIT_OK
    from analyzer.commands import cli

    try:
        status = cli.main(args=args, prog_name=PROG, standalone_mode=False)
    except UserError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    except Exception as error:  # noqa: BLE001 - the last line of defence: never a traceback
        return _internal_error(error, args)
    return status if isinstance(status, int) else EXIT_OK


class UserError(Exception):
    """A problem the user can fix (bad path, option or configuration): exit status 2."""


def _internal_error(error: Exception, args: list[str]) -> int:
    import click

    if isinstance(error, click.exceptions.Abort):
        print("Aborted.", file=sys.stderr)
        return EXIT_ERROR
    if isinstance(error, click.ClickException):
        error.show()
        return EXIT_ERROR
    if "--debug" in args:
        traceback.print_exc()
    else:
        print(
            f"{PROG}: internal error: {type(error).__name__}: {error}\n"
            f"Run again with --debug for the traceback, and please report it.",
            file=sys.stderr,
        )
    return EXIT_ERROR


def write_output(text: str, output: str | None) -> None:
    """Print, or write the file atomically (a temporary file renamed over the target)."""
    if output is None or output == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    target = Path(output)
    directory = target.parent if str(target.parent) else Path()
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except OSError as error:
        raise UserError(f"cannot write {output}: {error.strerror}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(temporary, target)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise UserError(f"cannot write {output}: {error.strerror}") from None


T = TypeVar("T")


def fail(message: str) -> NoReturn:
    raise UserError(message)


def guarded(function: Callable[[], T]) -> T:
    """Run `function`, turning the analyzer's own user-facing errors into `UserError`."""
    from analyzer.config import ConfigError
    from analyzer.discovery import DiscoveryError

    try:
        return function()
    except (ConfigError, DiscoveryError) as error:
        raise UserError(str(error)) from None
