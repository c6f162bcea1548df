"""The text grammar of a cluster page (see DESIGN.md, "Page grammar").

Works on visible lines, so it reads a plain-text snapshot and any HTML rendering of the
page alike. Papers are anchored on their venue line ("<venue> <Conference|Journal> <year>
<publication type>"); everything else is read relative to those anchors. Lines rendered
from HTML carry the path of block elements they came from, which bounds each paper to its
card: what follows the last card (a footer, a banner) is never read as part of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING

from crawler.pages.model import ClusterPage, PageError, PaperEntry
from crawler.pages.visible import VisibleLine

if TYPE_CHECKING:
    from collections.abc import Sequence

VENUE_KINDS = r"conference|journal|workshop|symposium"
YEAR = r"(?:1[89]|20|21)\d\d"
_SEP = r"(?:\s*[·•|,–—]\s*|\s+)"
VENUE_LINE_RE = re.compile(
    rf"^(?P<venue>[^\s•·*].{{0,400}}?){_SEP}(?P<kind>{VENUE_KINDS}){_SEP}(?P<year>{YEAR})"
    rf"(?:{_SEP}(?P<ptype>[^\W\d_][^.!?:;·•|]{{0,60}}?))?\s*$",
    re.I,
)
VENUE_FRAGMENT_WORD_RE = re.compile(
    rf"^(?:{VENUE_KINDS}|{YEAR}|paper|article|abstract|poster|proceedings|chapter|preprint"
    r"|thesis|report|book|demo|short|long|extended|oral|spotlight|track|[·•|–—])$",
    re.I,
)
MAX_VENUE_PIECES = 4
# A venue this long must read as a name, not as prose that happens to end in "... Journal
# 2020": most of its words capitalized, no sentence break inside.
MAX_VENUE_WORDS = 16
NAME_FUNCTION_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "at",
        "by",
        "de",
        "for",
        "from",
        "in",
        "of",
        "on",
        "the",
        "to",
        "with",
        "und",
    ]
)
MIN_CAPITALIZED_SHARE = 0.7
SENTENCE_BREAK_RE = re.compile(r"[.!?]\s+[A-Z]")

BULLETS = "•·‣◦▪●○■□–—*-►▸⁃∙⦁\uf0b7\uf0a7"
BULLET_RE = re.compile(rf"^[{re.escape(BULLETS)}]\s*")
NAME_TOKEN = r"(?:[^\W\d_][\w'’‘.\-]*|\(\w+\))"
NAME_RE = re.compile(rf"^{NAME_TOKEN}(?:\s+{NAME_TOKEN}){{0,7}}(?:\s+\d{{4}})?$")
NAME_SEPARATOR_RE = re.compile(r"\s*(?:[,;]|\s[&·•|]\s|\band\b)\s*")
AUTHORS_LABEL_RE = re.compile(r"^(?:authors?|by|written by)\s*[:：]\s*|^by\s+(?=\S)", re.I)
CUT_MARKER_RE = re.compile(
    r"^(?:et al\.?|…|\.\.\.|\+\s*\d+(?:\s+more)?(?:\s+authors?)?"
    r"|(?:and\s+)?\d+\s+more(?:\s+authors?)?|show (?:all|more)(?: authors)?)$",
    re.I,
)
TRAILING_CUT_RE = re.compile(r"(?:,?\s*(?:et al\.?|…|\.\.\.)|\s*\(?\+\s*\d+\s+more\)?)\s*$", re.I)
# Buttons and labels of a paper card: never an author, never an abstract.
UI_WORDS = frozenset(
    [
        "abs",
        "abstract",
        "bib",
        "bibtex",
        "cite",
        "code",
        "copy",
        "details",
        "doi",
        "download",
        "export",
        "hide",
        "html",
        "less",
        "link",
        "more",
        "open",
        "pdf",
        "read",
        "save",
        "share",
        "show",
        "slides",
        "supplementary",
        "video",
        "view",
        "access",
        "arxiv",
    ]
)
UI_MAX_CHARS = 48
WORDS_RE = re.compile(r"[^\W\d_]+")

HOMONYM_SUFFIX_RE = re.compile(r"\s+\d{4}$")
CLUSTER_MARK_RE = re.compile(r"author name cluster", re.I)
COUNT_RE = re.compile(
    r"(?<![\w.,])(?P<n>\d{1,3}(?:,\d{3})+|\d+)\s+(?P<what>papers?|author\s+rows?)\b", re.I
)
POSSIBLE_PAPERS_RE = re.compile(r"^possible papers(?:\s*[:(]?\s*(?P<n>\d+)\)?)?$", re.I)
NUMBER_RE = re.compile(r"^\(?(\d+)\)?$")
COUNT_LABEL_RE = re.compile(r"^(?:papers?|author\s+rows?)(?P<colon>\s*:)?$", re.I)
SITE_NAME_RE = re.compile(r"arrow(?:\s+research)?(?:\s+search)?", re.I)
TITLE_SEPARATOR_RE = re.compile(r"\s+[|·•—–-]\s+|\s*:\s+")
# Page furniture after the papers: short lines only, so prose that starts with
# "Privacy-preserving ..." or "Next, we ..." stays part of an abstract.
FOOTER_RE = re.compile(
    r"^(?:©|\(c\)\s|copyright\b|all rights reserved|privacy(?: policy)?$|terms(?: of \w+)?$"
    r"|back to top|page \d+ of \d+|(?:next|previous|prev|older|newer)(?: page)?\s*[›»→>]*$"
    r"|[‹«←<]+\s*(?:previous|prev)|load more|show more$|cookie (?:policy|settings)$)",
    re.I,
)
FOOTER_MAX_WORDS = 12
_DATE_TEXT = r"\s*[:\-–]?\s*(?P<date>(?=.*(?:\d|today|yesterday|ago|hier|gestern|heute)).{4,60})$"
UPDATED_RE = re.compile(
    r"^(?:last\s+)?(?:updated|modified|refreshed|indexed|as of|mis[ea]? à jour|actualizado"
    r"|aktualisiert|aggiornato)(?:\s+(?:on|le|am|el|il))?" + _DATE_TEXT,
    re.I,
)
PAPER_DATE_RE = re.compile(
    r"^(?:published|publication date|date|publié|veröffentlicht|publicado|pubblicato)"
    r"(?:\s+(?:on|le|am|el|il))?" + _DATE_TEXT,
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
    if not match or not _reads_as_venue(match["venue"]):
        return None
    ptype = match["ptype"]
    if ptype and len(ptype.split()) > 5:
        return None
    return VenueLine(match["venue"], match["kind"].lower(), int(match["year"]), ptype)


def _reads_as_venue(venue: str) -> bool:
    """A short venue always; a long one ("Proceedings of the 2019 Conference of the North
    American Chapter of the Association for Computational Linguistics: Human Language
    Technologies, Volume 1 (Long and Short Papers)") when it reads as a name, not prose."""
    words = venue.split()
    if len(words) <= MAX_VENUE_WORDS:
        return True
    if SENTENCE_BREAK_RE.search(venue):
        return False
    content = [w for w in words if w.lower() not in NAME_FUNCTION_WORDS]
    capitalized = sum(1 for w in content if not w[:1].islower())
    return capitalized >= MIN_CAPITALIZED_SHARE * len(content)


def canonical_venue_line(line: str) -> str:
    """The venue line with separators between its parts dropped ("ICML Conference 2018 ·
    Conference Paper" -> "ICML Conference 2018 Conference Paper"); other lines unchanged."""
    match = VENUE_LINE_RE.match(line.strip())
    if not match:
        return line
    parts = (match["venue"], match["kind"], match["year"], match["ptype"])
    return " ".join(p for p in parts if p)


def _is_venue_fragment(line: str) -> bool:
    """A line that can only be a piece of a venue line: kind, year, publication type."""
    return bool(line) and all(VENUE_FRAGMENT_WORD_RE.match(w) for w in line.split())


# Size: one branch per way a venue line is broken across lines.
def _join_split_venue_lines(lines: Sequence[VisibleLine]) -> list[VisibleLine]:
    """Rejoin a venue line that a markup broke over several lines.

    "ICLR" / "Conference 2017" / "Conference Paper" become one line when the pieces after
    the first are nothing but venue kinds, years and publication-type words and the whole
    parses as a venue line.
    """
    out: list[VisibleLine] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        j = i + 1
        while j < len(lines) and j - i <= MAX_VENUE_PIECES and _is_venue_fragment(lines[j].text):
            j += 1
        whole = " ".join(piece.text for piece in lines[i:j])
        alone = split_venue_line(line.text)
        joined = split_venue_line(whole) if j > i + 1 else None
        if (
            joined
            and not BULLET_RE.match(line.text)
            and (alone is None or (alone.publication_type is None and joined.publication_type))
        ):
            out.append(VisibleLine(whole, line.path))
            i = j
        else:
            out.append(line)
            i += 1
    return out


def _is_ui(text: str) -> bool:
    """A button or label row ("PDF", "Cite · Save", "Abstract"), not content."""
    if len(text) > UI_MAX_CHARS or any(c.isdigit() for c in text):
        return False
    words = WORDS_RE.findall(text)
    return bool(words) and all(w.lower() in UI_WORDS for w in words)


def _is_footer(text: str) -> bool:
    return len(text.split()) <= FOOTER_MAX_WORDS and bool(FOOTER_RE.match(text))


def _is_name(text: str) -> bool:
    return len(text) <= 80 and bool(NAME_RE.match(text)) and not _is_ui(text)


def _split_name_list(line: str) -> tuple[list[str], bool] | None:
    """Names of a comma-separated author line and whether it ends in a cut marker."""
    unlabelled = AUTHORS_LABEL_RE.sub("", line)
    stripped = TRAILING_CUT_RE.sub("", unlabelled)
    cut = stripped != unlabelled
    names = [n for n in NAME_SEPARATOR_RE.split(stripped) if n]
    several = len(names) >= 2 or cut or unlabelled != line
    if names and several and all(_is_name(n) for n in names):
        return names, cut
    return None


def _bullet_item(text: str) -> str | None:
    """The text of a bullet line, or None when the line is not a bullet."""
    return BULLET_RE.sub("", text).strip() if BULLET_RE.match(text) else None


# Size: an author line's grammar (names, "and", cut marker, trailing notes) as one state machine.
def _take_authors(block: Sequence[str], start: int) -> tuple[list[str], bool, int]:
    """Read the author list at ``block[start]``; returns names, cut marker, next index."""
    names: list[str] = []
    cut = False
    i = start
    while i < len(block) and _is_ui(block[i]):
        i += 1
    if i < len(block) and _bullet_item(block[i]) is not None:
        while i < len(block) and (item := _bullet_item(block[i])) is not None:
            if CUT_MARKER_RE.match(item):
                cut = True
            elif NUMBER_RE.match(item) or _is_ui(item):
                break  # a pager or a button row after the list, not an author
            elif item:
                names.append(AUTHORS_LABEL_RE.sub("", item))
            i += 1
    elif i < len(block) and (split := _split_name_list(block[i])):
        names, cut = split
        i += 1
    else:
        while i < len(block) and _is_name(block[i]) and not _is_footer(block[i]):
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
        if _is_footer(line):
            break
        if _is_prose(line) and not _is_ui(line):
            paragraphs.append(line)
    return "\n".join(paragraphs) or None


def _shown_date(lines: Sequence[str], pattern: re.Pattern[str]) -> str | None:
    return next((m["date"].strip() for line in lines if (m := pattern.match(line))), None)


def _parse_paper(lines: Sequence[str], venue_line: str) -> PaperEntry:
    title = lines[0] if lines and _bullet_item(lines[0]) is None else None
    date = _shown_date(lines[1:], PAPER_DATE_RE)
    block = [line for line in lines if not PAPER_DATE_RE.match(line)] if date else lines
    names, cut, end = _take_authors(block, 1 if title else 0)
    return PaperEntry(
        venue_line=venue_line,
        title=title,
        authors=tuple(names),
        abstract=_take_abstract(block[end:]),
        authors_cut_marker=cut,
        date=date,
    )


def _common_prefix(paths: Sequence[tuple[int, ...]]) -> tuple[int, ...]:
    prefix = paths[0]
    for path in paths[1:]:
        n = 0
        while n < min(len(prefix), len(path)) and prefix[n] == path[n]:
            n += 1
        prefix = prefix[:n]
    return prefix


def _card_scopes(lines: Sequence[VisibleLine], anchors: Sequence[int]) -> list[tuple[int, ...]]:
    """For each paper, the block path its lines must lie under.

    The papers' venue lines share a list container; a paper's card is the child of that
    container that holds its venue line, when its title is in that child too. When the
    venue line and the title sit in different children (a flat layout, table rows), the
    container itself is the scope.
    """
    if len(anchors) < 2:
        return [()] * len(anchors)
    container = _common_prefix([lines[a].path for a in anchors])
    scopes = []
    for a in anchors:
        venue = lines[a].path
        title = lines[a + 1].path if a + 1 < len(lines) else venue
        depth = min(len(container) + 1, len(_common_prefix([venue, title])))
        scopes.append(venue[: max(depth, len(container))])
    return scopes


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


def _fold_name(name: str) -> str:
    return HOMONYM_SUFFIX_RE.sub("", name).casefold()


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


# Size: one branch per place the site writes a cluster's counts.
def _count_texts(header: Sequence[str]) -> list[str]:
    """Header lines, plus number and label rejoined where a markup split them.

    "13" / "papers" reads number first; "Papers:" / "13", or a page whose first split
    count starts with its label (a ``<dl>``), reads label first.
    """
    texts = list(header)
    pairs = list(pairwise(header))
    label_first = next(
        (
            bool(COUNT_LABEL_RE.match(a))
            for a, b in pairs
            if (COUNT_LABEL_RE.match(a) and NUMBER_RE.match(b))
            or (NUMBER_RE.match(a) and COUNT_LABEL_RE.match(b))
        ),
        False,
    )
    for first, second in pairs:
        label = COUNT_LABEL_RE.match(first)
        if label and NUMBER_RE.match(second) and (label_first or label["colon"]):
            texts.append(f"{second.strip('()')} {first.rstrip(': ')}")
        elif (
            NUMBER_RE.match(first)
            and (label := COUNT_LABEL_RE.match(second))
            and not label_first
            and not label["colon"]
        ):
            texts.append(f"{first.strip('()')} {second}")
    return texts


def _counts(header: Sequence[str]) -> tuple[int | None, int | None]:
    """Declared papers and author rows; the "Possible papers" badge stands in for the first.

    Counts after the "Author name cluster" heading come first: what precedes it may be a
    sidebar about other authors.
    """
    marks = [i for i, line in enumerate(header) if CLUSTER_MARK_RE.search(line)]
    if marks and marks[0] > 0:
        after = _own_counts(header[marks[0] :])
        before = _own_counts(header)
        return (
            after[0] if after[0] is not None else before[0],
            after[1] if after[1] is not None else before[1],
        )
    return _own_counts(header)


# Size: the counts as the header writes them, then the badge, in that order of trust.
def _own_counts(header: Sequence[str]) -> tuple[int | None, int | None]:
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


# Size: the page grammar's productions in order; each branch is one kind of line.
def parse_lines(
    lines: Sequence[str | VisibleLine],
    source: str,
    hints: Sequence[str] = (),
    continues: str | None = None,
) -> ClusterPage:
    """Parse the visible ``lines`` of a cluster page read from ``source``.

    ``lines`` are plain strings (a text snapshot) or VisibleLines with their block paths
    (rendered HTML). ``hints`` are texts that may carry the cluster name when the page
    body does not (an HTML ``<h1>``, its ``<title>``). ``continues`` names the cluster
    when the page was reached by a ``rel="next"`` link: a later page of a cluster may show
    its papers without the cluster's heading. Raises PageError for a page that is not a
    cluster page.
    """
    visible = [line if isinstance(line, VisibleLine) else VisibleLine(line, ()) for line in lines]
    joined = _join_split_venue_lines(visible)
    texts = [line.text for line in joined]
    anchors = [i for i, text in enumerate(texts) if split_venue_line(text)]
    header = texts[: anchors[0]] if anchors else texts
    papers = tuple(
        _parse_paper(
            [line.text for line in joined[start + 1 : end] if line.path[: len(scope)] == scope],
            canonical_venue_line(texts[start]),
        )
        for (start, end), scope in zip(
            pairwise([*anchors, len(joined)]), _card_scopes(joined, anchors), strict=True
        )
    )
    name = _cluster_name(header, hints, [a for p in papers for a in p.authors])
    declared, rows = _counts(header)
    marked = headed = any(CLUSTER_MARK_RE.search(line) for line in header)
    if continues and anchors and not marked:
        name, marked = continues, True
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
        updated=_shown_date(header, UPDATED_RE),
        headed=headed,
    )
