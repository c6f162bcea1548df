"""Crawls measured end to end: the live spider against the local stand-in, with the store
off and on, and the replay command on saved pages. Each crawl is a ``scrapy crawl``
process of its own; its rate is read from the crawl's own stats (first response to close,
so process start-up is left out, and the store's last flush is counted in).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals

from bench.generate import write_pages
from bench.memory import peak_rss
from crawler.standin import Faults, Site, StandIn

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

ROOT = Path(__file__).resolve().parents[1]
# The second pair of crawls runs against a site that answers at this share of the pace the
# loopback crawl (store off) reached: the site, not the CPU, then sets the pace, as a real
# site does; a store that held up the reactor would make the crawl fall behind it.
SITE_PACE = 0.5
PACED = "paced site"
# No politeness delays against a stand-in on loopback: the crawler's own speed is measured.
FAST = {
    "AUTOTHROTTLE_ENABLED": "false",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS": "16",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "LOG_LEVEL": "WARNING",
}


class StatsToFile:
    """A bench-only extension: writes the crawl's stats as JSON to ``BENCH_STATS_FILE``."""

    def __init__(self, crawler: Crawler, path: str) -> None:
        self.crawler = crawler
        self.path = Path(path)
        crawler.signals.connect(self.closed, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StatsToFile:
        return cls(crawler, crawler.settings.get("BENCH_STATS_FILE"))

    def closed(self) -> None:
        stats: dict[str, Any] = self.crawler.stats.get_stats() if self.crawler.stats else {}
        plain = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in stats.items()}
        plain["peak_rss"] = peak_rss()  # the crawl's own; memusage/max may be its parent's
        self.path.write_text(json.dumps(plain, default=str), "utf-8")


@dataclass
class Crawl:
    name: str
    pages: int  # cluster pages read
    requests: int
    seconds: float
    peak_rss_mib: float
    latency_s: float = 0.0  # how long the stand-in took to answer each request

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0


def run_crawl(
    name: str, args: list[str], settings: dict[str, str], workdir: Path, latency: float = 0.0
) -> Crawl:
    """Run ``scrapy crawl ARGS`` with ``settings``; its figures from its stats."""
    stats_file = workdir / f"{name.replace(' ', '-')}.stats.json"
    command = [sys.executable, "-m", "scrapy.cmdline", "crawl", *args]
    merged = {
        **settings,
        "BENCH_STATS_FILE": str(stats_file),
        "EXTENSIONS": json.dumps({"bench.live.StatsToFile": 0}),
    }
    for key, value in merged.items():
        command += ["-s", f"{key}={value}"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0 or not stats_file.exists():
        msg = f"{name}: crawl failed ({done.returncode}):\n{done.stderr[-2000:]}"
        raise RuntimeError(msg)
    stats = json.loads(stats_file.read_text("utf-8"))
    started = datetime.fromisoformat(stats["start_time"])
    finished = datetime.fromisoformat(stats["finish_time"])
    return Crawl(
        name,
        # Pages a run read (items are made only when something takes them: PAPER_ITEMS).
        pages=int(stats.get("pages/done", stats.get("item_scraped_count", 0))),
        requests=int(stats.get("downloader/request_count", 0)),
        seconds=(finished - started).total_seconds(),
        peak_rss_mib=float(stats["peak_rss"]) / 2**20,
        latency_s=latency,
    )


def live_crawls(corpus: list[tuple[str, bytes]], workdir: Path) -> list[Crawl]:
    """The live spider over every cluster of ``corpus`` served by the stand-in, with the
    store off and on (SQLite), and the replay command over the same pages saved."""
    pages_dir = workdir / "pages"
    write_pages(pages_dir, corpus)
    site = Site.from_fixtures(pages_dir)
    names = workdir / "names.txt"
    names.write_text("\n".join(c.cluster_name for c in site.clusters.values()) + "\n", "utf-8")
    crawls: list[Crawl] = []
    # On loopback with no latency the crawl is CPU-bound and the store's work shows as lost
    # pages/s. Then the stand-in answers each request after a delay that paces the site at
    # SITE_PACE of that crawl's request rate (store off): the question there is whether
    # writing ever holds the crawl up.
    latency = 0.0
    for where in ("loopback", PACED):
        if where == PACED:
            ceiling = crawls[0].requests / crawls[0].seconds
            latency = int(FAST["CONCURRENT_REQUESTS"]) / (SITE_PACE * ceiling)
        with StandIn(site, Faults(delay=latency)) as url:
            live = {
                **FAST,
                "ARROW_CLUSTER_URL": f"{url}/cluster/{{slug}}",
                "CONDITIONAL_REQUESTS": "false",
            }
            spider = ["author_cluster", "-a", f"names_file={names}"]
            for store, settings in (
                ("off", {"STORE_ENABLED": "false"}),
                ("on", {"DATABASE_URL": f"sqlite:///{workdir / f'live-{where}.db'}"}),
            ):
                name = f"live, {where}, store {store}"
                crawls.append(run_crawl(name, spider, {**live, **settings}, workdir, latency))
    crawls.append(
        run_crawl(
            "replay command, SQLite",
            ["replay", "-a", f"path={pages_dir}"],
            {**FAST, "DATABASE_URL": f"sqlite:///{workdir / 'replay.db'}"},
            workdir,
        )
    )
    return crawls


def main() -> None:
    """Run the crawls on 100 synthetic pages and print their figures (a quick look)."""
    from bench.generate import generate

    with tempfile.TemporaryDirectory() as tmp:
        for crawl in live_crawls(generate(100), Path(tmp)):
            print(f"{crawl.name:<26} {crawl.pages:>6} pages {crawl.pages_per_s:>8.1f} pages/s")


if __name__ == "__main__":
    from bench import main_quietly

    main_quietly(main)
