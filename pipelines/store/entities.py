"""The rows a page's papers hang on: its cluster, the papers' venues and their authors.

Each is created when new and merged when known, set-wise per batch, in key order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import case, delete, exists, func, or_, select, update

from pipelines.authors import Spelling, display_spelling
from pipelines.store.dialects import dialect_of
from pipelines.store.dialects.base import chunks
from pipelines.store.merge import ClusterState, merge_cluster
from pipelines.store.models import Author, AuthorVariant, Cluster, Paper, Venue
from pipelines.store.models import Authorship as AuthorshipRow
from pipelines.store.rows import locked_by_key, plain_rows, table_of

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import datetime
    from typing import Any

    from sqlalchemy.orm import Session

    from pipelines.authors import AuthorName
    from pipelines.model import CleanPage, CleanPaper


def mark_changed(session: Session, model: Any, ids: Iterable[int], run_id: int | None) -> None:
    """Stamp rows of ``model`` as changed by run ``run_id`` (``scrapy export --since``).
    Rows the run stamped already (an author on many of its batches) are not written again.
    Run on the connection: through the session, the ORM would read every id back (RETURNING)
    to update objects the loader never holds."""
    if run_id is None:
        return
    among = dialect_of(session).among
    stamped = model.changed_run_id
    connection = session.connection()
    for chunk in chunks(sorted(set(ids))):
        connection.execute(
            update(model)
            .where(among(model.id, chunk), or_(stamped.is_(None), stamped != run_id))
            .values(changed_run_id=run_id)
        )


def cluster_ids(
    session: Session, pages: list[tuple[CleanPage, datetime]], run_id: int | None
) -> dict[str, int]:
    """Create or merge the batch's clusters (from each page and when it was fetched); their
    ids by key. A cluster made or changed is stamped with the run."""
    by_key: dict[str, list[tuple[CleanPage, datetime]]] = {}
    for page, seen_at in pages:
        by_key.setdefault(page.cluster.key, []).append((page, seen_at))
    keys = sorted(by_key)
    dialect = dialect_of(session)
    table = table_of(Cluster)
    rows = [{"key": k, "name": by_key[k][0][0].cluster.name, **_made_by(run_id)} for k in keys]
    dialect.upsert(session.connection(), table, rows, ["key"])
    states = {row.key: ClusterState.from_row(row) for row in locked_by_key(session, table, keys)}
    changed = []
    for key in keys:
        state = states[key]
        before, shown = state.values(), state.shown()
        for page, seen_at in by_key[key]:
            merge_cluster(state, page, seen_at)
        if state.shown() != shown and run_id is not None:
            state.changed_run_id = run_id
        if state.values() != before:
            changed.append({"id": state.id, **state.values()})
    dialect.update_by_id(session.connection(), table, changed)
    return {key: state.id for key, state in states.items()}


def _made_by(run_id: int | None) -> dict[str, int | None]:
    return {"first_run_id": run_id, "changed_run_id": run_id}


def venue_ids(session: Session, papers: Iterable[CleanPaper], run_id: int | None) -> dict[str, int]:
    """Ids of the papers' venues; only venues new or changed (a registry update) are written.

    Venues are few and shared by every page: rewriting them on each batch would make every
    writer contend for the same rows.
    """
    dialect = dialect_of(session)
    venues = {p.venue.acronym: p.venue for p in papers}

    def stored() -> dict[str, tuple[int, tuple[object, ...]]]:
        found: dict[str, tuple[int, tuple[object, ...]]] = {}
        for chunk in chunks(sorted(venues)):
            rows = session.connection().execute(
                select(Venue.acronym, Venue.id, Venue.name, Venue.type, Venue.known).where(
                    dialect.among(Venue.acronym, chunk)
                )
            )
            found.update({r.acronym: (r.id, (r.name, r.type, r.known)) for r in rows})
        return found

    known = stored()
    rows = [
        {"acronym": v.acronym, "name": v.name, "type": v.type, "known": v.known, **_made_by(run_id)}
        for v in venues.values()
        if v.acronym not in known or known[v.acronym][1] != (v.name, v.type, v.known)
    ]
    if rows:
        written = ["name", "type", "known", *(["changed_run_id"] if run_id is not None else [])]
        dialect.upsert(session.connection(), table_of(Venue), rows, ["acronym"], written)
        known = stored()
    return {acronym: venue_id for acronym, (venue_id, _) in known.items()}


def drop_orphan_venues(session: Session, venue_ids: Iterable[int]) -> None:
    """Remove venues among ``venue_ids`` that are unknown to the registry and hold no paper
    any more (a paper moved to the venue the registry now resolves its line to)."""
    dialect = dialect_of(session)
    for chunk in chunks(sorted(set(venue_ids))):
        session.connection().execute(
            delete(Venue).where(
                dialect.among(Venue.id, chunk),
                Venue.known.is_(False),
                ~select(Paper.id).where(Paper.venue_id == Venue.id).exists(),
            )
        )


def author_ids(
    session: Session, names: Iterable[AuthorName], run_id: int | None
) -> tuple[dict[str, int], dict[int, set[str]]]:
    """The ids of the authors ``names`` (every authorship's, repeats and all), creating the
    authors not yet stored, and every spelling each was listed under as a variant. Returns
    the ids by key, and each author's spellings as pages wrote them."""
    # One entry a key and spelling: a batch lists most authors many times.
    firsts = {(a.key, a.written): a for a in names}
    by_key = {key: a for (key, _), a in firsts.items()}
    dialect = dialect_of(session)
    connection, table = session.connection(), table_of(Author)
    # Most authors of a batch are known already: read them, write only the others.
    keys = sorted(by_key)
    ids = dialect.ids_by_key(connection, table, "key", keys)
    missing = [k for k in keys if k not in ids]
    if missing:
        rows = [
            {"key": k, "name": by_key[k].name, "homonym": by_key[k].homonym, **_made_by(run_id)}
            for k in missing
        ]
        dialect.upsert(connection, table, rows, ["key"])
        ids.update(dialect.ids_by_key(connection, table, "key", missing))
    spellings = sorted({(ids[key], written) for key, written in firsts})
    dialect.upsert(
        connection,
        table_of(AuthorVariant),
        [{"author_id": i, "spelling": s} for i, s in spellings],
        ["author_id", "spelling"],
    )
    return ids, by_author(spellings)


def by_author(
    pairs: Iterable[tuple[int, str]], into: dict[int, set[str]] | None = None
) -> dict[int, set[str]]:
    """``pairs`` of an author's id and a spelling, grouped by author (into ``into``)."""
    grouped: dict[int, set[str]] = {} if into is None else into
    for author_id, spelling in pairs:
        found = grouped.get(author_id)
        if found is None:
            grouped[author_id] = {spelling}
        else:
            found.add(spelling)
    return grouped


def _listed_otherwise(session: Session, ids: list[int], listed: dict[int, set[str]]) -> list[int]:
    """The authors among ``ids`` the batch brought a spelling other than their name for
    (``listed``: the spellings of the rows it wrote and those its pages wrote as is, each a
    variant, which makes a listed spelling "as written"). An author that brought only the
    name it shows keeps it: more of that spelling, or that spelling written so, can only
    strengthen it, and no other spelling gained a row or a variant.
    Their rows are locked (in id order, their keys shared: others may still list them) until
    the transaction ends: a concurrent writer that lists another spelling waits, then reads
    the name this one settles on."""
    dialect, authors = dialect_of(session), table_of(Author)
    names: dict[int, str] = {}
    for chunk in chunks(ids):
        stmt = select(authors.c.id, authors.c.name).where(dialect.among(authors.c.id, chunk))
        stmt = dialect.locked(stmt.order_by(authors.c.id), keys_shared=True)
        names.update(plain_rows(session.connection(), stmt))
    return [a for a in ids if listed.get(a, set()) - {names.get(a)}]


def _spellings(
    session: Session, ids: list[int]
) -> tuple[dict[int, list[Spelling]], dict[int, str]]:
    """Each author's listed spellings (how often, and whether a page wrote it so: one of its
    variants), and its name now."""
    dialect = dialect_of(session)
    seen: dict[int, list[Spelling]] = {}
    current: dict[int, str] = {}
    variant = exists().where(
        AuthorVariant.author_id == AuthorshipRow.author_id,
        AuthorVariant.spelling == AuthorshipRow.name_as_listed,
    )
    for chunk in chunks(ids):
        listed = plain_rows(
            session.connection(),
            select(
                AuthorshipRow.author_id,
                AuthorshipRow.name_as_listed,
                func.count(),
                func.max(case((variant, 1), else_=0)),
                Author.name,
            )
            .join(Author, Author.id == AuthorshipRow.author_id)
            .where(dialect.among(AuthorshipRow.author_id, chunk))
            .group_by(AuthorshipRow.author_id, AuthorshipRow.name_as_listed, Author.name),
        )
        for author_id, spelling, n, written, name in listed:
            seen.setdefault(author_id, []).append(Spelling(spelling, n, bool(written)))
            current[author_id] = name
    return seen, current


def refresh_author_names(
    session: Session, ids: Iterable[int], batch_spellings: dict[int, set[str]] | None = None
) -> set[int]:
    """Set each author's display name to the best of its listed spellings, by evidence
    (``pipelines.authors.display_spelling``): a spelling some page wrote so (one of the
    author's variants) beats one whose case cleaning restored, then the most frequent.
    Returns the authors renamed. ``batch_spellings``: what a batch brought for each author
    (``_listed_otherwise``), to leave out those that cannot change name."""
    dialect = dialect_of(session)
    if batch_spellings is not None:
        ids = _listed_otherwise(session, sorted(set(ids)), batch_spellings)
    seen, current = _spellings(session, sorted(set(ids)))
    renamed: dict[int, str] = {}
    for author_id, spellings in seen.items():
        best = display_spelling(spellings)
        if best != current.get(author_id):
            renamed[author_id] = best
    rows = [{"id": author_id, "name": name} for author_id, name in renamed.items()]
    dialect.update_by_id(session.connection(), table_of(Author), rows)
    return set(renamed)
