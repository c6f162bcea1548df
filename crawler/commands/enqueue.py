"""``scrapy enqueue TARGET... [--file FILE] [--wait]``: push targets to the distributed workers.

Targets are cluster URLs or author names, as for ``-a url=`` / ``-a name=``; they are pushed
together as one generation, which the workers (``scrapy crawl author_cluster`` with REDIS_URL
and no target) take from Redis. ``--wait`` then reconciles the generation, as ``scrapy
reconcile`` does: the command returns once every page is in the store.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.cli import one_line_errors
from crawler.commands.reconcile import add_reconcile_options, run_reconcile

if TYPE_CHECKING:
    import argparse


def read_targets(path: Path) -> list[str]:
    """One target per line; blank lines and ``#`` comments skipped."""
    lines = path.read_text("utf-8").splitlines()
    return [t.strip() for t in lines if t.strip() and not t.lstrip().startswith("#")]


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_LEVEL": "WARNING"}  # noqa: RUF012 (Scrapy's own attribute)

    def syntax(self) -> str:
        return "TARGET... [--file FILE] [--wait]"

    def short_desc(self) -> str:
        return "Push cluster URLs or author names to the distributed workers"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("-f", "--file", type=Path, help="targets, one per line")
        parser.add_argument(
            "--wait", action="store_true", help="reconcile the generation before returning"
        )
        add_reconcile_options(parser)

    @one_line_errors("enqueue")
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        # Imported here: Scrapy imports every command module on each invocation.
        from crawler.distributed.addon import connect
        from crawler.distributed.keys import Keys
        from crawler.distributed.targets import push_generation, target_nodes

        assert self.settings is not None  # set by scrapy.cmdline before run()
        targets = [*args, *(read_targets(opts.file) if opts.file else [])]
        if not targets:
            msg = "name at least one target (a cluster URL or an author name) or --file"
            raise UsageError(msg)
        try:
            server = connect(self.settings)
            nodes = target_nodes(targets, self.settings)
        except ValueError as exc:
            raise UsageError(str(exc), print_help=False) from exc
        generation = push_generation(
            server,
            Keys.from_settings(self.settings),
            nodes,
            self.settings.getint("REDIS_LEDGER_TTL", 7 * 86400),
        )
        print(f"queued {len(nodes)} targets as generation {generation}")
        if opts.wait:
            self.exitcode = run_reconcile(self.settings, server, [generation], opts)
