"""The store against the floor of writing its rows: raw ``executemany`` and ``COPY``.

``python -m bench.storefloor --pages 2000`` cleans generated pages, stores them with the
project's store (in batches, as a replay does), then writes the very rows the store ended
with into an empty copy of the schema the plainest way the driver allows: SQLite's
``executemany`` and PostgreSQL's ``COPY``, a transaction per batch. The ratio says how
much the store's merging (reading what is stored, deciding, writing set-wise) costs over
writing alone.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import psycopg

from bench.generate import generate
from bench.replay import DATA_TABLES, records
from pipelines.store import Store

Tables = dict[str, tuple[list[str], list[tuple[Any, ...]]]]
BATCH = 500  # the replay's store batch (crawler/spiders/replay.py)
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@dataclass
class StoreFloor:
    database: str
    pages: int
    rows: int
    store_s: float
    raw_s: float

    @property
    def ratio(self) -> float:
        """The store's time over the raw writes' time (1.0 would be writing alone)."""
        return self.store_s / self.raw_s if self.raw_s else 0.0


def _store(url: str, cleaned: list[Any]) -> float:
    store = Store.open(url)
    try:
        started = time.perf_counter()
        for start in range(0, len(cleaned), BATCH):
            store.load(cleaned[start : start + BATCH], None)
        return time.perf_counter() - started
    finally:
        store.close()


def _tables(url: str) -> Tables:
    """Every data table's columns and rows, as the store left them."""
    store = Store.open(url, create=False)
    try:
        out = {}
        with store.engine.connect() as connection:
            for table in DATA_TABLES:
                result = connection.exec_driver_sql(f"SELECT * FROM {table}")
                out[table] = (list(result.keys()), [tuple(row) for row in result])
        return out
    finally:
        store.close()


def _parts(rows: list[tuple[Any, ...]], parts: int) -> list[list[tuple[Any, ...]]]:
    size = max(1, -(-len(rows) // parts))
    return [rows[i : i + size] for i in range(0, len(rows), size)]


def sqlite_floor(path: Path, tables: Tables, n: int) -> float:
    """Insert ``tables`` into the empty store at ``path`` with ``executemany``, in ``n``
    transactions."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA foreign_keys=OFF")  # the rows are whole: their order is not
    try:
        started = time.perf_counter()
        for part in range(n):
            connection.execute("BEGIN")
            for table, (columns, rows) in tables.items():
                chunks = _parts(rows, n)
                if part < len(chunks):
                    marks = ", ".join("?" for _ in columns)
                    connection.executemany(
                        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", chunks[part]
                    )
            connection.execute("COMMIT")
        return time.perf_counter() - started
    finally:
        connection.close()


def postgres_floor(dsn: str, schema: str, tables: Tables, n: int) -> float:
    """``COPY`` ``tables`` into the empty schema, in ``n`` transactions."""
    with psycopg.connect(dsn, options=f"-csearch_path={schema}") as connection:
        connection.execute("SET session_replication_role = replica")  # no FK order needed
        started = time.perf_counter()
        for part in range(n):
            with connection.transaction(), connection.cursor() as cursor:
                for table, (columns, rows) in tables.items():
                    chunks = _parts(rows, n)
                    if part < len(chunks):
                        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                            for row in chunks[part]:
                                copy.write_row(row)
        return time.perf_counter() - started


def measure(pages: int, seed: int, work: Path, postgres: str | None) -> list[StoreFloor]:
    cleaned = records(generate(pages, seed))
    batches = -(-len(cleaned) // BATCH)
    url = f"sqlite:///{work / 'store.db'}"
    store_s = _store(url, cleaned)
    tables = _tables(url)
    rows = sum(len(r) for _, r in tables.values())
    empty = work / "empty.db"
    Store.open(f"sqlite:///{empty}").close()
    out = [StoreFloor("SQLite", len(cleaned), rows, store_s, sqlite_floor(empty, tables, batches))]
    if postgres:
        out += _postgres(postgres, cleaned, batches)
    return out


def _postgres(server: str, cleaned: list[Any], batches: int) -> list[StoreFloor]:
    dsn = server.replace("+psycopg", "")
    try:
        admin = psycopg.connect(dsn, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        return []
    schemas = [f"arrow_floor_{uuid.uuid4().hex[:10]}" for _ in range(2)]
    try:
        for schema in schemas:
            admin.execute(f'CREATE SCHEMA "{schema}"')
        stored, empty = (f"{server}?options=-csearch_path%3D{s}" for s in schemas)
        store_s = _store(stored, cleaned)
        tables = _tables(stored)
        Store.open(empty).close()
        raw_s = postgres_floor(dsn, schemas[1], tables, batches)
        rows = sum(len(r) for _, r in tables.values())
        return [StoreFloor("PostgreSQL", len(cleaned), rows, store_s, raw_s)]
    finally:
        for schema in schemas:
            admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.close()


def report(floors: list[StoreFloor]) -> str:
    lines = [f"{'store vs raw writes':<22} {'pages':>6} {'rows':>8} {'store s':>8} {'raw s':>7}"]
    for f in floors:
        lines.append(
            f"{f.database:<22} {f.pages:>6} {f.rows:>8} {f.store_s:>8.2f} {f.raw_s:>7.2f}"
            f"  store = {f.ratio:.1f}x raw ({'executemany' if f.database == 'SQLite' else 'COPY'})"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--postgres", default=POSTGRES, help="'' for SQLite only")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        floors = measure(args.pages, args.seed, Path(tmp), args.postgres or None)
    print(report(floors))
    if args.json:
        data = [asdict(f) | {"ratio": f.ratio} for f in floors]
        args.json.write_text(json.dumps(data, indent=2) + "\n", "utf-8")


if __name__ == "__main__":
    from bench import main_quietly

    main_quietly(main)
