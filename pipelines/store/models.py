"""SQLAlchemy models of the store. The schema itself is made only by Alembic migrations."""

from __future__ import annotations

from datetime import date, datetime  # noqa: TC003 (SQLAlchemy reads annotations at runtime)
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with one naming convention for every constraint."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Venue(Base):
    __tablename__ = "venues"

    id: Mapped[int] = mapped_column(primary_key=True)
    acronym: Mapped[str] = mapped_column(Text, unique=True)
    name: Mapped[str | None] = mapped_column(Text)
    type: Mapped[str] = mapped_column(String(40))
    known: Mapped[bool]
    first_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    changed_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"), index=True)


class Paper(Base):
    __tablename__ = "papers"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(Text, unique=True)
    title: Mapped[str] = mapped_column(Text)
    year: Mapped[int]
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id"), index=True)
    publication_type: Mapped[str | None] = mapped_column(Text)
    abstract: Mapped[str | None] = mapped_column(Text)
    abstract_raw: Mapped[str | None] = mapped_column(Text)
    authors_complete: Mapped[bool | None]
    listed_authors: Mapped[int]
    detail_url: Mapped[str | None] = mapped_column(Text)
    published_on: Mapped[date | None]
    published_precision: Mapped[str | None] = mapped_column(String(5))
    pdf_url: Mapped[str | None] = mapped_column(Text)
    bib_url: Mapped[str | None] = mapped_column(Text)
    doi: Mapped[str | None] = mapped_column(Text)
    # The run that first stored the paper, and the last one that changed what it says
    # (``scrapy export --since RUN``); a paper merely seen again is not changed.
    first_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    changed_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"), index=True)
    # When a page showing the paper was first and last fetched (a saved file: its time).
    first_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Author(Base):
    __tablename__ = "authors"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(Text, unique=True)
    name: Mapped[str] = mapped_column(Text)
    homonym: Mapped[str | None] = mapped_column(String(10))
    first_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    changed_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"), index=True)


class AuthorVariant(Base):
    __tablename__ = "author_variants"
    __table_args__ = (UniqueConstraint("author_id", "spelling"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id", ondelete="CASCADE"))
    spelling: Mapped[str] = mapped_column(Text)


class Authorship(Base):
    __tablename__ = "authorships"
    __table_args__ = (UniqueConstraint("paper_id", "author_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"), index=True)
    position: Mapped[int | None]
    name_as_listed: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(20))


class Cluster(Base):
    __tablename__ = "clusters"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(Text, unique=True)
    name: Mapped[str] = mapped_column(Text)
    declared_papers: Mapped[int | None]
    author_rows: Mapped[int | None]
    # When the page whose counts are kept was fetched: the most recent page's counts win.
    counts_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    first_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    changed_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"), index=True)
    updated_on: Mapped[date | None]
    updated_precision: Mapped[str | None] = mapped_column(String(5))


class ClusterPaper(Base):
    __tablename__ = "cluster_papers"

    cluster_id: Mapped[int] = mapped_column(
        ForeignKey("clusters.id", ondelete="CASCADE"), primary_key=True
    )
    paper_id: Mapped[int] = mapped_column(
        ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    first_seen_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    last_seen_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))


class RunPaper(Base):
    """A paper as a run saw it on a cluster's pages: what ``scrapy runs diff`` compares."""

    __tablename__ = "run_papers"

    run_id: Mapped[int] = mapped_column(
        ForeignKey("crawl_runs.id", ondelete="CASCADE"), primary_key=True
    )
    cluster_id: Mapped[int] = mapped_column(
        ForeignKey("clusters.id", ondelete="CASCADE"), primary_key=True
    )
    paper_id: Mapped[int] = mapped_column(
        ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    digest: Mapped[str] = mapped_column(String(64))


class Schedule(Base):
    """A watched target: a cluster URL or an author name, crawled every ``every_seconds``."""

    __tablename__ = "schedules"

    id: Mapped[int] = mapped_column(primary_key=True)
    target: Mapped[str] = mapped_column(Text, unique=True)
    every_seconds: Mapped[int]
    next_due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CrawlRun(Base):
    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    spider: Mapped[str] = mapped_column(Text)
    arguments: Mapped[dict[str, str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    counts: Mapped[dict[str, int]] = mapped_column(JSON)
    summary: Mapped[str | None] = mapped_column(Text)
    # Who runs it and when it last said so: a run whose process is gone is "aborted".
    host: Mapped[str | None] = mapped_column(Text)
    pid: Mapped[int | None]
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Health (pipelines/health.py): what makes runs comparable (spider and arguments), the
    # run's figures and reasons, and whether it joins the baseline of later runs (a finished
    # run with no reason, or one a person accepted with ``scrapy health accept``).
    targets: Mapped[str | None] = mapped_column(Text, index=True)
    health: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    healthy: Mapped[bool | None]


class Page(Base):
    __tablename__ = "pages"
    __table_args__ = (UniqueConstraint("source", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    content_type: Mapped[str | None] = mapped_column(Text)
    fetched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(20))
    http_status: Mapped[int | None]
    headers: Mapped[dict[str, str] | None] = mapped_column(JSON)
    body_zlib: Mapped[bytes] = mapped_column(LargeBinary)
    cluster_id: Mapped[int | None] = mapped_column(ForeignKey("clusters.id"), index=True)
    first_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    last_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))


class Reject(Base):
    __tablename__ = "rejects"
    __table_args__ = (
        UniqueConstraint("source", "item", "raw_sha256"),
        Index(None, "last_run_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(Text)
    item: Mapped[int]  # 0: the whole page; N: the page's N-th paper
    reason: Mapped[str] = mapped_column(Text)
    raw: Mapped[str] = mapped_column(Text)
    raw_sha256: Mapped[str] = mapped_column(String(64))
    first_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    last_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))


class StoreMeta(Base):
    """Facts about the store itself, by name: e.g. the identity version its keys follow."""

    __tablename__ = "store_meta"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
