"""Deterministic synthetic cluster pages in the site markup, for benchmarks.

Pages vary in size, share papers and authors across clusters (so upserts really conflict),
and carry the site's defects: cut author lists, homonym suffixes, junk in abstracts.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from crawler.pages.model import ClusterPage, PaperEntry
from crawler.pages.render import render_site_html

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
    name = f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}"
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


def generate(pages: int, seed: int = 7, limit: int = 8) -> list[tuple[str, bytes]]:
    """``pages`` cluster pages as (name, body) pairs, the same for the same seed."""
    rng = random.Random(seed)
    pool = [_paper(rng, i) for i in range(max(30, pages * 3))]
    out = []
    for number in range(pages):
        cluster = _author(rng)
        chosen = rng.sample(pool, min(len(pool), rng.randint(1, 25)))
        papers = []
        for paper in chosen:
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
        out.append((f"cluster-{number:06d}.html", render_site_html(page).encode()))
    return out
