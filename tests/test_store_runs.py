"""Runs end honestly: one left "running" by a process that died is "aborted" when next seen."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

from sqlalchemy import update

from pipelines.store import Store
from pipelines.store.models import CrawlRun
from pipelines.store.runs import STALE_AFTER
from pipelines.store.store import utcnow
from tests.fixture_pages import ROOT
from tests.store_helpers import transaction

DIES = """
import os, sys
from pipelines.store import Store
run = Store.open(sys.argv[1]).start_run("replay", {"path": "x"})
print(run, flush=True)
os._exit(9)  # as SIGKILL leaves it: no finish, no cleanup
"""


def test_a_run_whose_process_died_is_aborted_when_next_seen(db_url: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", DIES, db_url], cwd=ROOT, capture_output=True, text=True, check=False
    )
    run_id = int(done.stdout.strip())
    Store.close_all()
    store = Store.open(db_url)  # the next command to use the store
    (run,) = [r for r in store.runs() if r.id == run_id]
    assert run.status == "aborted"
    assert run.summary and "is gone" in run.summary and str(run.pid) in run.summary


def test_a_live_run_is_left_alone_and_a_silent_remote_one_is_not(db_url: str) -> None:
    store = Store.open(db_url)
    mine = store.start_run("replay", {})
    remote = store.start_run("author_cluster", {})
    quiet = utcnow() - STALE_AFTER - timedelta(minutes=1)
    with transaction(db_url) as session:
        session.execute(
            update(CrawlRun)
            .where(CrawlRun.id == remote)
            .values(host="another-host", pid=1, heartbeat_at=quiet)
        )
    Store.close_all()
    store = Store.open(db_url)  # the next process to open the store
    statuses = {r.id: r.status for r in store.runs()}
    assert statuses == {mine: "running", remote: "aborted"}
    store.beat(mine)
    summary = store.finish_run(mine, "finished", {"pages": 0})
    assert summary.startswith("finished in ")
