"""``scrapy runs`` lists the crawl runs; ``scrapy runs diff RUN [RUN]`` shows, per cluster,
the papers added, removed and changed between two runs."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.cli import MAX_NUMBER, one_line_errors
from pipelines.store import Store

if TYPE_CHECKING:
    import argparse


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_LEVEL": "WARNING"}  # noqa: RUF012 (Scrapy's own attribute)

    def syntax(self) -> str:
        return "[diff RUN [RUN]]"

    def short_desc(self) -> str:
        return "List crawl runs, or show what changed between two runs"

    @one_line_errors("runs")
    def run(self, args: list[str], opts: argparse.Namespace) -> None:  # noqa: ARG002
        assert self.settings is not None  # set by scrapy.cmdline before run()
        numbers = _run_numbers(args)
        store = Store.from_settings(self.settings, create=False)
        unknown = [n for n in numbers if not store.run_exists(n)]
        if unknown:
            msg = f"no run {unknown[0]} in the store (scrapy runs lists them)"
            raise UsageError(msg)
        lines = _diff_lines(store, numbers) if args else _run_lines(store)
        sys.stdout.write("".join(f"{line}\n" for line in lines))


def _run_numbers(args: list[str]) -> list[int]:
    """The runs ``diff RUN [RUN]`` names (none: list the runs)."""
    if not args:
        return []
    if args[0] != "diff" or not 2 <= len(args) <= 3 or not all(a.isdigit() for a in args[1:]):
        msg = "usage: scrapy runs [diff RUN [RUN]]"
        raise UsageError(msg)
    numbers = [int(a) for a in args[1:]]
    if any(n > MAX_NUMBER for n in numbers):
        msg = f"no run {max(numbers)} in the store (scrapy runs lists them)"
        raise UsageError(msg)
    return numbers


def _run_lines(store: Store) -> list[str]:
    return [
        f"{run.id:>5}  {run.spider:<15} {run.status:<9} "
        f"{run.started_at:%Y-%m-%d %H:%M:%S}  {run.summary or ''}"
        for run in store.runs()
    ]


def _diff_lines(store: Store, numbers: list[int]) -> list[str]:
    old, new = (numbers[0], numbers[1]) if len(numbers) == 2 else (None, numbers[0])
    lines = []
    for diff in store.diff_runs(new, old):
        since = f"run {diff.old_run}" if diff.old_run else "nothing"
        lines.append(f"{diff.cluster} (run {new} against {since}):")
        lines += [f"  + {title}" for title in diff.added]
        lines += [f"  - {title}" for title in diff.removed]
        lines += [f"  ~ {title} ({', '.join(fields)})" for title, fields in diff.changed]
        if not (diff.added or diff.removed or diff.changed):
            lines.append("  no change")
    return lines
