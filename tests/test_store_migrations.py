"""The schema comes only from Alembic migrations, and matches the models."""

from __future__ import annotations

from typing import TYPE_CHECKING

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from pipelines.store import Store
from pipelines.store.db import alembic_config, make_engine
from pipelines.store.models import Base

if TYPE_CHECKING:
    from pathlib import Path


def test_upgrade_creates_every_table_and_check_is_clean(db_url: str) -> None:
    store = Store.open(db_url)
    engine = store.engine
    tables = set(inspect(engine).get_table_names())
    assert tables == {t.name for t in Base.metadata.sorted_tables} | {"alembic_version"}
    with engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.check(config)  # raises when the models and the migrations disagree
    store.close()


def test_upgrade_is_repeatable_and_downgrade_removes_everything(db_url: str) -> None:
    Store.open(db_url).close()
    store = Store.open(db_url)
    assert store.revision() is not None
    engine = store.engine
    with engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    store.close()


def test_every_constraint_is_named_by_the_convention() -> None:
    for table in Base.metadata.sorted_tables:
        for constraint in table.constraints:
            assert constraint.name, f"{table.name}: unnamed {type(constraint).__name__}"


def test_migrations_form_one_line() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1
    for revision in script.walk_revisions():
        assert revision.module.__file__
        name = revision.module.__file__.rsplit("/", 1)[-1]
        assert name.startswith(f"{revision.revision}_"), name


def test_sqlite_connections_get_wal_normal_sync_and_foreign_keys(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'pragmas.db'}")
    with engine.connect() as connection:
        pragmas = {
            name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "synchronous", "foreign_keys")
        }
    engine.dispose()
    # synchronous 1 is NORMAL: in WAL mode, synced at checkpoints rather than every commit.
    assert pragmas == {"journal_mode": "wal", "synchronous": 1, "foreign_keys": 1}


def test_revisions_read_without_alembic_are_alembics() -> None:
    from pipelines.store.db import head_revision, known_revisions

    script = ScriptDirectory.from_config(alembic_config())
    assert head_revision() == script.get_current_head()
    assert known_revisions() == {r.revision for r in script.walk_revisions()}


def test_opening_a_store_at_the_newest_migration_imports_no_alembic(tmp_path: Path) -> None:
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'store.db'}"
    Store.open(url).close()
    check = (
        "import sys\nfrom pipelines.store import Store\n"
        f"Store.open({url!r}).close()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('alembic', 'mako')))"
    )
    found = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, check=True
    ).stdout
    assert found.strip() == "[]"
