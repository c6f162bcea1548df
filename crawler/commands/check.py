"""``scrapy check``: Scrapy's own, without storing what the checked callbacks fetch.

The contracts (``crawler.contracts``) run the callbacks against ARROW_CHECK_URL (the local
stand-in by default); a check must not write into the user's store, nor make items.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.commands.check import Command as ScrapyCheck
from scrapy.exceptions import UsageError
from scrapy.settings import SETTINGS_PRIORITIES

if TYPE_CHECKING:
    import argparse

# The project's settings file says otherwise, at a priority command defaults do not reach.
# CONTRACT_CHECK: the spiders run their contracts' requests, not targets of their own.
CHECK_SETTINGS = {"STORE_ENABLED": False, "PAPER_ITEMS": False, "CONTRACT_CHECK": True}


class Command(ScrapyCheck):
    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        from scrapy.spiderloader import get_spider_loader

        known = get_spider_loader(self.settings).list()
        unknown = [a for a in args if a not in known]
        if unknown:  # a KeyError's traceback, before
            msg = f"no spider {unknown[0]!r}: name replay or author_cluster"
            raise UsageError(msg, print_help=False)
        for name, value in CHECK_SETTINGS.items():  # -s NAME=VALUE still wins
            if (self.settings.getpriority(name) or 0) < SETTINGS_PRIORITIES["cmdline"]:
                self.settings.set(name, value, priority="cmdline")
