"""``scrapy savefixture URL [--name NAME]``: fetch a page politely and save it into
``fixtures/html/`` with its expected parse beside it, ready to become a test."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import scrapy
from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.cli import one_line_errors
from crawler.fixtures import write_expected
from crawler.politeness import is_web_url
from pipelines.text import slug

if TYPE_CHECKING:
    import argparse

    from scrapy.http import Response

FIXTURE_DIR = Path("fixtures/html")


def fixture_file(directory: Path, name: str) -> Path:
    """Where a fixture named ``name`` is saved: a slug of it (letters, digits, hyphens;
    "../../etc/x" is "etc-x"), with ``.html``, inside ``directory`` and nowhere else."""
    stem = slug(name.removesuffix(".html").removesuffix(".htm")) or "page"
    path = (directory / f"{stem}.html").resolve()
    if path.parent != directory.resolve():
        msg = f"--name {name!r} does not name a file in {directory}"
        raise UsageError(msg)
    return path


class SaveSpider(scrapy.Spider):
    """Fetches one URL and writes its body to ``out``."""

    name = "savefixture"
    # Saving a page stores nothing and is no crawl run: a run of it was recorded, judged
    # degraded (no cluster page read) and alerted on, every time it succeeded.
    custom_settings = {"ITEM_PIPELINES": {}, "STORE_ENABLED": False}  # noqa: RUF012 (Scrapy's)

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
        parser.add_argument(
            "--name", help="file name, made a slug, .html added (default: from the URL)"
        )
        parser.add_argument("--dir", default=str(FIXTURE_DIR), help="where fixtures live")

    @one_line_errors("savefixture")
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1 or not is_web_url(args[0]):
            msg = "name one http(s) URL"
            raise UsageError(msg)
        url = args[0]
        out = fixture_file(
            Path(opts.dir), opts.name or f"{urlparse(url).path} {urlparse(url).query}"
        )
        assert self.crawler_process is not None
        self.crawler_process.crawl(SaveSpider, url=url, out=str(out))
        self.crawler_process.start()
        if not out.is_file():
            print(f"{url}: nothing saved (see the log for why)")
            self.exitcode = 1
            return
        print(f"saved {out} and {write_expected(out)}")
