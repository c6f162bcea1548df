"""The text grammar of a cluster page (see DESIGN.md, "Page grammar").

Works on visible lines, so it reads a plain-text snapshot and any HTML rendering of the
page alike. Papers are anchored on their venue line ("<venue> <Conference|Journal> <year>
<publication type>"); everything else is read relative to those anchors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING

from crawler.pages.model import ClusterPage, PageError, PaperEntry

if TYPE_CHECKING:
    from collections.abc import Sequence

VENUE_KINDS = r"conference|journal|workshop|symposium"
YEAR = r"(?:1[89]|20|21)\d\d"
VENUE_LINE_RE = re.compile(
    rf"^(?P<venue>[^\s•·*].{{0,160}}?)\s+(?P<kind>{VENUE_KINDS})\s+(?P<year>{YEAR})"
    r"(?:\s+(?P<ptype>[^\W\d_][^.!?:;]{0,60}?))?\s*$",
    re.I,
)
VENUE_FRAGMENT_WORD_RE = re.compile(
    rf"^(?:{VENUE_KINDS}|{YEAR}|paper|article|abstract|poster|proceedings|chapter|preprint"
    r"|thesis|report|book|demo|short|long|extended|oral|spotlight|track)$",
    re.I,
)
MAX_VENUE_PIECES = 4
MAX_VENUE_WORDS = 16

BULLETS = "•·‣◦▪●○■□–—*-"
BULLET_RE = re.compile(rf"^[{re.escape(BULLETS)}]\s*")
NAME_TOKEN = r"(?:[^\W\d_][\w'’‘.\-]*|\(\w+\))"
NAME_RE = re.compile(rf"^{NAME_TOKEN}(?:\s+{NAME_TOKEN}){{0,7}}(?:\s+\d{{4}})?$")
NAME_SEPARATOR_RE = re.compile(r"\s*(?:[,;]|\s[&·•|]\s|\band\b)\s*")
CUT_MARKER_RE = re.compile(
    r"^(?:et al\.?|…|\.\.\.|\+\s*\d+(?:\s+more)?(?:\s+authors?)?"
    r"|(?:and\s+)?\d+\s+more(?:\s+authors?)?|show (?:all|more)(?: authors)?)$",
    re.I,
)
TRAILING_CUT_RE = re.compile(r"(?:,?\s*(?:et al\.?|…|\.\.\.)|\s*\(?\+\s*\d+\s+more\)?)\s*$", re.I)

HOMONYM_SUFFIX_RE = re.compile(r"\s+\d{4}$")
CLUSTER_MARK_RE = re.compile(r"author name cluster", re.I)
COUNT_RE = re.compile(
    r"(?<![\w.,])(?P<n>\d{1,3}(?:,\d{3})+|\d+)\s+(?P<what>papers?|author\s+rows?)\b", re.I
)
POSSIBLE_PAPERS_RE = re.compile(r"^possible papers(?:\s*[:(]?\s*(?P<n>\d+)\)?)?$", re.I)
NUMBER_RE = re.compile(r"^\(?(\d+)\)?$")
COUNT_LABEL_RE = re.compile(r"^(?:papers?|author\s+rows?):?$", re.I)
SITE_NAME_RE = re.compile(r"arrow(?:\s+research)?(?:\s+search)?", re.I)
TITLE_SEPARATOR_RE = re.compile(r"\s+[|·•—–-]\s+|\s*:\s+")
FOOTER_RE = re.compile(
    r"^(?:©|\(c\)\s|copyright\b|all rights reserved|privacy|terms\b|back to top|page \d+ of \d+"
    r"|next\b|previous\b|prev\b|older\b|newer\b|load more|show more|cookie)",
    re.I,
)
SENTENCE_END_RE = re.compile(r"[.!?\"”'’)\]]$")


@dataclass(frozen=True, slots=True)
class VenueLine:
    """The four parts of a venue line."""

    venue: str
    kind: str
    year: int
    publication_type: str | None


def split_venue_line(line: str) -> VenueLine | None:
    """Split "<venue> <Conference|Journal|...> <year> <publication type>", or None."""
    match = VENUE_LINE_RE.match(line.strip())
    if not match or len(match["venue"].split()) > MAX_VENUE_WORDS:
        return None
    ptype = match["ptype"]
    if ptype and len(ptype.split()) > 5:
        return None
    return VenueLine(match["venue"], match["kind"].lower(), int(match["year"]), ptype)


def _is_venue_fragment(line: str) -> bool:
    """A line that can only be a piece of a venue line: kind, year, publication type."""
    return bool(line) and all(VENUE_FRAGMENT_WORD_RE.match(w) for w in line.split())


def _join_split_venue_lines(lines: Sequence[str]) -> list[str]:
    """Rejoin a venue line that a markup broke over several lines.

    "ICLR" / "Conference 2017" / "Conference Paper" become one line when the pieces after
    the first are nothing but venue kinds, years and publication-type words and the whole
    parses as a venue line.
    """
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        j = i + 1
        while j < len(lines) and j - i <= MAX_VENUE_PIECES and _is_venue_fragment(lines[j]):
            j += 1
        whole = " ".join(lines[i:j])
        alone = split_venue_line(line)
        joined = split_venue_line(whole) if j > i + 1 else None
        if (
            joined
            and not BULLET_RE.match(line)
            and (alone is None or (alone.publication_type is None and joined.publication_type))
        ):
            out.append(whole)
            i = j
        else:
            out.append(line)
            i += 1
    return out


def _is_name(text: str) -> bool:
    return len(text) <= 80 and bool(NAME_RE.match(text))


def _split_name_list(line: str) -> tuple[list[str], bool] | None:
    """Names of a comma-separated author line and whether it ends in a cut marker."""
    stripped = TRAILING_CUT_RE.sub("", line)
    cut = stripped != line
    names = [n for n in NAME_SEPARATOR_RE.split(stripped) if n]
    if (len(names) >= 2 or cut) and all(_is_name(n) for n in names):
        return names, cut
    return None


def _take_authors(block: Sequence[str], start: int) -> tuple[list[str], bool, int]:
    """Read the author list at ``block[start]``; returns names, cut marker, next index."""
    names: list[str] = []
    cut = False
    i = start
    if i < len(block) and BULLET_RE.match(block[i]):
        while i < len(block) and BULLET_RE.match(block[i]):
            item = BULLET_RE.sub("", block[i]).strip()
            if CUT_MARKER_RE.match(item):
                cut = True
            elif item:
                names.append(item)
            i += 1
    elif i < len(block) and (split := _split_name_list(block[i])):
        names, cut = split
        i += 1
    else:
        while i < len(block) and _is_name(block[i]) and not FOOTER_RE.match(block[i]):
            names.append(block[i])
            i += 1
    while i < len(block) and CUT_MARKER_RE.match(BULLET_RE.sub("", block[i])):
        cut = True
        i += 1
    return names, cut, i


def _is_prose(line: str) -> bool:
    return len(line.split()) >= 6 or bool(SENTENCE_END_RE.search(line) and len(line) > 20)


def _take_abstract(block: Sequence[str]) -> str | None:
    paragraphs: list[str] = []
    for line in block:
        if FOOTER_RE.match(line):
            break
        if _is_prose(line):
            paragraphs.append(line)
    return "\n".join(paragraphs) or None


def _parse_paper(block: Sequence[str], venue_line: str) -> PaperEntry:
    title = block[0] if block and not BULLET_RE.match(block[0]) else None
    names, cut, end = _take_authors(block, 1 if title else 0)
    return PaperEntry(
        venue_line=venue_line,
        title=title,
        authors=tuple(names),
        abstract=_take_abstract(block[end:]),
        authors_cut_marker=cut,
    )


def _hint_names(hints: Sequence[str]) -> list[str]:
    names = []
    for hint in hints:
        for part in (p.strip() for p in TITLE_SEPARATOR_RE.split(hint)):
            if part and not CLUSTER_MARK_RE.search(part) and not SITE_NAME_RE.fullmatch(part):
                names.append(part)
    return names


def _marker_names(header: Sequence[str]) -> list[str]:
    """Lines next to the "Author name cluster" marker, the following ones first."""
    names: list[str] = []
    for i, line in enumerate(header):
        mark = CLUSTER_MARK_RE.search(line)
        if not mark:
            continue
        rest = line[mark.end() :].strip(" :·|—–-›>»/")
        before = line[: mark.start()].strip(" :·|—–-‹<«/")
        names += [rest, *header[i + 1 : i + 3], before, *header[max(0, i - 1) : i]]
    return names


def _cluster_name(
    header: Sequence[str], hints: Sequence[str], authors: Sequence[str]
) -> str | None:
    """The cluster's name: a name-like line by the marker, else an ``<h1>``/title hint.

    A candidate that is also listed as an author of the page's papers is preferred: a
    cluster page lists papers by that very name.
    """
    candidates = [
        c
        for c in (*_marker_names(header), *_hint_names(hints))
        if c and _is_name(c) and not COUNT_RE.search(c) and not SITE_NAME_RE.fullmatch(c)
    ]
    listed = {_fold_name(a) for a in authors}
    for candidate in candidates:
        if _fold_name(candidate) in listed:
            return candidate
    return candidates[0] if candidates else None


def _fold_name(name: str) -> str:
    return HOMONYM_SUFFIX_RE.sub("", name).casefold()


def _count_texts(header: Sequence[str]) -> list[str]:
    """Header lines, plus "13" + "papers" rejoined where a markup split number and label."""
    texts = list(header)
    for first, second in pairwise(header):
        # "Papers:" labels the number after it; a bare "papers" the number before it.
        if COUNT_LABEL_RE.match(first) and first.endswith(":") and NUMBER_RE.match(second):
            texts.append(f"{second.strip('()')} {first.rstrip(':')}")
        elif NUMBER_RE.match(first) and COUNT_LABEL_RE.match(second) and not second.endswith(":"):
            texts.append(f"{first.strip('()')} {second}")
    return texts


def _counts(header: Sequence[str]) -> tuple[int | None, int | None]:
    """Declared papers and author rows; the "Possible papers" badge stands in for the first."""
    papers: int | None = None
    rows: int | None = None
    for text in _count_texts(header):
        if len(text) > 80:
            continue
        for match in COUNT_RE.finditer(text):
            value = int(match["n"].replace(",", ""))
            if match["what"].lower().startswith("paper"):
                papers = value if papers is None else papers
            else:
                rows = value if rows is None else rows
    badge: int | None = None
    for line, following in pairwise([*header, ""]):
        heading = POSSIBLE_PAPERS_RE.match(line)
        if heading and heading["n"]:
            badge = int(heading["n"])
        elif heading and (number := NUMBER_RE.match(following)):
            badge = int(number.group(1))
    return (papers if papers is not None else badge), rows


def parse_lines(lines: Sequence[str], source: str, hints: Sequence[str] = ()) -> ClusterPage:
    """Parse the visible ``lines`` of a cluster page read from ``source``.

    ``hints`` are texts that may carry the cluster name when the page body does not
    (an HTML ``<title>``, its ``<h1>``). Raises PageError for a page that is not a
    cluster page.
    """
    joined = _join_split_venue_lines(lines)
    anchors = [i for i, line in enumerate(joined) if split_venue_line(line)]
    header = joined[: anchors[0]] if anchors else joined
    bounds = [*anchors, len(joined)]
    papers = tuple(
        _parse_paper(joined[start + 1 : end], joined[start]) for start, end in pairwise(bounds)
    )
    name = _cluster_name(header, hints, [a for p in papers for a in p.authors])
    declared, rows = _counts(header)
    marked = any(CLUSTER_MARK_RE.search(line) for line in header)
    if name is None:
        raise PageError(source, "not an author-cluster page: no cluster name found")
    if not (marked or (declared is not None and anchors)):
        raise PageError(
            source,
            'not an author-cluster page: no "Author name cluster" heading, nor a paper count'
            " with papers",
        )
    return ClusterPage(
        url=source,
        cluster_name=name,
        declared_papers=declared,
        author_rows=rows,
        papers=papers,
    )
