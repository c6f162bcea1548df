"""Export speed and memory: rows per second per format, and whether memory stays flat.

``python -m bench.exports --papers 20000,200000`` fills a SQLite store per size with that
many distinct papers (cleaned and stored by the project's own code, fifty to a cluster
page, without HTML), then exports the papers in every format, each in a fresh process,
and reports rows/s and that process's peak RSS. Exports stream, so the largest size's
peak should stay within 1.1x the smallest's.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench.generate import _pooled_paper
from bench.memory import peak_rss
from crawler.pages.model import ClusterPage
from pipelines.exporters import FORMATS
from pipelines.model import Fetch
from pipelines.process import CleanSettings, clean_record
from pipelines.store import Store

ROOT = Path(__file__).resolve().parents[1]
MIB = 2**20
PER_PAGE = 50
PAGES_PER_BATCH = 100
FETCHED = datetime(2026, 1, 1, tzinfo=UTC)
SETTINGS = CleanSettings(display_limit=8, max_year=2027)
FLAT = 1.10  # the largest size's peak RSS over the smallest's, at most


def fill(url: str, papers: int, seed: int = 7) -> int:
    """Store ``papers`` distinct papers at ``url``; the papers stored."""
    store = Store.open(url)
    stored = 0
    try:
        batch = []
        for number in range(-(-papers // PER_PAGE)):
            first = number * PER_PAGE
            entries = tuple(
                _pooled_paper(seed, i).entry for i in range(first, min(papers, first + PER_PAGE))
            )
            name = entries[0].authors[0] if entries[0].authors else f"Author {number}"
            page = ClusterPage(f"synthetic://{number}", name, len(entries), 1, papers=entries)
            fetch = Fetch(f"synthetic://{number}", b"", FETCHED, "text/html")
            batch.append(clean_record(fetch, page, SETTINGS))
            if len(batch) == PAGES_PER_BATCH:
                stored += store.load(batch, None).papers
                batch = []
        if batch:
            stored += store.load(batch, None).papers
    finally:
        store.close()
    return stored


@dataclass
class Export:
    format: str
    papers: int
    rows: int
    seconds: float
    peak_rss_mib: float
    bytes: int

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def export_once(url: str, fmt: str, out: Path) -> dict[str, float]:
    """In this process: export the papers at ``url`` as ``fmt`` to ``out``."""
    store = Store.open(url, create=False)
    try:
        started = time.perf_counter()
        with out.open("wb") as stream:
            rows = store.export("papers", fmt, stream)
        seconds = time.perf_counter() - started
    finally:
        store.close()
    return {"rows": rows, "seconds": seconds, "peak_rss": peak_rss()}


def export_in_process_of_its_own(url: str, fmt: str, out: Path, papers: int) -> Export:
    done = subprocess.run(
        [sys.executable, "-m", "bench.exports", "--one", url, fmt, str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return Export(
        fmt,
        papers,
        int(figures["rows"]),
        float(figures["seconds"]),
        float(figures["peak_rss"]) / MIB,
        out.stat().st_size,
    )


def measure(sizes: list[int], formats: list[str], work: Path) -> list[Export]:
    out: list[Export] = []
    for size in sizes:
        url = f"sqlite:///{work / f'store-{size}.db'}"
        stored = fill(url, size)
        for fmt in formats:
            target = work / f"papers-{size}.{fmt}"
            out.append(export_in_process_of_its_own(url, fmt, target, stored))
            target.unlink()
    return out


def flatness(exports: list[Export]) -> dict[str, float]:
    """Per format: the peak RSS of its largest export over its smallest's."""
    ratios = {}
    for fmt in dict.fromkeys(e.format for e in exports):
        mine = sorted((e for e in exports if e.format == fmt), key=lambda e: e.papers)
        if len(mine) >= 2 and mine[0].peak_rss_mib:
            ratios[fmt] = mine[-1].peak_rss_mib / mine[0].peak_rss_mib
    return ratios


def report(exports: list[Export]) -> str:
    lines = [f"{'export papers':<14} {'papers':>8} {'rows/s':>9} {'MiB out':>8} {'peak RSS':>9}"]
    for e in exports:
        lines.append(
            f"{e.format:<14} {e.papers:>8} {e.rows_per_s:>9.0f} {e.bytes / MIB:>8.1f} "
            f"{e.peak_rss_mib:>9.1f}"
        )
    for fmt, ratio in flatness(exports).items():
        verdict = "met" if ratio <= FLAT else "MISSED"
        lines.append(
            f"peak RSS, largest / smallest, {fmt:<8} {ratio:>6.2f}x  {verdict} (<= {FLAT})"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", default="20000,200000", help="store sizes, comma-separated")
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--json", type=Path)
    parser.add_argument("--one", nargs=3, metavar=("URL", "FORMAT", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        url, fmt, out = args.one
        print(json.dumps(export_once(url, fmt, Path(out))))
        return
    sizes = [int(s) for s in args.papers.split(",") if s]
    formats = [f for f in args.formats.split(",") if f]
    with tempfile.TemporaryDirectory() as tmp:
        exports = measure(sizes, formats, Path(tmp))
    print(report(exports))
    if args.json:
        data = {
            "exports": [asdict(e) | {"rows_per_s": e.rows_per_s} for e in exports],
            "flatness": flatness(exports),
        }
        args.json.write_text(json.dumps(data, indent=2) + "\n", "utf-8")


if __name__ == "__main__":
    from bench import main_quietly

    main_quietly(main)
