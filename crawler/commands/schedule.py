"""``scrapy schedule add|list|remove|run-due|serve``: a watch list of crawl targets.

``add NAME_OR_URL --every 1d`` watches a cluster (a URL, or an author name looked up through
ARROW_SEARCH_URL / ARROW_CLUSTER_URL); ``run-due`` crawls what is due, for cron or a systemd
timer, and exits 1 when a crawl failed, else 3 when one ended degraded; ``serve`` does so in
a loop. A lock keeps two scheduled runs from ever overlapping.
With REDIS_URL set, ``run-due`` queues the due targets for the distributed workers instead,
as one generation (``scrapy reconcile`` finishes it).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.cli import EXIT_DEGRADED, EXIT_FAILED, one_line_errors
from pipelines.store import MAX_INTERVAL_SECONDS, Store, parse_interval

if TYPE_CHECKING:
    import argparse

ACTIONS = ("add", "list", "remove", "run-due", "serve")
SCRAPY = (sys.executable, "-m", "scrapy")


def crawl_arguments(target: str) -> dict[str, str]:
    """The author_cluster spider's arguments for a watched target."""
    return {"url": target} if target.startswith(("http://", "https://")) else {"author": target}


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_LEVEL": "INFO"}  # noqa: RUF012 (Scrapy's own attribute)

    def syntax(self) -> str:
        return "add NAME_OR_URL --every 1d | list | remove NAME_OR_URL | run-due | serve"

    def short_desc(self) -> str:
        return "Watch crawl targets and crawl the ones that are due"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--every", help="interval for add: 30m, 6h, 1d, 2w")
        parser.add_argument(
            "--interval", type=float, default=60.0, help="serve: seconds between checks"
        )

    @one_line_errors("schedule")
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if not args or args[0] not in ACTIONS:
            msg = f"name an action: {', '.join(ACTIONS)}"
            raise UsageError(msg)
        assert self.settings is not None  # set by scrapy.cmdline before run()
        action = args[0]
        if action == "serve":
            if not 0 < opts.interval <= MAX_INTERVAL_SECONDS:
                msg = f"--interval {opts.interval:g}: seconds between checks, more than 0"
                raise UsageError(msg, print_help=False)
            self._serve(opts.interval, _forwarded(opts))
            return
        store = Store.from_settings(self.settings)
        if action == "add":
            self._add(store, args[1:], opts.every)
        elif action == "remove":
            self._remove(store, args[1:])
        elif action == "list":
            self._list(store)
        else:
            self._run_due(store, _forwarded(opts))

    def _add(self, store: Store, targets: list[str], every: str | None) -> None:
        if len(targets) != 1 or not every or not targets[0].strip():
            msg = "usage: scrapy schedule add NAME_OR_URL --every 1d"
            raise UsageError(msg)
        try:
            seconds = parse_interval(every)
        except ValueError as exc:
            raise UsageError(str(exc), print_help=False) from exc
        store.watch(targets[0], seconds)
        print(f"watching {targets[0]} every {every}")

    def _remove(self, store: Store, targets: list[str]) -> None:
        if len(targets) != 1:
            msg = "usage: scrapy schedule remove NAME_OR_URL"
            raise UsageError(msg)
        removed = store.unwatch(targets[0])
        print(f"no longer watching {targets[0]}" if removed else f"{targets[0]} was not watched")
        self.exitcode = 0 if removed else 1

    def _list(self, store: Store) -> None:
        for s in store.watched():
            due = f"{s.next_due_at:%Y-%m-%d %H:%M:%S}"
            print(f"{s.target}\tevery {s.every_seconds}s\tnext due {due}")

    def _run_due(self, store: Store, forwarded: list[str]) -> None:
        """Crawl each due target in turn, in a process of its own, holding the lock."""
        assert self.settings is not None
        lock_dir = Path(self.settings.get("SCHEDULE_LOCK_DIR") or ".")
        with store.schedule_lock(lock_dir) as locked:
            if not locked:
                print("another scheduled run holds the lock; nothing started")
                return
            due = store.claim_due()
            if not due:
                print("nothing due")
                return
            # Imported here: Scrapy imports every command module on each invocation.
            from crawler.distributed.addon import redis_url

            if redis_url(self.settings):
                self._queue_due(due)
                return
            ended: dict[int, list[str]] = {}
            for target in due:
                arguments = [f"-a{k}={v}" for k, v in crawl_arguments(target).items()]
                command = [*SCRAPY, "crawl", "author_cluster", *arguments, *forwarded]
                code = subprocess.run(command, check=False).returncode
                ended.setdefault(code, []).append(target)
            print(f"crawled {len(due)} due target(s): {', '.join(due)}")
            self.exitcode = scheduled_exit(ended)

    def _queue_due(self, due: list[str]) -> None:
        """Queue the due targets as one generation for the distributed workers."""
        from crawler.distributed.addon import connect
        from crawler.distributed.keys import Keys
        from crawler.distributed.targets import push_generation, target_nodes

        assert self.settings is not None
        nodes, failed = {}, []
        for target in due:
            try:
                nodes.update(target_nodes([target], self.settings))
            except ValueError as exc:
                failed.append(str(exc))
        if nodes:
            generation = push_generation(
                connect(self.settings),
                Keys.from_settings(self.settings),
                nodes,
                self.settings.getint("REDIS_LEDGER_TTL", 7 * 86400),
            )
            print(f"queued {len(nodes)} due targets as generation {generation}: {', '.join(nodes)}")
        if failed:
            print(f"failed: {'; '.join(failed)}")
            self.exitcode = 1

    def _serve(self, interval: float, forwarded: list[str]) -> None:
        """Run ``run-due`` in a fresh process every ``interval`` seconds until interrupted.

        Ctrl-C (SIGINT) and SIGTERM (``systemctl stop``) stop it, as they stop a crawl:
        even when started in the background by a shell, which leaves SIGINT ignored."""
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        try:
            while True:
                subprocess.run([*SCRAPY, "schedule", "run-due", *forwarded], check=False)
                time.sleep(interval)
        except KeyboardInterrupt:
            print("stopped")


def scheduled_exit(ended: dict[int, list[str]]) -> int:
    """The exit code of ``run-due`` from its crawls' (exit code -> targets), each named:
    1 when any failed, else 3 when any ended degraded (cron and CI notice), else 0."""
    degraded = ended.get(EXIT_DEGRADED, [])
    failed = [
        t for code, targets in ended.items() if code not in (0, EXIT_DEGRADED) for t in targets
    ]
    if degraded:
        print(f"degraded: {', '.join(degraded)} (scrapy health says why)")
    if failed:
        print(f"failed: {', '.join(failed)}")
        return EXIT_FAILED
    return EXIT_DEGRADED if degraded else 0


def _forwarded(opts: argparse.Namespace) -> list[str]:
    """The ``-s NAME=VALUE`` settings given to this command, for the crawls it starts."""
    return [arg for pair in opts.set for arg in ("-s", pair)]
