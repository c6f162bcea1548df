"""Merge rules: how a page's version of a paper or a cluster folds into the stored one.

Pure functions on plain state, no database. Every choice between two versions is made by a
rule that does not depend on which came first, so loading pages in any order, any number of
times, in batches of any size, leaves the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from operator import attrgetter, itemgetter
from typing import TYPE_CHECKING, Any

from pipelines.completion import list_rank, list_wins

if TYPE_CHECKING:
    from pipelines.dates import ShownDate
    from pipelines.model import Authorship, CleanPage, CleanPaper

PRECISION_RANK = {"year": 0, "month": 1, "day": 2}


def _utc(moment: datetime | None) -> datetime | None:
    """A stored time as UTC-aware (SQLite keeps no offset; times are stored in UTC)."""
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def better_text(a: str | None, b: str | None) -> str | None:
    """The richer of two spellings of one value: present, more accents, more capitals."""
    if a == b:
        return a or None
    candidates = [t for t in (a, b) if t]
    if not candidates:
        return None
    return max(
        candidates,
        key=lambda t: (sum(not c.isascii() for c in t), sum(c.isupper() for c in t), t),
    )


@dataclass(slots=True)
class PaperState:
    """A ``papers`` row as the loader merges it (``id`` is None until inserted)."""

    key: str
    title: str
    year: int
    venue_id: int
    publication_type: str | None
    abstract: str | None
    abstract_raw: str | None
    authors_complete: bool | None
    listed_authors: int
    detail_url: str | None
    published_on: date | None = None
    published_precision: str | None = None
    pdf_url: str | None = None
    bib_url: str | None = None
    doi: str | None = None
    first_run_id: int | None = None
    changed_run_id: int | None = None
    first_seen_at: datetime | None = None
    last_seen_at: datetime | None = None
    id: int | None = None

    @classmethod
    def new(cls, key: str, clean: CleanPaper, venue_id: int, run_id: int | None) -> PaperState:
        return cls(
            key=key,
            title=clean.title,
            year=clean.year,
            venue_id=venue_id,
            publication_type=clean.publication_type,
            abstract=clean.abstract,
            abstract_raw=clean.abstract_raw,
            authors_complete=clean.authors_complete,
            listed_authors=clean.listed_authors,
            detail_url=clean.detail_url,
            pdf_url=clean.pdf_url,
            bib_url=clean.bib_url,
            doi=clean.doi,
            first_run_id=run_id,
            changed_run_id=run_id,
        )

    @classmethod
    def from_row(cls, row: Any) -> PaperState:
        state = cls(*_paper_fields(row))
        state.first_seen_at, state.last_seen_at = (
            _utc(state.first_seen_at),
            _utc(state.last_seen_at),
        )
        return state

    def seen(self, at: datetime) -> None:
        """A page fetched at ``at`` showed the paper: the first and last sightings widen."""
        self.first_seen_at = min(self.first_seen_at or at, at)
        self.last_seen_at = max(self.last_seen_at or at, at)

    def values(self) -> dict[str, Any]:
        return dict(zip(_PAPER_COLUMNS, _paper_columns(self), strict=True))

    def snapshot(self) -> tuple[object, ...]:
        """The columns a merge may change, to tell whether one did."""
        return _paper_columns(self)

    def written(self, before: tuple[object, ...]) -> dict[str, Any] | None:
        """The row to write back for this stored paper, whose ``snapshot`` was ``before``:
        None when the merge changed nothing; its id and sighting times when only those
        changed (most papers a replay sees again: every column written back costs the
        update four times as much, its indexes rewritten too); else its id and every
        column."""
        after = self.snapshot()
        if after == before:
            return None
        if _but_sightings(after) == _but_sightings(before):
            return {
                "id": self.id,
                "first_seen_at": self.first_seen_at,
                "last_seen_at": self.last_seen_at,
            }
        return {"id": self.id, **self.values()}

    def shown(self) -> tuple[object, ...]:
        """The fields whose change makes a paper "updated"."""
        return (
            self.title,
            self.publication_type,
            self.abstract,
            self.detail_url,
            self.published_on,
            self.published_precision,
            self.pdf_url,
            self.bib_url,
            self.doi,
        )


# Field names, read once (``dataclasses.fields`` on every row was a tenth of the loader's
# time): all of them for reading a row, and the columns a merge may change for writing one.
_PAPER_FIELDS = tuple(f.name for f in fields(PaperState))
_PAPER_COLUMNS = tuple(name for name in _PAPER_FIELDS if name != "id")
_paper_fields = attrgetter(*_PAPER_FIELDS)
_paper_columns = attrgetter(*_PAPER_COLUMNS)
# When a paper was seen first and last: the columns a page showing it again changes most.
SIGHTING_COLUMNS = ("first_seen_at", "last_seen_at")
_but_sightings = itemgetter(
    *(i for i, name in enumerate(_PAPER_COLUMNS) if name not in SIGHTING_COLUMNS)
)


@dataclass(slots=True)
class AuthorshipState:
    """An ``authorships`` row: one author of one paper, at a position or unpositioned."""

    author_id: int
    key: str  # the author's identity key: what ties between lists are decided on
    position: int | None
    name_as_listed: str
    source: str
    dirty: bool = False


def merge_paper(paper: PaperState, clean: CleanPaper) -> bool:
    """Fold the page's version of the paper's fields into ``paper``; True when changed."""
    before = paper.shown()
    paper.title = better_text(paper.title, clean.title) or clean.title
    paper.publication_type = better_text(paper.publication_type, clean.publication_type)
    old = (len(paper.abstract_raw or ""), paper.abstract_raw or "")
    new = (len(clean.abstract_raw or ""), clean.abstract_raw or "")
    if new > old:
        paper.abstract, paper.abstract_raw = clean.abstract, clean.abstract_raw
    # Of two links to one paper, the first in code-point order: whatever order pages come in.
    paper.detail_url = min(filter(None, (paper.detail_url, clean.detail_url)), default=None)
    paper.pdf_url = min(filter(None, (paper.pdf_url, clean.pdf_url)), default=None)
    paper.bib_url = min(filter(None, (paper.bib_url, clean.bib_url)), default=None)
    paper.doi = min(filter(None, (paper.doi, clean.doi)), default=None)
    if clean.date is not None:
        _merge_date(paper, clean.date)
    return before != paper.shown()


def _merge_date(paper: PaperState, shown: ShownDate) -> None:
    """The more precise date wins (a day over a month over a year), then the earlier."""
    new_rank = (PRECISION_RANK[shown.precision], -shown.on.toordinal())
    old_rank = (
        (PRECISION_RANK[paper.published_precision], -paper.published_on.toordinal())
        if paper.published_on and paper.published_precision
        else (-1, 0)
    )
    if new_rank > old_rank:
        paper.published_on, paper.published_precision = shown.on, shown.precision


def _positioned_order(existing: dict[int, AuthorshipState]) -> list[str]:
    """The author keys of the stored list, in page order."""
    rows = sorted(existing.values(), key=lambda row: row.position or 0)
    return [row.key for row in rows if row.position is not None]


def _unposition_losers(existing: dict[int, AuthorshipState], new_order: list[str]) -> bool:
    """Authors of the old list missing from the winning one stay, without a position."""
    changed = False
    for row in existing.values():
        if row.position is not None and row.key not in new_order:
            row.position = None
            row.dirty = changed = True
    return changed


def _merge_one(
    current: AuthorshipState, authorship: Authorship, *, wins: bool, same_list: bool
) -> bool:
    """Fold one listed author into its stored row; True when the row changed."""
    if wins and authorship.position is not None:
        if (current.position, current.name_as_listed) == (
            authorship.position,
            authorship.author.name,
        ):
            return False
        current.position = authorship.position
        current.name_as_listed = authorship.author.name
        current.source = "page"
        current.dirty = True
        return True
    if (same_list and authorship.position is not None) or (not wins and current.position is None):
        # The same list seen twice, or a name kept unpositioned: the better spelling
        # ("Ilya" over "ilya") stays, whichever page came first.
        spelling = better_text(current.name_as_listed, authorship.author.name)
        if spelling and spelling != current.name_as_listed:
            current.name_as_listed = spelling
            current.dirty = True
            return True
    return False


# Size: completion's order-free rule: each branch is one case of old list against new.
def merge_authorships(
    paper: PaperState,
    existing: dict[int, AuthorshipState],
    clean: CleanPaper,
    author_ids: dict[str, int],
    *,
    is_new: bool,
) -> bool:
    """Merge the page's author list into ``existing`` (by author id); True when it changed.

    Which list wins is ``pipelines.completion``'s rule; a name is never lost: a loser's
    authors stay, unpositioned. Rows that change are marked ``dirty``; new rows are added.
    """
    old_order = _positioned_order(existing)
    new_order = [a.author.key for a in clean.authorships if a.position is not None]
    old_rank = list_rank(paper.listed_authors, paper.authors_complete)
    new_rank = list_rank(clean.listed_authors, clean.authors_complete)
    wins = is_new or list_wins(new_rank, new_order, old_rank, old_order)
    same_list = new_rank == old_rank and new_order == old_order
    changed = wins and new_order != old_order and _unposition_losers(existing, new_order)
    if wins:
        paper.listed_authors = clean.listed_authors
        paper.authors_complete = clean.authors_complete
    for authorship in clean.authorships:
        author_id = author_ids[authorship.author.key]
        current = existing.get(author_id)
        if current is None:
            existing[author_id] = AuthorshipState(
                author_id=author_id,
                key=authorship.author.key,
                position=authorship.position if wins else None,
                name_as_listed=authorship.author.name,
                source=authorship.source,
                dirty=True,
            )
            changed = True
        else:
            changed = _merge_one(current, authorship, wins=wins, same_list=same_list) or changed
    return changed


@dataclass(slots=True)
class ClusterState:
    """A ``clusters`` row as the loader merges it."""

    id: int
    key: str
    name: str
    declared_papers: int | None
    author_rows: int | None
    updated_on: date | None
    updated_precision: str | None
    counts_seen_at: datetime | None
    first_run_id: int | None
    changed_run_id: int | None

    @classmethod
    def from_row(cls, row: Any) -> ClusterState:
        state = cls(*_cluster_fields(row))
        state.counts_seen_at = _utc(state.counts_seen_at)
        return state

    def values(self) -> dict[str, Any]:
        return dict(zip(_CLUSTER_COLUMNS, _cluster_columns(self), strict=True))

    def shown(self) -> tuple[object, ...]:
        """What an export says of the cluster (when its counts were seen is bookkeeping)."""
        return self.name, self.declared_papers, self.author_rows, self.updated_on


_CLUSTER_FIELDS = tuple(f.name for f in fields(ClusterState))
_CLUSTER_COLUMNS = tuple(name for name in _CLUSTER_FIELDS if name not in ("id", "key"))
_cluster_fields = attrgetter(*_CLUSTER_FIELDS)
_cluster_columns = attrgetter(*_CLUSTER_COLUMNS)


def _counts_rank(seen_at: datetime | None, papers: int | None, rows: int | None) -> tuple[Any, ...]:
    moment = seen_at or datetime.min.replace(tzinfo=UTC)
    return moment, -1 if papers is None else papers, -1 if rows is None else rows


# Size: the counts' order-free rule and the cluster's other fields, each in a line or two.
def merge_cluster(cluster: ClusterState, page: CleanPage, seen_at: datetime) -> None:
    """Fold what a page fetched at ``seen_at`` says of its cluster into ``cluster``.

    The declared counts are the most recently fetched page's (the site's latest word; a
    tie goes to the larger counts), whatever order pages are loaded in. A page that shows
    no count (a later page of a paginated cluster) does not compete; one that shows only
    one keeps the other as known.
    """
    if page.declared_papers is not None or page.author_rows is not None:
        new = _counts_rank(seen_at, page.declared_papers, page.author_rows)
        old = _counts_rank(cluster.counts_seen_at, cluster.declared_papers, cluster.author_rows)
        if cluster.counts_seen_at is None or new > old:
            cluster.counts_seen_at = seen_at
            if page.declared_papers is not None:
                cluster.declared_papers = page.declared_papers
            if page.author_rows is not None:
                cluster.author_rows = page.author_rows
    cluster.name = better_text(cluster.name, page.cluster.name) or cluster.name
    # The latest "updated" stamp seen wins, whatever order the pages come in.
    if page.updated and (cluster.updated_on is None or page.updated.on > cluster.updated_on):
        cluster.updated_on, cluster.updated_precision = page.updated.on, page.updated.precision
