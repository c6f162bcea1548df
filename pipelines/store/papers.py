"""Papers of a batch: created or merged with their stored versions, set-wise.

Each table is read once for every key the batch names, rows are merged in memory by the
rules of ``pipelines.store.merge``, and written back as multi-row inserts, upserts and
updates, sorted by key so that concurrent writers take their locks in one order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from pipelines.digest import paper_digest
from pipelines.store.db import RetryTransaction
from pipelines.store.dialects import dialect_of
from pipelines.store.dialects.base import chunks
from pipelines.store.entities import author_ids, by_author, drop_orphan_venues, venue_ids
from pipelines.store.merge import AuthorshipState, PaperState, merge_authorships, merge_paper
from pipelines.store.models import Author, ClusterPaper, Paper, RunPaper, Venue
from pipelines.store.models import Authorship as AuthorshipRow
from pipelines.store.rows import locked_by_key, plain_rows, table_of

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.orm import Session

    from pipelines.model import CleanPage, CleanPaper
    from pipelines.runs import LoadCounts

    # A page of the batch, the id of its cluster, and when it was fetched.
    Shown = tuple[CleanPage, int, datetime]


@dataclass
class _Seen:
    """Where a paper was seen in the batch: its cluster, what that page said of it, and
    when the page was fetched."""

    cluster_id: int
    clean: CleanPaper
    fetched_at: datetime


@dataclass
class _Stored:
    """The batch's papers as stored: rows, their author lists, and their venues' ranks."""

    papers: dict[str, PaperState] = field(default_factory=dict)
    lists: dict[int, dict[int, AuthorshipState]] = field(default_factory=dict)
    venues: dict[int, tuple[bool, str]] = field(default_factory=dict)


@dataclass
class _Merged:
    """What merging the batch decided: papers to insert and to update, each paper's
    author list, and the venues papers moved away from."""

    new: list[PaperState] = field(default_factory=list)
    updated: list[dict[str, Any]] = field(default_factory=list)
    lists: dict[str, dict[int, AuthorshipState]] = field(default_factory=dict)
    left_venues: set[int] = field(default_factory=set)


def venue_rank(known: bool, acronym: str) -> tuple[bool, int, int, str]:
    """Which of two venues a paper's line resolved to is kept: the registry's over an
    unknown one (a registry that learned the line), then the richer spelling, whatever
    the order pages come in."""
    return known, sum(not c.isascii() for c in acronym), sum(c.isupper() for c in acronym), acronym


def _read_stored(session: Session, keys: list[str]) -> _Stored:
    """The stored papers with these keys (locked for the merge), their authors and venues."""
    stored = _Stored()
    table = table_of(Paper)
    stored.papers = {
        row.key: PaperState.from_row(row) for row in locked_by_key(session, table, keys)
    }
    ids = sorted(p.id for p in stored.papers.values() if p.id is not None)
    dialect = dialect_of(session)
    authorships = table_of(AuthorshipRow)
    for chunk in chunks(ids):
        rows = plain_rows(
            session.connection(),
            select(
                authorships.c.paper_id,
                authorships.c.author_id,
                authorships.c.position,
                authorships.c.name_as_listed,
                authorships.c.source,
                Author.key,
            )
            .join(Author, Author.id == authorships.c.author_id)
            .where(dialect.among(authorships.c.paper_id, chunk)),
        )
        lists = stored.lists
        for paper_id, author_id, position, name_as_listed, source, key in rows:
            listed = lists.get(paper_id)
            if listed is None:
                listed = lists[paper_id] = {}
            listed[author_id] = AuthorshipState(author_id, key, position, name_as_listed, source)
    venue_list = sorted({p.venue_id for p in stored.papers.values()})
    for chunk in chunks(venue_list):
        found = session.connection().execute(
            select(Venue.id, Venue.known, Venue.acronym).where(dialect.among(Venue.id, chunk))
        )
        stored.venues.update({vid: (known, acronym) for vid, known, acronym in found})
    return stored


def _merge_venue(
    state: PaperState, clean: CleanPaper, venues: dict[str, int], ranks: dict[int, tuple[bool, str]]
) -> int | None:
    """Point the paper at the better of its stored venue and the one this page's line
    resolves to; returns the venue it left, if any."""
    offered = venues[clean.venue.acronym]
    if offered == state.venue_id:
        return None
    current = ranks.get(state.venue_id)
    if current is not None and venue_rank(*current) >= venue_rank(
        clean.venue.known, clean.venue.acronym
    ):
        return None
    left, state.venue_id = state.venue_id, offered
    ranks[offered] = (clean.venue.known, clean.venue.acronym)
    return left


@dataclass
class _Batch:
    """What merging one batch's papers works with: the stored papers, the merge so far,
    the ids of venues and authors, the run, and the counts."""

    stored: _Stored
    venues: dict[str, int]
    authors: dict[str, int]
    run_id: int | None
    counts: LoadCounts
    merged: _Merged = field(default_factory=_Merged)


def _merge_sighting(batch: _Batch, state: PaperState, seen: _Seen, *, is_new: bool) -> None:
    """Fold what one page said of a paper into it, and count it."""
    listed = batch.merged.lists.setdefault(state.key, batch.stored.lists.get(state.id or -1, {}))
    state.seen(seen.fetched_at)
    left = _merge_venue(state, seen.clean, batch.venues, batch.stored.venues)
    if left is not None:
        batch.merged.left_venues.add(left)
    changed = merge_paper(state, seen.clean)
    changed = merge_authorships(state, listed, seen.clean, batch.authors, is_new=is_new) or changed
    batch.counts.papers += 1
    batch.counts.papers_new += is_new
    batch.counts.papers_updated += changed and not is_new
    if changed and not is_new and batch.run_id is not None:
        state.changed_run_id = batch.run_id


def _merge_key(batch: _Batch, found: list[_Seen], state: PaperState | None) -> None:
    """Fold every sighting of one paper into its stored version (None: a new paper); a
    stored paper that changes is stamped with the run that changed it."""
    before = state.snapshot() if state else None
    for seen in found:
        is_new = state is None
        if state is None:
            venue_id = batch.venues[seen.clean.venue.acronym]
            state = PaperState.new(seen.clean.key, seen.clean, venue_id, batch.run_id)
            batch.merged.new.append(state)
        _merge_sighting(batch, state, seen, is_new=is_new)
    if state is not None and before is not None and (row := state.written(before)):
        batch.merged.updated.append(row)


def _merge(batch: _Batch, occurrences: dict[str, list[_Seen]]) -> _Merged:
    """Fold every sighting of every paper of the batch into its stored version."""
    for key in sorted(occurrences):
        _merge_key(batch, occurrences[key], batch.stored.papers.get(key))
    return batch.merged


def _insert_papers(session: Session, new: list[PaperState]) -> None:
    """Insert the batch's new papers and give them their ids.

    A paper another writer inserted since this batch read the table is not overwritten:
    the whole transaction is retried, and then merges with it.
    """
    if not new:
        return
    dialect = dialect_of(session)
    inserted, ids = dialect.insert_new(
        session.connection(), table_of(Paper), [p.values() for p in new], "key"
    )
    if inserted != len(new):
        msg = f"{len(new) - inserted} of {len(new)} new papers were inserted by another writer"
        raise RetryTransaction(msg)
    for paper in new:
        paper.id = ids[paper.key]


def _update_papers(session: Session, rows: list[dict[str, Any]]) -> None:
    """Write back the stored papers the merge changed, one statement for each set of
    columns (whole rows, sighting times only). Their rows were locked when read."""
    by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        by_columns.setdefault(tuple(row), []).append(row)
    dialect = dialect_of(session)
    for columns in sorted(by_columns):
        dialect.update_by_id(session.connection(), table_of(Paper), by_columns[columns])


def _write_authorships(
    session: Session, merged: _Merged, paper_ids: dict[str, int]
) -> list[tuple[int, str]]:
    """Write the author rows the merge added or changed; returns each one's author and
    spelling."""
    dirty = [
        (paper_ids[key], author_id, row)
        for key, listed in merged.lists.items()
        for author_id, row in listed.items()
        if row.dirty
    ]
    dialect_of(session).upsert(
        session.connection(),
        table_of(AuthorshipRow),
        [
            {
                "paper_id": paper_id,
                "author_id": author_id,
                "position": row.position,
                "name_as_listed": row.name_as_listed,
                "source": row.source,
            }
            for paper_id, author_id, row in dirty
        ],
        ["paper_id", "author_id"],
        ["position", "name_as_listed", "source"],
    )
    return [(author_id, row.name_as_listed) for _, author_id, row in dirty]


def _write_sightings(
    session: Session,
    occurrences: dict[str, list[_Seen]],
    paper_ids: dict[str, int],
    run_id: int | None,
) -> set[int]:
    """Which cluster showed which paper, first and last in which run, and as what; returns
    the clusters that showed a paper for the first time."""
    seen = [(s.cluster_id, paper_ids[key], s) for key, found in occurrences.items() for s in found]
    dialect = dialect_of(session)
    connection = session.connection()
    pairs = {(c, p) for c, p, _ in seen}
    gained = _new_pairs(session, pairs) if pairs else set()
    dialect.upsert(
        connection,
        table_of(ClusterPaper),
        [
            {
                "cluster_id": c,
                "paper_id": p,
                "first_seen_run_id": run_id,
                "last_seen_run_id": run_id,
            }
            for c, p, _ in seen
        ],
        ["cluster_id", "paper_id"],
        ["last_seen_run_id"],
    )
    if run_id is not None:
        _write_run_papers(session, seen, run_id)
    return {cluster for cluster, _ in gained}


def _write_run_papers(session: Session, seen: list[tuple[int, int, _Seen]], run_id: int) -> None:
    """What run ``run_id`` saw of each paper on each cluster: ``scrapy runs diff`` reads it."""
    rows = [
        {
            "run_id": run_id,
            "cluster_id": c,
            "paper_id": p,
            "digest": s.clean.digest or paper_digest(s.clean),
        }
        for c, p, s in seen
    ]
    dialect_of(session).upsert(
        session.connection(),
        table_of(RunPaper),
        rows,
        ["run_id", "cluster_id", "paper_id"],
        ["digest"],
    )


def _new_pairs(session: Session, pairs: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """Which (cluster, paper) pairs the store does not hold yet."""
    # By paper alone (its index), the pairs filtered here: a paper is on a few clusters,
    # while both lists at once make the database probe every cluster with every paper.
    among = dialect_of(session).among
    papers = sorted({p for _, p in pairs})
    held: set[tuple[int, int]] = set()
    for chunk in chunks(papers):
        rows = plain_rows(
            session.connection(),
            select(ClusterPaper.cluster_id, ClusterPaper.paper_id).where(
                among(ClusterPaper.paper_id, chunk)
            ),
        )
        held.update(pair for pair in map(tuple, rows) if pair in pairs)
    return pairs - held


def _occurrences(pages: list[Shown]) -> dict[str, list[_Seen]]:
    """Every paper of the batch by key, with each cluster page that showed it."""
    found: dict[str, list[_Seen]] = {}
    for page, cluster_id, fetched_at in pages:
        for paper in page.papers:
            found.setdefault(paper.key, []).append(_Seen(cluster_id, paper, fetched_at))
    return found


def _paper_ids(stored: _Stored, merged: _Merged) -> dict[str, int]:
    """The ids of the batch's papers by key, stored before or inserted now."""
    states = [*stored.papers.values(), *merged.new]
    return {state.key: state.id for state in states if state.id is not None}


@dataclass
class Touched:
    """What loading papers added to or changed in the rows they hang on: the authors whose
    listed spellings were added or changed, the clusters that showed a paper first."""

    authors: set[int] = field(default_factory=set)
    clusters: set[int] = field(default_factory=set)
    # Every author of the batch, with the spellings it brought: those of the rows it wrote,
    # and those pages wrote (each a variant, which makes a listed spelling "as written").
    spellings: dict[int, set[str]] = field(default_factory=dict)


def load_papers(
    session: Session,
    pages: list[Shown],
    run_id: int | None,
    counts: LoadCounts,
) -> Touched:
    """Create or merge every paper of the batch's pages (each with its cluster's id and
    when it was fetched)."""
    occurrences = _occurrences(pages)
    if not occurrences:
        return Touched()
    cleans = [seen.clean for found in occurrences.values() for seen in found]
    venues = venue_ids(session, cleans, run_id)
    names = [a.author for clean in cleans for a in clean.authorships]
    authors, written = author_ids(session, names, run_id)
    stored = _read_stored(session, sorted(occurrences))
    merged = _merge(_Batch(stored, venues, authors, run_id, counts), occurrences)
    _insert_papers(session, merged.new)
    _update_papers(session, merged.updated)
    drop_orphan_venues(session, merged.left_venues)
    paper_ids = _paper_ids(stored, merged)
    rows = _write_authorships(session, merged, paper_ids)
    clusters = _write_sightings(session, occurrences, paper_ids, run_id)
    return _touched(written, rows, clusters)


def _touched(
    written: dict[int, set[str]], rows: list[tuple[int, str]], clusters: set[int]
) -> Touched:
    """The authors whose rows (``rows``: author and spelling) the batch wrote, and every
    author of the batch with the spellings it brought (``written``: those its pages wrote;
    only an author whose rows or variants it wrote can change name)."""
    dirty = {author_id for author_id, _ in rows}
    return Touched(dirty, clusters, by_author(rows, into=written))
