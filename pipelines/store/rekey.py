"""Re-keying: a store made under an older identity rule brought under the current one.

When ``pipelines.identity.IDENTITY_VERSION`` grows (say, the fold learned that "ø" is "o"),
rows whose keys now fold alike are one paper, person or cluster. This runs once per store
and version, on first use: each row gets its key under the current rule, and rows that now
share a key are merged into one (the row already holding that key, else the oldest), every
reference moved to it, nothing that was linked lost.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import TYPE_CHECKING

from sqlalchemy import and_, delete, exists, select, update
from sqlalchemy.orm import aliased

from pipelines.identity import IDENTITY_VERSION, refold_key
from pipelines.store.dialects import dialect_of
from pipelines.store.models import (
    Author,
    Authorship,
    AuthorVariant,
    Cluster,
    ClusterPaper,
    Page,
    Paper,
    RunPaper,
    StoreMeta,
)
from pipelines.store.rows import table_of

if TYPE_CHECKING:
    from typing import Any

    from sqlalchemy.orm import Session

logger = logging.getLogger(__name__)
VERSION_NAME = "identity_version"

# For each keyed model, the child tables that point at it: (model, column, the other columns
# of its unique key). A child row that would duplicate the survivor's is dropped instead.
REFERENCES: dict[Any, tuple[tuple[Any, str, tuple[str, ...]], ...]] = {
    Author: ((Authorship, "author_id", ("paper_id",)), (AuthorVariant, "author_id", ("spelling",))),
    Cluster: (
        (ClusterPaper, "cluster_id", ("paper_id",)),
        (RunPaper, "cluster_id", ("run_id", "paper_id")),
        (Page, "cluster_id", ()),
    ),
    Paper: (
        (Authorship, "paper_id", ("author_id",)),
        (ClusterPaper, "paper_id", ("cluster_id",)),
        (RunPaper, "paper_id", ("run_id", "cluster_id")),
    ),
}


def stored_version(session: Session) -> int:
    """The identity version the store's keys follow (0: made before versions were kept)."""
    value = session.execute(select(StoreMeta.value).where(StoreMeta.name == VERSION_NAME)).scalar()
    return int(value) if value is not None else 0


def rekey_if_needed(session: Session) -> int:
    """Re-key the store when its identity version is older than the current one; returns
    the rows merged away. Call in a write transaction (it locks the version row)."""
    if stored_version(session) >= IDENTITY_VERSION:
        return 0
    merged = sum(_rekey(session, model) for model in REFERENCES)
    dialect_of(session).upsert(
        session.connection(),
        table_of(StoreMeta),
        [{"name": VERSION_NAME, "value": str(IDENTITY_VERSION)}],
        ["name"],
        ["value"],
    )
    if merged:
        logger.warning(
            "store: re-keyed to identity version %d, %d rows merged", IDENTITY_VERSION, merged
        )
    return merged


def _rekey(session: Session, model: Any) -> int:
    """Give every row of ``model`` its current key; merge rows that share one."""
    groups: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for row_id, key in session.execute(select(model.id, model.key).order_by(model.id)):
        groups[refold_key(key)].append((row_id, key))
    merged = 0
    for new_key, rows in groups.items():
        survivor = next((row_id for row_id, key in rows if key == new_key), rows[0][0])
        for row_id, _ in rows:
            if row_id != survivor:
                _merge_into(session, model, row_id, survivor)
                merged += 1
        if all(key != new_key for _, key in rows):
            session.execute(update(model).where(model.id == survivor).values(key=new_key))
    return merged


def _merge_into(session: Session, model: Any, loser: int, survivor: int) -> None:
    """Move what points at row ``loser`` to row ``survivor``, then drop ``loser``."""
    if model is Paper:
        _keep_richer_list(session, loser, survivor)
    for child, column, others in REFERENCES[model]:
        col = getattr(child, column)
        if others:
            twin = aliased(child)
            clash = exists().where(
                getattr(twin, column) == survivor,
                and_(*(getattr(twin, o) == getattr(child, o) for o in others)),
            )
            session.execute(delete(child).where(col == loser, clash))
        session.execute(update(child).where(col == loser).values({column: survivor}))
    session.execute(delete(model).where(model.id == loser))


def _keep_richer_list(session: Session, loser: int, survivor: int) -> None:
    """Of two rows of one paper, the longer author list (then the longer abstract) stays."""
    rows = {
        r.id: r
        for r in session.execute(
            select(Paper.id, Paper.listed_authors, Paper.abstract_raw).where(
                Paper.id.in_([loser, survivor])
            )
        )
    }
    if rows[loser].listed_authors > rows[survivor].listed_authors:
        columns = ("listed_authors", "authors_complete")
        source = session.execute(
            select(*(getattr(Paper, c) for c in columns)).where(Paper.id == loser)
        ).one()
        session.execute(
            update(Paper)
            .where(Paper.id == survivor)
            .values(dict(zip(columns, source, strict=True)))
        )
        # The survivor's own list loses its positions; the loser's rows win the clashes.
        session.execute(
            update(Authorship).where(Authorship.paper_id == survivor).values(position=None)
        )
        twin = aliased(Authorship)
        session.execute(
            delete(Authorship).where(
                Authorship.paper_id == survivor,
                exists().where(twin.paper_id == loser, twin.author_id == Authorship.author_id),
            )
        )
    if len(rows[loser].abstract_raw or "") > len(rows[survivor].abstract_raw or ""):
        text = session.execute(
            select(Paper.abstract, Paper.abstract_raw).where(Paper.id == loser)
        ).one()
        session.execute(
            update(Paper).where(Paper.id == survivor).values(abstract=text[0], abstract_raw=text[1])
        )
