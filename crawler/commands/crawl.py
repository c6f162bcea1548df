"""``scrapy crawl SPIDER``: Scrapy's own command, ending honestly.

Scrapy's crawl exits 0 whatever became of the run, and prints a traceback for a spider
argument it cannot use. Here a bad argument is one line and exit 2, and the command exits
with its run's status (``crawler.cli``): 0 finished, 1 failed, 3 degraded.
"""

from __future__ import annotations

import asyncio
import logging
from functools import partial
from typing import TYPE_CHECKING

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError
from twisted.internet.defer import Deferred

from crawler.cli import (
    EXIT_FAILED,
    EXIT_USAGE,
    USER_ERRORS,
    check_number_settings,
    exit_code,
    one_line_errors,
    say,
)
from crawler.spiders import SpiderArgumentError
from pipelines.runs import STATUS_STAT

if TYPE_CHECKING:
    import argparse

    from twisted.python.failure import Failure

logger = logging.getLogger(__name__)


class Command(ScrapyCrawl):
    @one_line_errors("crawl")
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        self._check(args)
        assert self.crawler_process is not None
        crawler = self._create_crawler(args[0])
        failures: list[BaseException] = []
        started = self.crawler_process.crawl(crawler, **opts.spargs)
        if isinstance(started, Deferred):  # Scrapy's Twisted-based process
            started.addErrback(partial(_keep_error, failures))
        elif isinstance(started, asyncio.Future):  # its asyncio-based one
            started.add_done_callback(partial(_keep_failure, failures))
        self.crawler_process.start()
        if failures:
            self._failed_to_start(args[0], failures[0])
            return
        stats = crawler.stats
        status = stats.get_value(STATUS_STAT) if stats is not None else None
        if status is None:  # no store: the crawl's own end decides
            reason = stats.get_value("finish_reason") if stats is not None else None
            status = "finished" if reason == "finished" else reason
        self.exitcode = exit_code(status)

    def _check(self, args: list[str]) -> None:
        """A UsageError unless ``args`` name one known spider and the settings' numbers are
        numbers."""
        assert self.crawler_process is not None
        if len(args) != 1:
            msg = "name one spider: replay or author_cluster"
            raise UsageError(msg, print_help=False)
        check_number_settings(self.settings)
        if args[0] not in self.crawler_process.spider_loader.list():
            msg = f"no spider {args[0]!r}: name replay or author_cluster"
            raise UsageError(msg, print_help=False)

    def _failed_to_start(self, spider: str, error: BaseException) -> None:
        logger.debug("the %s spider could not start", spider, exc_info=error)
        if isinstance(error, SpiderArgumentError):
            say("crawl", str(error))
            self.exitcode = EXIT_USAGE
            return
        if isinstance(error, USER_ERRORS):
            say("crawl", str(error))
        else:
            say("crawl", f"the {spider} spider could not start: {type(error).__name__}: {error}")
        self.exitcode = EXIT_FAILED


def _keep_failure(failures: list[BaseException], task: asyncio.Future[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        failures.append(task.exception())  # type: ignore[arg-type]


def _keep_error(failures: list[BaseException], failure: Failure) -> None:
    if failure.value is not None:
        failures.append(failure.value)
