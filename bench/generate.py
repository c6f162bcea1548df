"""Deterministic synthetic cluster pages in the site markup, for benchmarks.

Pages vary in size, share papers and authors across clusters (so upserts really conflict),
and carry the site's defects: cut author lists, homonym suffixes, junk in abstracts.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from crawler.pages.model import ClusterPage, PaperEntry
from crawler.pages.render import render_site_html

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from pathlib import Path

GIVEN = (
    "Ada",
    "Alan",
    "Anna",
    "Boris",
    "Chen",
    "Dana",
    "Elena",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jan",
    "Kofi",
    "Lena",
    "Mei",
    "Nadia",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sven",
    "Tara",
    "Umar",
    "Vera",
    "Wei",
    "Xin",
    "Yara",
    "Zoltan",
)
FAMILY = (
    "Abe",
    "Bauer",
    "Costa",
    "Dubois",
    "Evans",
    "Fischer",
    "Garcia",
    "Huang",
    "Ito",
    "Jensen",
    "Kim",
    "Lopez",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Patel",
    "Quist",
    "Rossi",
    "Silva",
    "Tanaka",
    "Ueda",
    "Varga",
    "Wang",
    "Xu",
    "Yilmaz",
    "Zhang",
)
VENUES = [
    ("NeurIPS", "Conference", "Conference Paper"),
    ("ICML", "Conference", "Conference Paper"),
    ("ICLR", "Conference", "Conference Paper"),
    ("JMLR", "Journal", "Journal Article"),
    ("TMLR", "Journal", "Journal Article"),
    ("Communications of the ACM", "Journal", "Journal Article"),
    ("Workshop on Synthetic Data", "Workshop", "Workshop Paper"),
]
WORDS = (
    "learning",
    "neural",
    "scalable",
    "efficient",
    "robust",
    "sparse",
    "attention",
    "graph",
    "models",
    "training",
    "data",
    "representations",
    "optimization",
    "inference",
    "transformers",
    "language",
    "vision",
    "retrieval",
    "generalization",
    "benchmark",
    "adaptive",
)
JUNK = (
    " [abs] [ pdf ][ bib ] &copy JMLR 2024. ( edit, beta )",
    " We improve by 2. 5% over \\emph{strong} baselines.",
    " It beats traditional algo-rithmic methods (Smith et al. , 2020).",
    "",
)


@dataclass(frozen=True)
class SyntheticPaper:
    entry: PaperEntry
    authors: tuple[str, ...]


def _author(rng: random.Random) -> str:
    # About 20,000 distinct names: authors share papers and clusters, as real ones do,
    # without every name being on every page.
    initial = rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    middle = f" {initial}." if rng.random() < 0.8 else ""
    name = f"{rng.choice(GIVEN)}{middle} {rng.choice(FAMILY)}"
    return f"{name} {rng.randint(1, 3):04d}" if rng.random() < 0.05 else name


def _paper(rng: random.Random, index: int) -> SyntheticPaper:
    venue, kind, ptype = rng.choice(VENUES)
    title = " ".join(rng.choice(WORDS).capitalize() for _ in range(rng.randint(3, 8)))
    authors = tuple(dict.fromkeys(_author(rng) for _ in range(rng.randint(1, 14))))
    abstract = (
        " ".join(rng.choice(WORDS) for _ in range(rng.randint(40, 120))).capitalize()
        + "."
        + rng.choice(JUNK)
    )
    return SyntheticPaper(
        PaperEntry(
            venue_line=f"{venue} {kind} {rng.randint(2000, 2025)} {ptype}",
            title=f"{title} {index}",
            authors=authors,
            abstract=abstract if rng.random() > 0.1 else None,
        ),
        authors,
    )


def _pooled_paper(seed: int, index: int) -> SyntheticPaper:
    # Each paper from a generator of its own: any page can be made without keeping a pool.
    return _paper(random.Random(f"{seed}:{index}"), index)


def iter_pages(pages: int, seed: int = 7, limit: int = 8) -> Iterator[tuple[str, bytes]]:
    """``pages`` cluster pages as (name, body) pairs, made one at a time, the same for the
    same seed. Papers are drawn from a pool three times the number of pages, so most
    papers appear on several clusters and their rows are merged."""
    rng = random.Random(seed)
    pool = max(30, pages * 3)
    for number in range(pages):
        cluster = _author(rng)
        chosen = rng.sample(range(pool), min(pool, rng.randint(1, 25)))
        papers = []
        for index in chosen:
            paper = _pooled_paper(seed, index)
            authors = (*paper.authors[: rng.randint(0, 5)], cluster, *paper.authors[5:])
            shown = tuple(dict.fromkeys(authors))[:limit]
            papers.append(replace(paper.entry, authors=shown))
        page = ClusterPage(
            url=f"synthetic://{number}",
            cluster_name=cluster,
            declared_papers=len(papers) + rng.randint(0, 2),
            author_rows=rng.randint(1, 3),
            papers=tuple(papers),
        )
        yield f"cluster-{number:06d}.html", render_site_html(page).encode()


def generate(pages: int, seed: int = 7, limit: int = 8) -> list[tuple[str, bytes]]:
    """``iter_pages`` as a list."""
    return list(iter_pages(pages, seed, limit))


def write_pages(directory: Path, pages: Iterable[tuple[str, bytes]]) -> int:
    """Save pages as files in ``directory`` (a saved-pages folder for replay); their number."""
    directory.mkdir(parents=True, exist_ok=True)
    count = 0
    for name, body in pages:
        (directory / name).write_bytes(body)
        count += 1
    return count
