"""A deterministic corpus of bad and hostile saved pages, each with what must become of it.

Every case is bytes a user may well have in a directory of saved pages (a binary file, a
page cut mid-download, a page nested 100,000 deep, NUL bytes, a link to /etc/passwd). Each
says what the store must hold after it: which of its papers (by title) are stored, and the
words the reason for each refusal must contain. ``write_corpus`` writes them beside copies
of the good fixtures, for a replay of a mixed directory.
"""

from __future__ import annotations

import gzip
import random
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from crawler.pages.model import ClusterPage, PaperEntry
from crawler.pages.render import render_site_html

if TYPE_CHECKING:
    from pathlib import Path

SECRET = "root:x:0:0:SECRET-LINE-NOT-TO-BE-STORED"


@dataclass(frozen=True)
class BadInput:
    """A bad page: its file name and bytes, the titles of its papers that must be stored,
    and words each refusal's reason must contain (page-level: item 0; papers: by title)."""

    name: str
    body: bytes
    stored: frozenset[str] = frozenset()
    reasons: tuple[str, ...] = ()
    absent: tuple[str, ...] = field(default=())  # text that must appear nowhere in the store


def _paper(title: str, *authors: str, year: int = 2021) -> PaperEntry:
    return PaperEntry(
        f"ICML Conference {year} Conference Paper",
        title,
        authors or ("Ada Lovelace", "Alan Turing"),
        "A plain abstract of the paper, long enough to read as prose.",
    )


def _page(cluster: str, *papers: PaperEntry, next_url: str | None = None) -> bytes:
    page = ClusterPage("u", cluster, len(papers), 1, tuple(papers))
    return render_site_html(page, next_url).encode("utf-8")


def _png() -> bytes:
    raw = b"\x00" + b"\xff\x00\x00" * 4
    chunk = zlib.compress(raw)
    return (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x02\x00\x00\x00\x02\x08\x02\x00\x00\x00"
        + len(chunk).to_bytes(4, "big")
        + b"IDAT"
        + chunk
        + b"\x00\x00\x00\x00IEND\xaeB`\x82"
    )


def _deep(depth: int) -> bytes:
    inner = "<p>ICML Conference 2020 Conference Paper</p><h3>Deep</h3><ul><li>A One</li></ul>"
    return (
        f"<html><body><p>Author name cluster</p><h1>Deep Nest</h1>{'<div>' * depth}{inner}"
        f"{'</div>' * depth}</body></html>"
    ).encode()


def bad_inputs(seed: int = 5) -> list[BadInput]:
    """The corpus: the same bytes for the same seed."""
    rng = random.Random(seed)
    whole = _page(
        "Grace Hopper", _paper("Compilers Compiled"), _paper("Cut Off Here", "Ada A", "Co Author")
    )
    cut = whole[: whole.index(b"Co Author") + len(b"Co A")]
    bidi = "\u202eAda Lovelace\u202c"
    return [
        BadInput("empty.html", b"", reasons=("empty page",)),
        BadInput("image.png.html", _png(), reasons=("not an author-cluster page",)),
        BadInput("noise.html", bytes(rng.randrange(256) for _ in range(4096)), reasons=("not",)),
        BadInput("gzipped.html", gzip.compress(whole), reasons=("not",)),
        BadInput("deep.html", _deep(100_000), reasons=("nested more than",)),
        BadInput("deep-but-fine.html", _deep(300), stored=frozenset({"Deep"})),
        BadInput(
            "nul-bytes.html",
            _page("Nul Page", _paper("Zero\x00 Byte Title", "Ada\x00 Lovelace", "Alan Turing")),
            stored=frozenset({"Zero Byte Title"}),
        ),
        BadInput(
            "bidi-names.html",
            _page("Bidi Page", _paper("Right To Left", bidi, "Alan\u200f Turing")),
            stored=frozenset({"Right To Left"}),
        ),
        BadInput(
            "huge-title.html",
            _page("Huge Title", _paper("T" * 100_000), _paper("A Normal Title")),
            stored=frozenset({"A Normal Title"}),
            reasons=("not a title",),
        ),
        BadInput(
            "far-years.html",
            _page(
                "Far Years",
                _paper("From The Future", year=3000),
                _paper("From The Present", year=2020),
            ),
            stored=frozenset({"From The Present"}),
            reasons=("year 3000 is after",),
        ),
        BadInput(
            "truncated.html",
            cut,
            stored=frozenset({"Compilers Compiled", "Cut Off Here"}),
        ),
        BadInput(
            "passwd-link.html",
            _page("Link Out", _paper("Pointing Away"), next_url="file:///etc/passwd"),
            stored=frozenset({"Pointing Away"}),
            reasons=("outside the replay root",),
            absent=(SECRET, "root:x:0:0"),
        ),
        BadInput(
            "bad-utf8.html",
            _page("Bad Bytes", _paper("Broken Bytes"))
            .replace(b"Broken", b"Br\xffoken")
            .replace(b'<meta charset="utf-8">', b""),
            stored=frozenset({"Br\u00ffoken Bytes"}),
        ),
        BadInput(
            "utf16.html",
            _page("Sixteen Bits", _paper("Wide Text")).decode().encode("utf-16"),
            stored=frozenset({"Wide Text"}),
        ),
    ]


def write_corpus(directory: Path, seed: int = 5) -> list[BadInput]:
    """Write the corpus into ``directory``; returns its cases."""
    directory.mkdir(parents=True, exist_ok=True)
    cases = bad_inputs(seed)
    for case in cases:
        (directory / case.name).write_bytes(case.body)
    return cases
