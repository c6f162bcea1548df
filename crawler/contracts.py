"""Spider contracts for ``scrapy check``, against a site given by a setting.

Scrapy's ``@url`` names a fixed URL; these take a path on the site under check,
ARROW_CHECK_URL (default: the local stand-in, ``python -m crawler.standin --port 8765``),
so that ``scrapy check author_cluster`` tests the callbacks against it:

- ``@site PATH``: the sample request goes to PATH on that site;
- ``@papers MIN [MAX]``: the callback yields one page record with MIN to MAX clean papers.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

from scrapy.contracts import Contract
from scrapy.exceptions import ContractFail

from pipelines.model import PageRecord

DEFAULT_CHECK_URL = "http://127.0.0.1:8765"


class SiteContract(Contract):
    """``@site PATH``: the sample URL, PATH on ARROW_CHECK_URL."""

    name = "site"

    def adjust_request_args(self, args: dict[str, Any]) -> dict[str, Any]:
        spider = getattr(args.get("callback"), "__self__", None)
        settings = getattr(spider, "settings", None)
        base = (settings.get("ARROW_CHECK_URL") if settings is not None else None) or (
            DEFAULT_CHECK_URL
        )
        args["url"] = urljoin(base.rstrip("/") + "/", self.args[0].lstrip("/"))
        return args


class PapersContract(Contract):
    """``@papers MIN [MAX]``: one page record, with MIN to MAX clean papers."""

    name = "papers"

    def post_process(self, output: list[Any]) -> None:
        records = [o for o in output if isinstance(o, PageRecord)]
        if len(records) != 1:
            msg = f"expected one page record, got {len(records)}"
            raise ContractFail(msg)
        (record,) = records
        if record.page is None:
            msg = f"the page was refused: {record.error}"
            raise ContractFail(msg)
        low = int(self.args[0])
        high = int(self.args[1]) if len(self.args) > 1 else low
        papers = len(record.page.papers)
        if not low <= papers <= high:
            msg = f"{papers} papers, expected {low}..{high}"
            raise ContractFail(msg)
