"""``scrapy check``: Scrapy's own, without storing what the checked callbacks fetch.

The contracts (``crawler.contracts``) run the callbacks against ARROW_CHECK_URL (the local
stand-in by default); a check must not write into the user's store, nor make items.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.commands.check import Command as ScrapyCheck
from scrapy.exceptions import UsageError
from scrapy.settings import SETTINGS_PRIORITIES

from crawler.cli import one_line_errors

if TYPE_CHECKING:
    import argparse

# The project's settings file says otherwise, at a priority command defaults do not reach.
CHECK_SETTINGS = {"STORE_ENABLED": False, "PAPER_ITEMS": False}


class Command(ScrapyCheck):
    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        for name, value in CHECK_SETTINGS.items():  # -s NAME=VALUE still wins
            if (self.settings.getpriority(name) or 0) < SETTINGS_PRIORITIES["cmdline"]:
                self.settings.set(name, value, priority="cmdline")

    @one_line_errors("check")
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.crawler_process is not None
        unknown = [a for a in args if a not in self.crawler_process.spider_loader.list()]
        if unknown:
            msg = f"no spider {unknown[0]!r}: name replay or author_cluster"
            raise UsageError(msg, print_help=False)
        super().run(args, opts)
