"""From a parsed page to a clean page: every paper validated, normalized, or rejected."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING

from pipelines.abstracts import abstract_repairs, page_words
from pipelines.authors import AuthorName, split_author
from pipelines.completion import authors_complete, cluster_authorship, truncated_end
from pipelines.dates import parse_shown_date
from pipelines.digest import paper_digest
from pipelines.identity import paper_key
from pipelines.model import Authorship, CleanPage, CleanPaper, PaperReject
from pipelines.text import normalize_space
from pipelines.venues import VenueRegistry, default_registry, split_venue_line

if TYPE_CHECKING:
    from crawler.pages.grammar import VenueLine
    from crawler.pages.model import ClusterPage, PaperEntry
    from pipelines.abstracts import PageText

MIN_YEAR = 1900
# Limits of what a page may put in a field, with their reasons (the store's columns have
# none): the longest real titles run to about 300 characters and names to about 80, so a
# longer value is a page that put something else there; its paper is refused, with the
# reason, and the page's other papers are kept.
MAX_TITLE_CHARS = 1000
MAX_NAME_CHARS = 200
# A venue line as far as its year: to say what is wrong with one that does not parse.
LOOSE_VENUE_LINE_RE = re.compile(
    r"^.+?\s+(?:conference|journal|workshop|symposium)[\s,·|–—-]+(?P<year>\S+)", re.I
)


def year_problem(year: int, max_year: int) -> str | None:
    """Why ``year`` cannot be a paper's year, or None when it can."""
    if year > max_year:
        return f"year {year} is after {max_year}"
    if year < MIN_YEAR:
        return f"year {year} is before {MIN_YEAR}"
    return None


def venue_line_problem(raw: str, max_year: int) -> str:
    """Why a venue line does not parse, as precisely as can be said."""
    loose = LOOSE_VENUE_LINE_RE.match(normalize_space(raw))
    year = loose["year"].strip(".,;") if loose else ""
    if loose and not year.isdigit():
        return f"venue line has no year: {year!r} is not a year"
    if loose and (why := year_problem(int(year), max_year)) is not None:
        return why
    return f"venue line does not parse: {raw!r}"


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def raw_paper_text(paper: PaperEntry) -> str:
    """The paper as the page showed it, one field a line, for the rejects table."""
    lines = [paper.venue_line, paper.title or "", *(f"• {a}" for a in paper.authors)]
    return "\n".join([*lines, paper.abstract or ""]).strip()


@lru_cache(maxsize=4096)
def venue_line(raw: str) -> VenueLine | None:
    """The parts of a venue line as the page wrote it (memoized: a venue line recurs on
    every paper of that venue and year)."""
    return split_venue_line(normalize_space(raw))


# Size: every reason a paper is refused, in the order they are told.
def _checked(paper: PaperEntry, max_year: int) -> tuple[VenueLine, str, list[AuthorName]] | str:
    """The paper's venue line, title and author names, or why it cannot be a paper."""
    line = venue_line(paper.venue_line)
    if line is None:
        return venue_line_problem(paper.venue_line, max_year)
    title = normalize_space(paper.title or "")
    if not title:
        return "no title"
    if len(title) > MAX_TITLE_CHARS:
        return f"a title of {len(title):,} characters is not a title (at most {MAX_TITLE_CHARS:,})"
    if (why := year_problem(line.year, max_year)) is not None:
        return why
    names = [split_author(a) for a in paper.authors if a and not a.isspace()]
    if not names:
        return "empty author list"
    if too_long := [n.name for n in names if len(n.name) > MAX_NAME_CHARS]:
        return f"an author name of {len(too_long[0]):,} characters is not a name"
    return line, title, names


# Size: mostly the clean paper's fields, one per line.
def clean_paper(
    paper: PaperEntry,
    cluster: AuthorName,
    *,
    display_limit: int,
    max_year: int,
    registry: VenueRegistry,
    fetched_at: datetime,
    page_text: PageText | None = None,
) -> CleanPaper | str:
    """The clean paper, or the reason it cannot be made valid. ``page_text`` (the page's
    titles and abstracts, ``pipelines.abstracts.page_words``) is evidence for the
    line-break hyphens of its abstract."""
    checked = _checked(paper, max_year)
    if isinstance(checked, str):
        return checked
    line, title, names = checked
    complete = authors_complete(names, cluster, display_limit, paper.authors_cut_marker)
    listed = tuple(Authorship(n, i, "page") for i, n in enumerate(names, start=1))
    implied = cluster_authorship(names, cluster, complete)
    abstract, repairs = abstract_repairs(paper.abstract, page_text)
    written = normalize_space(line.venue)
    clean = CleanPaper(
        key=paper_key(title, line.year, written, line.kind),
        title=title,
        year=line.year,
        venue=registry.resolve(line.venue, line.kind),
        venue_written=written,
        venue_kind=line.kind,
        publication_type=normalize_space(line.publication_type or "") or None,
        authorships=listed + ((implied,) if implied else ()),
        listed_authors=len(names),
        authors_complete=complete,
        abstract=abstract,
        abstract_raw=paper.abstract,
        detail_url=paper.detail_url,
        pdf_url=paper.pdf_url,
        bib_url=paper.bib_url,
        doi=paper.doi,
        repairs=repairs,
        date=parse_shown_date(paper.date, fetched_at) if paper.date else None,
    )
    # The digest hashes the clean fields: set on the new, unshared paper rather than copied
    # into another (``dataclasses.replace`` costs as much as the rest of this function).
    object.__setattr__(clean, "digest", paper_digest(clean))
    return clean


# Size: a page's papers cleaned, rejects kept with reasons, the page's evidence passed along.
def clean_page(
    page: ClusterPage,
    *,
    display_limit: int,
    max_year: int,
    fetched_at: datetime = EPOCH,
    registry: VenueRegistry | None = None,
) -> CleanPage:
    """Clean every paper of ``page``; papers that cannot be made valid become rejects.

    ``fetched_at`` anchors relative dates the page shows ("updated yesterday"). A word
    written whole (or hyphenated) elsewhere on the page is evidence for a line-break hyphen
    of an abstract ("frame-work" beside "framework" in another paper of the author's).
    """
    page = truncated_end(page)
    cluster = split_author(page.cluster_name)
    page_text = page_words(t for p in page.papers for t in (p.title, p.abstract))
    papers: list[CleanPaper] = []
    rejects: list[PaperReject] = []
    updated = parse_shown_date(page.updated, fetched_at) if page.updated else None
    unparsed = [page.updated] if page.updated and updated is None else []
    for index, entry in enumerate(page.papers, start=1):
        result = clean_paper(
            entry,
            cluster,
            display_limit=display_limit,
            max_year=max_year,
            registry=registry or default_registry(),
            fetched_at=fetched_at,
            page_text=page_text,
        )
        if isinstance(result, str):
            rejects.append(PaperReject(index, result, raw_paper_text(entry)))
        else:
            papers.append(result)
            if entry.date and result.date is None:
                unparsed.append(entry.date)
    return CleanPage(
        cluster,
        page.declared_papers,
        page.author_rows,
        tuple(papers),
        tuple(rejects),
        updated=updated,
        unparsed_dates=tuple(unparsed),
    )
