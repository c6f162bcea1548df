"""``scrapy savefixture URL [--name NAME]``: fetch a page politely and save it into
``fixtures/html/`` with its expected parse beside it, ready to become a test."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import scrapy
from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.fixtures import write_expected
from pipelines.text import slug

if TYPE_CHECKING:
    import argparse

    from scrapy.http import Response

FIXTURE_DIR = Path("fixtures/html")


class SaveSpider(scrapy.Spider):
    """Fetches one URL and writes its body to ``out``."""

    name = "savefixture"
    custom_settings = {"ITEM_PIPELINES": {}}  # noqa: RUF012 (Scrapy's own attribute)

    def __init__(self, url: str, out: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.start_urls = [url]
        self.out = Path(out)
        host = urlparse(url).hostname
        self.allowed_domains = [host] if host else []

    def parse(self, response: Response, **_: Any) -> None:
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self.out.write_bytes(response.body)


class Command(ScrapyCommand):
    requires_project = True
    default_settings = {"LOG_LEVEL": "WARNING"}  # noqa: RUF012 (Scrapy's own attribute)

    def syntax(self) -> str:
        return "URL [--name NAME]"

    def short_desc(self) -> str:
        return "Save a fetched page into fixtures/html with its expected parse"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--name", help="file name (default: from the URL), .html added")
        parser.add_argument("--dir", default=str(FIXTURE_DIR), help="where fixtures live")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1 or not args[0].startswith(("http://", "https://")):
            msg = "name one http(s) URL"
            raise UsageError(msg)
        url = args[0]
        name = opts.name or slug(urlparse(url).path + " " + urlparse(url).query) or "page"
        out = Path(opts.dir) / (name if name.endswith((".html", ".htm")) else f"{name}.html")
        assert self.crawler_process is not None
        self.crawler_process.crawl(SaveSpider, url=url, out=str(out))
        self.crawler_process.start()
        if not out.is_file():
            print(f"{url}: nothing saved (see the log for why)")
            self.exitcode = 1
            return
        print(f"saved {out} and {write_expected(out)}")
