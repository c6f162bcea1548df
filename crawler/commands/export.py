"""``scrapy export TABLE -o FILE [--format jsonl|csv]``: stream a table out of the store."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import IO, TYPE_CHECKING

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from pipelines.store import FORMATS, TABLES, Store, format_for_path

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable


def output_format(path: str, requested: str | None) -> str:
    """The format asked for, else the one the file's extension names."""
    if requested:
        if requested not in FORMATS:
            msg = f"unknown format {requested!r}; choose one of {', '.join(sorted(FORMATS))}"
            raise UsageError(msg, print_help=False)
        return requested
    if path == "-":
        return "jsonl"
    found = format_for_path(path)
    if found is None:
        msg = f"cannot tell the format of {path!r} from its extension; pass --format"
        raise UsageError(msg, print_help=False)
    return found


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_LEVEL": "WARNING"}  # noqa: RUF012 (Scrapy's own attribute)

    def syntax(self) -> str:
        return "TABLE -o FILE [--format FORMAT]"

    def short_desc(self) -> str:
        return f"Export a table of the store ({', '.join(TABLES)}) as JSON lines or CSV"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("-o", "--output", metavar="FILE", help="output file, - for stdout")
        parser.add_argument("--format", choices=sorted(FORMATS), help="default: from extension")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1 or args[0] not in TABLES:
            msg = f"name one table: {', '.join(TABLES)}"
            raise UsageError(msg)
        if not opts.output:
            msg = "-o FILE (or -o - for stdout) is required"
            raise UsageError(msg)
        fmt = output_format(opts.output, opts.format)
        assert self.settings is not None  # set by scrapy.cmdline before run()
        store = Store.from_settings(self.settings, create=False)
        if opts.output == "-":
            store.export(args[0], fmt, sys.stdout.buffer)
            return
        _write_atomically(Path(opts.output), lambda out: store.export(args[0], fmt, out))


def _write_atomically(path: Path, write: Callable[[IO[bytes]], int]) -> None:
    """Write through a temporary file renamed into place: no half-written export."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            write(out)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
