"""``scrapy reconcile [GENERATION...]``: finish pushed generations of a distributed crawl.

Waits until no worker holds work, checks every page of each generation against the store,
queues the missing ones again and repeats, until nothing is missing; only then is a
generation finished (and its records and duplicate filter dropped). A generation whose
records expired is reported unknown (exit 1) and forgotten. ``--timeout`` bounds the whole
command's waiting, so that a cron entry never outlasts its interval. ``--list`` shows the
generations not yet reconciled.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from pipelines.store import Store

if TYPE_CHECKING:
    from redis import Redis
    from scrapy.settings import BaseSettings


def _seconds(text: str) -> float:
    """A number of seconds, zero or more (argparse's type: a bad one is a usage error)."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0 or value == float("inf"):
        msg = f"not a number of seconds: {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return value


def add_reconcile_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--settle",
        type=_seconds,
        default=None,
        help="seconds the crawl must stay quiet before a check (default: REDIS_SETTLE_SECONDS)",
    )
    parser.add_argument(
        "--timeout",
        type=_seconds,
        default=3600.0,
        help="seconds the rounds may wait for quiet in all (under a cron interval: less than it)",
    )
    parser.add_argument(
        "--rounds", type=int, default=5, help="checks (each re-queueing what is missing) at most"
    )


# Size: each outcome of a reconciliation (finished, unknown, not quiet, timed out) has
# its own line and exit code.
def run_reconcile(
    settings: BaseSettings, server: Redis, generations: list[str], opts: argparse.Namespace
) -> int:
    """Reconcile ``generations``; the exit code: 0 finished, 1 pages still missing or a
    generation unknown (its records gone), 2 the crawl never became quiet."""
    from crawler.distributed.keys import Keys
    from crawler.distributed.reconcile import reconcile

    keys = Keys.from_settings(settings)
    settle = opts.settle
    if settle is None:
        try:
            settle = _seconds(str(settings.get("REDIS_SETTLE_SECONDS", 2.0)))
        except argparse.ArgumentTypeError as exc:
            raise UsageError(f"REDIS_SETTLE_SECONDS: {exc}") from None
    store = Store.from_settings(settings)
    try:
        checks = reconcile(
            server,
            keys,
            store.stored_fetches,
            generations,
            settle=settle,
            timeout=opts.timeout,
            rounds=opts.rounds,
        )
    except TimeoutError as exc:
        print(f"not finished: {exc}")
        return 2
    unfinished = [c for c in checks if not c.finished]
    for check in unfinished:
        if check.unknown:
            print(f"{check} (now forgotten)")
            continue
        print(f"generation {check.generation}: still missing after {opts.rounds} rounds:")
        for pushed in check.missing[:20]:
            print(f"  {pushed.node.url} (target {pushed.push.target})")
    if not unfinished:
        print(f"finished: {', '.join(generations) or 'no open generation'}")
    return 1 if unfinished else 0


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_LEVEL": "WARNING"}  # noqa: RUF012 (Scrapy's own attribute)

    def syntax(self) -> str:
        return "[GENERATION...] [--list]"

    def short_desc(self) -> str:
        return "Finish pushed generations: re-queue every page the store misses until none is"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--list", action="store_true", help="list open generations")
        add_reconcile_options(parser)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        # Imported here: Scrapy imports every command module on each invocation.
        from crawler.distributed.addon import connect
        from crawler.distributed.keys import Keys
        from crawler.distributed.reconcile import open_generations

        assert self.settings is not None  # set by scrapy.cmdline before run()
        try:
            server = connect(self.settings)
        except ValueError as exc:
            raise UsageError(str(exc), print_help=False) from exc
        keys = Keys.from_settings(self.settings)
        known = open_generations(server, keys)
        if opts.list:
            for generation in known:
                pushed = server.zscore(keys.generations, generation) or 0.0
                targets = server.hlen(keys.ledger(generation))
                held = f"{targets} targets" if targets else "unknown: its records are gone"
                print(
                    f"{generation}\t{datetime.fromtimestamp(pushed, UTC):%Y-%m-%d %H:%M:%S}\t{held}"
                )
            return
        unknown = sorted(set(args) - set(known))
        if unknown:
            msg = f"not an open generation: {', '.join(unknown)}"
            raise UsageError(msg, print_help=False)
        self.exitcode = run_reconcile(self.settings, server, args or known, opts)
