"""``scrapy export TABLE -o FILE [--format NAME]``: stream a table out of the store.

The format follows ``--format`` or the file's extension (``pipelines.exporters``); ``-o -``
writes to stdout (JSON lines unless ``--format`` says otherwise), and a reader that stops
early (``| head``) ends it quietly. A file is written under a temporary name and renamed
into place, with the mode the umask gives (as Scrapy's ``-o`` does): an interrupted export
leaves no half file. On a terminal a progress line counts the rows.
"""

from __future__ import annotations

import os
import signal
import stat
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.cli import MAX_NUMBER, one_line_errors
from pipelines.store import FORMATS, TABLES, ExportError, Selection, Store, format_for_path

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Iterator

PROGRESS_EVERY = 0.25  # seconds between progress lines on a terminal


def output_format(path: str, requested: str | None) -> str:
    """The format asked for, else the one the file's extension names."""
    if requested:
        if requested not in FORMATS:
            msg = f"unknown format {requested!r}; choose one of {', '.join(FORMATS)}"
            raise UsageError(msg, print_help=False)
        return requested
    if path == "-":
        return "jsonl"
    found = format_for_path(path)
    if found is None:
        known = ", ".join(FORMATS)
        msg = f"cannot tell the format of {path!r} from its extension; pass --format ({known})"
        raise UsageError(msg, print_help=False)
    return found


def export_options(pairs: list[str]) -> dict[str, str]:
    """``--option NAME=VALUE`` pairs as a dict."""
    options = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            msg = f"--option takes NAME=VALUE, not {pair!r}"
            raise UsageError(msg, print_help=False)
        options[name.strip()] = value.strip()
    return options


MAX_YEAR = 9999  # the last year a date holds


def _check_years(years: tuple[tuple[str, int | None], ...]) -> None:
    for name, year in years:
        if year is not None and not 1 <= year <= MAX_YEAR:
            msg = f"{name} {year}: not a year"
            raise UsageError(msg, print_help=False)


def selection_of(opts: argparse.Namespace) -> Selection:
    """The rows the options select."""
    year_from = opts.year if opts.year is not None else opts.year_from
    year_to = opts.year if opts.year is not None else opts.year_to
    if opts.year is not None and (opts.year_from is not None or opts.year_to is not None):
        msg = "--year and --year-from/--year-to exclude each other"
        raise UsageError(msg, print_help=False)
    if opts.since is not None and not 0 <= opts.since <= MAX_NUMBER:
        msg = f"--since takes a run number, not {opts.since}"
        raise UsageError(msg, print_help=False)
    _check_years((("--year", opts.year), ("--year-from", year_from), ("--year-to", year_to)))
    return Selection(
        clusters=tuple(opts.cluster),
        venues=tuple(opts.venue),
        year_from=year_from,
        year_to=year_to,
        since=opts.since,
    )


class Progress:
    """Rows exported so far, on one rewritten line of stderr (a terminal only)."""

    def __init__(self, table: str, total: int | None) -> None:
        self.table, self.total = table, total
        self.shown = 0.0

    def __call__(self, rows: int, *, done: bool = False) -> None:
        now = time.monotonic()
        if not done and now - self.shown < PROGRESS_EVERY:
            return
        self.shown = now
        of = f"/{self.total:,}" if self.total else ""
        share = f" ({100 * rows // self.total}%)" if self.total else ""
        sys.stderr.write(f"\rexporting {self.table}: {rows:,}{of} rows{share}")
        if done:
            sys.stderr.write("\n")
        sys.stderr.flush()


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_LEVEL": "WARNING"}  # noqa: RUF012 (Scrapy's own attribute)

    def syntax(self) -> str:
        return "TABLE -o FILE [--format FORMAT] [--option NAME=VALUE]"

    def short_desc(self) -> str:
        return f"Export a table of the store ({', '.join(TABLES)})"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("-o", "--output", metavar="FILE", help="output file, - for stdout")
        parser.add_argument("--format", help=f"one of {', '.join(FORMATS)} (default: from -o)")
        parser.add_argument(
            "--option",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="a format option, e.g. csv_formulas=true (README, Formats)",
        )
        parser.add_argument(
            "--cluster", action="append", default=[], metavar="NAME", help="repeatable"
        )
        parser.add_argument(
            "--venue", action="append", default=[], help="acronym, name or alias; repeatable"
        )
        parser.add_argument("--year", type=int, help="papers of this year")
        parser.add_argument("--year-from", type=int, metavar="YEAR")
        parser.add_argument("--year-to", type=int, metavar="YEAR")
        parser.add_argument(
            "--since",
            type=int,
            metavar="RUN",
            help="only rows added or changed by runs after RUN (an incremental sync)",
        )

    # Size: each command-line mistake gets its own one-line message and exit code.
    @one_line_errors("export")
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        table, fmt = _table_and_format(args, opts)
        options, selection = export_options(opts.option), selection_of(opts)
        assert self.settings is not None  # set by scrapy.cmdline before run()
        store = Store.from_settings(self.settings, create=False)
        if selection.since and not store.run_exists(selection.since):
            msg = f"--since {selection.since}: no such run (scrapy runs lists them)"
            raise UsageError(msg, print_help=False)
        target = None if opts.output == "-" else _writable(Path(opts.output))
        show = sys.stderr.isatty() and (target is not None or not sys.stdout.isatty())
        total = store.count(table) if show and selection == Selection() else None
        progress = Progress(table, total) if show else None

        def export(out: IO[bytes]) -> int:
            return store.export(
                table, fmt, out, selection=selection, options=options, progress=progress
            )

        try:
            if target is None:
                export(sys.stdout.buffer)
                sys.stdout.flush()
            else:
                _write_atomically(target, export)
        except ExportError as exc:
            raise UsageError(str(exc), print_help=False) from exc


def _table_and_format(args: list[str], opts: argparse.Namespace) -> tuple[str, str]:
    """The one table named, and the format of ``-o``."""
    if len(args) != 1 or args[0] not in TABLES:
        msg = f"name one table: {', '.join(TABLES)}"
        raise UsageError(msg)
    if not opts.output:
        msg = "-o FILE (or -o - for stdout) is required"
        raise UsageError(msg)
    return args[0], output_format(opts.output, opts.format)


def _writable(path: Path) -> Path:
    """``path`` if an export can be written there; a one-line error why not."""
    if path.is_dir():
        msg = f"-o {path}: is a directory; name a file"
        raise OSError(msg)
    if not path.parent.is_dir():
        msg = f"-o {path}: the directory {path.parent} does not exist"
        raise OSError(msg)
    return path


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _write_atomically(path: Path, write: Callable[[IO[bytes]], int]) -> None:
    """Write through a temporary file renamed into place: no half-written export. The file
    gets the mode a newly created file gets (0666 less the umask), as with Scrapy's ``-o``.

    What is not a regular file is written to as it is: a device, a pipe or a socket
    (``-o /dev/stdout``, a FIFO) cannot be replaced, and must not be. A symbolic link keeps
    pointing where it did: the file it names is replaced."""
    try:
        mode = path.stat().st_mode  # through a link
    except FileNotFoundError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        with path.open("wb") as out:
            write(out)
        return
    if path.is_symlink():
        path = path.resolve()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with _terminated_as_exit(), os.fdopen(fd, "wb") as out:
            write(out)
        Path(tmp).chmod(0o666 & ~_umask())
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def _terminated_as_exit() -> Iterator[None]:
    """SIGTERM (a service stopped, ``timeout``) ends the command as an exception does, so
    that the temporary file goes; as Ctrl-C does."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
