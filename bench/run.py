"""``python -m bench.run``: throughput and memory of the whole job, against baselines.

In one process, on the same synthetic pages: the parse-only floor; parse and clean; the
project's full replay (parse, clean, store in batches) into SQLite and, when a server
answers, PostgreSQL; a naive baseline written the way tutorials do it (one ORM session and
commit per paper); and export of the stored papers to JSONL and CSV. Then, each in a
process of its own: the live spider against the local stand-in with the store off and on,
the replay command, and (``--memory``) peak RSS of a long replay against a short one.
Figures are ratios within this one run; machines are noisy, so the phases the targets
compare are measured side by side, batch by batch (``compared_phases``), over ``--rounds``
rounds, each keeping its fastest.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from bench.generate import generate
from bench.live import PACED, live_crawls
from bench.memory import RssSampler
from bench.replay import BATCH, full_replay, parse_only, record, records, stored_rows
from crawler.runtime import tune_gc
from pipelines import abstracts
from pipelines.authors import split_author
from pipelines.clean import venue_line
from pipelines.store import Store
from pipelines.store.models import Author, Authorship, Paper, Venue
from pipelines.text import fold
from pipelines.venues import default_registry

if TYPE_CHECKING:
    from collections.abc import Callable

PARSE, CLEAN = "parse only", "parse and clean"
SQLITE, POSTGRES = "full replay, SQLite", "full replay, PostgreSQL"
T = TypeVar("T")
MIB = 2**20
# The targets, as (ratio, comparison, bound).
TARGETS = {
    "full replay / naive baseline": (">=", 10.0),
    "full replay / parse only": (">=", 0.25),
    "SQLite / PostgreSQL": ("<=", 1.5),
    "live store on / store off": (">=", 0.9),
    "peak RSS, long / short replay": ("<=", 1.10),
}


@dataclass
class Phase:
    name: str
    seconds: float
    pages: int
    papers: int
    rows: int
    peak_rss_mib: float
    rss_growth_mib: float
    rounds_s: list[float] = field(default_factory=list)  # every round's seconds, in order

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0

    @property
    def papers_per_s(self) -> float:
        return self.papers / self.seconds if self.seconds else 0.0

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


# The cleaning rules' memos of pure functions (names, folds, abstracts, words): emptied
# before each phase, so that no phase runs warm on what an earlier one cleaned.
MEMOS = (
    fold,
    split_author,
    venue_line,
    abstracts._clean_abstract,
    abstracts._latex_segment_text,
    abstracts._render_formula,
    abstracts._break_candidates,
    abstracts._zipf,
    default_registry(),
)


def _measure(name: str, pages: int, run: Callable[[], tuple[int, int]]) -> Phase:
    """Time ``run`` (which returns papers and rows written) and sample RSS meanwhile."""
    for memo in MEMOS:
        memo.cache_clear()
    with RssSampler() as rss:
        started = time.perf_counter()
        papers, rows = run()
        seconds = time.perf_counter() - started
    growth = (rss.peak - rss.start) / MIB
    return Phase(name, seconds, pages, papers, rows, rss.peak / MIB, growth, [seconds])


def _stored(load: Callable[[], int], url: str) -> tuple[int, int]:
    papers = load()
    return papers, stored_rows(url)


def export_papers(url: str, fmt: str, out: Path) -> tuple[int, int]:
    """``scrapy export papers`` to a file, as the command does it; records written."""
    store = Store.open(url)
    try:
        with out.open("wb") as stream:
            written = store.export("papers", fmt, stream)
    finally:
        store.close()
    return written, written


# Size: the naive baseline is written out whole on purpose; it is the yardstick.
def naive_baseline(corpus: list[tuple[str, bytes]], url: str) -> int:
    """One item per paper, one session and commit per item, get-or-create by query."""
    store = Store.open(url)
    papers = 0
    try:
        for name, body in corpus:
            page = record(name, body).page
            for paper in page.papers if page else ():
                with Session(store.engine) as session:
                    venue = session.scalars(
                        select(Venue).where(Venue.acronym == paper.venue.acronym)
                    ).first() or Venue(
                        acronym=paper.venue.acronym,
                        name=paper.venue.name,
                        type=paper.venue.type,
                        known=paper.venue.known,
                    )
                    session.add(venue)
                    session.flush()
                    key = paper.key
                    row = session.scalars(select(Paper).where(Paper.key == key)).first()
                    if row is None:
                        row = Paper(
                            key=key,
                            title=paper.title,
                            year=paper.year,
                            venue_id=venue.id,
                            publication_type=paper.publication_type,
                            abstract=paper.abstract,
                            abstract_raw=paper.abstract_raw,
                            listed_authors=paper.listed_authors,
                            authors_complete=paper.authors_complete,
                        )
                        session.add(row)
                    session.flush()
                    for authorship in paper.authorships:
                        author = session.scalars(
                            select(Author).where(Author.key == authorship.author.key)
                        ).first()
                        if author is None:
                            author = Author(
                                key=authorship.author.key,
                                name=authorship.author.name,
                                homonym=authorship.author.homonym,
                            )
                            session.add(author)
                            session.flush()
                        exists = session.scalars(
                            select(Authorship).where(
                                Authorship.paper_id == row.id, Authorship.author_id == author.id
                            )
                        ).first()
                        if exists is None:
                            session.add(
                                Authorship(
                                    paper_id=row.id,
                                    author_id=author.id,
                                    position=authorship.position,
                                    name_as_listed=authorship.author.name,
                                    source=authorship.source,
                                )
                            )
                    session.commit()
                papers += 1
    finally:
        store.close()
    return papers


def _postgres_schema(url: str) -> str | None:
    """A fresh schema on the server at ``url``, or None when no server answers."""
    admin = create_engine(url, connect_args={"connect_timeout": 3})
    schema = f"arrow_bench_{uuid.uuid4().hex[:10]}"
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError:
        return None
    finally:
        admin.dispose()
    return f"{url}?options=-csearch_path%3D{schema}"


def profile_replay(corpus: list[tuple[str, bytes]], url: str, out: Path) -> None:
    """Where the full replay's time goes: a pyinstrument call tree, as text."""
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    profiler.start()
    full_replay(corpus, url)
    profiler.stop()
    out.write_text(profiler.output_text(unicode=True, show_all=False), "utf-8")


def _ratio(a: float, b: float) -> float:
    return a / b if b else 0.0


def memory_check(sizes: list[int], seed: int) -> dict[str, Any]:
    """Peak RSS of replays of each size, each in a fresh process."""
    peaks = []
    for pages in sizes:
        done = subprocess.run(
            [sys.executable, "-m", "bench.memory", "--pages", str(pages), "--seed", str(seed)],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parents[1],
        )
        peaks.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return {"replays": peaks}


def _drop_schema(server: str, url: str) -> None:
    schema = url.rsplit("%3D", 1)[1]
    admin = create_engine(server)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()


class _Clock:
    """Seconds and papers, summed per phase over the batches of one round."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.papers: dict[str, int] = defaultdict(int)

    def time(self, phase: str, work: Callable[[], T]) -> T:
        started = time.perf_counter()
        result = work()
        self.seconds[phase] += time.perf_counter() - started
        return result


def _one_round(
    corpus: list[tuple[str, bytes]], stores: dict[str, str]
) -> tuple[_Clock, RssSampler]:
    """One round, batch by batch: each batch is parsed alone (the floor), then parsed and
    cleaned once, and stored into each store in turn; the order alternates by batch."""
    for memo in MEMOS:  # a round starts cold; memos then stay warm across batches, as in a run
        memo.cache_clear()
    clock = _Clock()
    opened = {name: Store.open(url) for name, url in stores.items()}
    try:
        with RssSampler() as rss:
            for number, start in enumerate(range(0, len(corpus), BATCH)):
                batch = corpus[start : start + BATCH]
                flip = number % 2 == 1
                if not flip:
                    clock.papers[PARSE] += clock.time(PARSE, partial(parse_only, batch))[0]
                cleaned = clock.time(CLEAN, partial(records, batch))
                if flip:
                    clock.papers[PARSE] += clock.time(PARSE, partial(parse_only, batch))[0]
                for name in sorted(opened, reverse=flip):
                    stored = partial(opened[name].load, cleaned, None)
                    clock.papers[name] += clock.time(name, stored).papers
    finally:
        for store in opened.values():
            store.close()
    return clock, rss


# Size: one measured phase after another, in the order the report prints them.
def compared_phases(
    corpus: list[tuple[str, bytes]], work: Path, rounds: int, postgres: str
) -> tuple[list[Phase], str]:
    """Parse only, parse and clean, and the full replays, each at its fastest of ``rounds``;
    and the SQLite store of the last round (for the export phases).

    The phases the targets compare are measured side by side, batch by batch: each batch of
    pages is parsed alone (the parse-only floor), then parsed and cleaned, and the records
    stored into SQLite and into PostgreSQL in turn. A full replay's time is its batches'
    parse-and-clean time plus its store's: the same work ``full_replay`` does, with the
    cleaning shared by the two stores rather than done twice. A slow spell of the machine
    then falls on every phase alike instead of deciding a ratio; and of ``rounds`` rounds
    each phase keeps its fastest (as timeit does: the least disturbed).
    """
    n = len(corpus)
    full = ""
    best: dict[str, Phase] = {}
    for round_no in range(max(1, rounds)):
        full = f"sqlite:///{work / f'full-{round_no}.db'}"
        stores = {SQLITE: full}
        schema = _postgres_schema(postgres) if postgres else None
        if schema:
            stores[POSTGRES] = schema
        try:
            clock, rss = _one_round(corpus, stores)
            rows = {name: stored_rows(url) for name, url in stores.items()}
        finally:
            if schema:
                _drop_schema(postgres, schema)
        peak, growth = rss.peak / MIB, (rss.peak - rss.start) / MIB
        measured = [
            Phase(PARSE, clock.seconds[PARSE], n, clock.papers[PARSE], 0, peak, growth),
            Phase(CLEAN, clock.seconds[CLEAN], n, clock.papers[PARSE], 0, peak, growth),
        ]
        for name in stores:
            seconds = clock.seconds[CLEAN] + clock.seconds[name]
            measured.append(Phase(name, seconds, n, clock.papers[name], rows[name], peak, growth))
        for phase in measured:
            earlier = best[phase.name].rounds_s if phase.name in best else []
            if not earlier or phase.seconds < best[phase.name].seconds:
                best[phase.name] = phase
            best[phase.name].rounds_s = [*earlier, phase.seconds]
    return list(best.values()), full


# Size: the report's sections in the order they print; each section is one call.
def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--naive-pages", type=int, default=100, help="the baseline is slow")
    parser.add_argument("--live-pages", type=int, default=300, help="0: no crawls")
    parser.add_argument(
        "--memory",
        default="",
        help="replay sizes for the flatness check, e.g. 2000,20000 (each in its own process)",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="times the parse, clean and replay phases run, in turn; each keeps its fastest",
    )
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument(
        "--profile", type=Path, help="profile the SQLite replay with pyinstrument; text report here"
    )
    args = parser.parse_args(argv)
    corpus = generate(args.pages, args.seed)
    tune_gc()  # as the crawl and replay commands do once started (crawler/runtime.py)
    crawls = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        phases, full = compared_phases(corpus, work, args.rounds, args.postgres)
        naive_corpus = corpus[: args.naive_pages]
        naive = f"sqlite:///{work / 'naive.db'}"
        phases.append(
            _measure(
                "naive baseline, SQLite",
                len(naive_corpus),
                lambda: _stored(partial(naive_baseline, naive_corpus, naive), naive),
            )
        )
        for fmt in ("jsonl", "csv"):
            out = work / f"papers.{fmt}"
            phases.append(
                _measure(f"export papers, {fmt}", 0, partial(export_papers, full, fmt, out))
            )
        if args.profile:
            profile_replay(corpus, f"sqlite:///{work / 'profile.db'}", args.profile)
        if args.live_pages:
            crawls = live_crawls(corpus[: args.live_pages], work / "crawls")
    memory = memory_check([int(s) for s in args.memory.split(",") if s], args.seed)
    by_name = {p.name: p for p in phases}
    replay = by_name["full replay, SQLite"].pages_per_s
    ratios = {
        "full replay / naive baseline": _ratio(
            replay, by_name["naive baseline, SQLite"].pages_per_s
        ),
        "full replay / parse only": _ratio(replay, by_name["parse only"].pages_per_s),
    }
    if "full replay, PostgreSQL" in by_name:
        ratios["SQLite / PostgreSQL"] = _ratio(
            replay, by_name["full replay, PostgreSQL"].pages_per_s
        )
    by_crawl = {c.name: c for c in crawls}
    if by_crawl:
        ratios["live store on / store off"] = _ratio(
            by_crawl[f"live, {PACED}, store on"].pages_per_s,
            by_crawl[f"live, {PACED}, store off"].pages_per_s,
        )
        ratios["live on / off, loopback (CPU-bound)"] = _ratio(
            by_crawl["live, loopback, store on"].pages_per_s,
            by_crawl["live, loopback, store off"].pages_per_s,
        )
    if len(memory["replays"]) >= 2:
        peaks = [r["peak_rss_mib"] for r in memory["replays"]]
        ratios["peak RSS, long / short replay"] = _ratio(peaks[-1], peaks[0])
    _print(phases, crawls, memory, ratios)
    figures = {
        "machine": _machine(),
        "pages": args.pages,
        "seed": args.seed,
        "phases": [
            asdict(p)
            | {
                "pages_per_s": p.pages_per_s,
                "papers_per_s": p.papers_per_s,
                "rows_per_s": p.rows_per_s,
            }
            for p in phases
        ],
        "crawls": [asdict(c) | {"pages_per_s": c.pages_per_s} for c in crawls],
        "memory": memory,
        "ratios": ratios,
        "targets": {k: _verdict(k, v) for k, v in ratios.items()},
    }
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", "utf-8")


def _verdict(name: str, value: float) -> str:
    if name not in TARGETS:
        return "(shown, not a target)"
    how, bound = TARGETS[name]
    met = value >= bound if how == ">=" else value <= bound
    return f"{'met' if met else 'MISSED'} ({how} {bound})"


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}; Python {platform.python_version()}; {platform.system()}"


def _print(
    phases: list[Phase], crawls: list[Any], memory: dict[str, Any], ratios: dict[str, float]
) -> None:
    print(_machine())
    header = f"{'phase':<30} {'pages':>6} {'pages/s':>9} {'papers/s':>9} {'rows/s':>9}"
    print(f"{header} {'peak RSS MiB':>12} {'growth':>7}  seconds by round")
    for p in phases:
        rates = f"{p.pages_per_s:>9.1f} {p.papers_per_s:>9.1f} {p.rows_per_s:>9.0f}"
        by_round = " ".join(f"{s:.2f}" for s in p.rounds_s) if len(p.rounds_s) > 1 else ""
        rss = f"{p.peak_rss_mib:>12.1f} {p.rss_growth_mib:>7.1f}"
        print(f"{p.name:<30} {p.pages:>6} {rates} {rss}  {by_round}".rstrip())
    for c in crawls:
        rates = f"{c.pages_per_s:>9.1f} {'':>9} {'':>9}"
        paced = f"  (site answers in {c.latency_s * 1000:.0f} ms)" if c.latency_s else ""
        print(f"{c.name:<30} {c.pages:>6} {rates} {c.peak_rss_mib:>12.1f}{paced}")
    for r in memory["replays"]:
        print(f"replay of {r['pages']} pages: peak RSS {r['peak_rss_mib']:.1f} MiB (own process)")
    for name, value in ratios.items():
        print(f"{name:<38} {value:>6.2f}x  {_verdict(name, value)}")


if __name__ == "__main__":
    from bench import main_quietly

    main_quietly(main)
