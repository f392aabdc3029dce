"""The command line: options -> Config -> api.check() -> reporter -> exit status. Thin.

Heavy modules (libcst, networkx, alembic) are imported inside the commands that need
them, so `--version` and `--help` stay fast.
"""

from __future__ import annotations

import contextlib
import gc
import io
import os
import sys
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
    _escape_unencodable_output()
    if args == ["--version"]:  # answered before importing click: this must be instant
        print(f"{PROG} {__version__}")
        return EXIT_OK
    # A run allocates many objects that live until it ends: collecting them as they
    # pile up only rescans them (a tenth of a run after an edit). Objects in cycles
    # are still collected, just less often.
    gc.set_threshold(100_000, 50, 100)
    from analyzer.commands import cli

    try:
        status = cli.main(args=args, prog_name=PROG, standalone_mode=False)
    except UserError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    except Exception as error:  # noqa: BLE001 - the last line of defence: never a traceback
        return _internal_error(error, args)
    return status if isinstance(status, int) else EXIT_OK


def run() -> NoReturn:
    """The console script and `python -m analyzer`: `main`, then exit without tearing the
    interpreter down. A run ends holding every file's facts, and freeing them object by
    object takes longer than a whole cached run (60 ms after an edit of a 1,000-revision
    tree); nothing of ours needs it: workers are stopped and files written whole."""
    status = main()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing more to say
            stream.flush()
    os._exit(status)


def _escape_unencodable_output() -> None:
    """Print what the terminal cannot encode as backslash escapes instead of failing half-way:
    lone surrogates come from undecodable file names and from `"\\ud800"` escapes in a
    revision id, and a Windows console may lack characters of a message."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")


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
    from analyzer.config import ConfigError
    from analyzer.discovery import DiscoveryError

    if isinstance(error, ConfigError | DiscoveryError):  # raised outside `guarded`
        print(f"{PROG}: error: {error}", file=sys.stderr)
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
    """Print, or write the file atomically (a temporary file renamed over the target).

    Only regular files are replaced: `/dev/null`, `/dev/stdout` or a FIFO are written to
    directly (renaming over `/dev/null` as root would turn it into a regular file), and
    a symlink keeps pointing at the file, which is replaced."""
    if output is None or output == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    target = Path(output)
    if target.exists() and not target.is_file():
        _write_in_place(text, target, output)
        return
    if target.is_symlink():
        target = target.resolve()
    from analyzer.atomic import replace_file

    try:
        replace_file(target, text)
    except OSError as error:
        raise UserError(f"cannot write {output}: {error.strerror}") from None


def _write_in_place(text: str, target: Path, output: str) -> None:
    try:
        with target.open("w", encoding="utf-8", errors="backslashreplace", newline="\n") as out:
            out.write(text)
    except OSError as error:
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
