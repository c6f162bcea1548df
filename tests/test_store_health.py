"""Run health in the store: figures kept with each run, the baseline of healthy runs over
the same targets, papers seen before per cluster, and the runs export (both databases)."""

from __future__ import annotations

import io
import json
from dataclasses import replace

import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.exporters.arrow import SCHEMAS
from pipelines.health import Health, Thresholds, figures, judge, targets_key
from pipelines.store import Store
from tests.fixture_pages import FIXTURES
from tests.store_helpers import file_records

JEFF = targets_key("author_cluster", {"author": "Jeff Dean"})
QUOC = targets_key("author_cluster", {"author": "Quoc V. Le"})


def finished(store: Store, targets: str, status: str, papers: int) -> int:
    run = store.start_run("author_cluster", {})
    health = judge(figures({"pages/site": 1, "papers/seen": papers}), (), [], Thresholds())
    store.finish_run(run, status, {}, health=health, targets=targets)
    return run


def test_the_baseline_is_the_last_healthy_runs_over_the_same_targets(db_url: str) -> None:
    store = Store.open(db_url)
    one = finished(store, JEFF, "finished", 12)
    other = finished(store, QUOC, "finished", 4)
    degraded = finished(store, JEFF, "degraded", 2)
    failed = finished(store, JEFF, "failed", 0)
    two = finished(store, JEFF, "finished", 11)
    three = finished(store, JEFF, "finished", 13)
    untold = store.start_run("author_cluster", {})
    store.finish_run(untold, "finished", {})  # no health: never a baseline
    now = store.start_run("author_cluster", {})
    past = store.healthy_runs(JEFF, now, 5)
    assert [p.run_id for p in past] == [three, two, one]
    assert [p.figures["papers"] for p in past] == [13, 11, 12]
    assert [p.run_id for p in store.healthy_runs(JEFF, now, 2)] == [three, two]
    assert [p.run_id for p in store.healthy_runs(JEFF, two, 5)] == [one]
    assert [p.run_id for p in store.healthy_runs(QUOC, now, 5)] == [other]
    # A degraded run a person accepts joins the baseline; a run without health cannot.
    assert store.accept_run(degraded)
    assert not store.accept_run(untold)
    assert [p.run_id for p in store.healthy_runs(JEFF, now, 5)] == [three, two, degraded, one]
    assert failed not in [p.run_id for p in store.healthy_runs(JEFF, now, 5)]
    latest = {run.targets: run.id for run in store.latest_health()}
    assert latest == {JEFF: three, QUOC: other}
    assert [r.id for r in store.recent_runs(2)] == [untold, now]


def test_papers_seen_before_are_those_of_the_last_run_that_saw_each_cluster(
    db_url: str,
) -> None:
    store = Store.open(db_url)
    pages = file_records(sorted(FIXTURES.glob("*.html")))
    jeff = next(r for r in pages if r.source == "jeff-dean.html")
    first = store.start_run("replay", {})
    store.load(pages, first)
    second = store.start_run("replay", {})
    assert jeff.page is not None
    store.load([replace(jeff, page=replace(jeff.page, papers=jeff.page.papers[:3]))], second)
    third = store.start_run("replay", {})
    keys = [jeff.page.cluster.key, "nobody seen"]
    assert {k: len(v) for k, v in store.papers_seen_before(third, keys).items()} == {
        jeff.page.cluster.key: 3
    }
    before_second = store.papers_seen_before(second, keys)
    assert before_second[jeff.page.cluster.key] == {p.key for p in jeff.page.papers}


def test_runs_export_holds_each_runs_health(db_url: str) -> None:
    store = Store.open(db_url)
    run = finished(store, JEFF, "finished", 12)
    store.start_run("replay", {})  # running, no health yet
    out = io.BytesIO()
    store.export("runs", "jsonl", out)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert records[0]["id"] == run
    health = records[0]["health"]
    assert health["figures"]["papers"] == 12
    assert health["reasons"] == [] and health["healthy"] is True
    assert Health.from_json(health).figures == health["figures"]
    assert records[1]["health"] is None
    out = io.BytesIO()
    store.export("runs", "parquet", out)
    table = pq.read_table(pa.BufferReader(out.getvalue()))
    assert table.schema.remove_metadata() == SCHEMAS["runs"]
    rows = table.to_pylist()
    assert rows[0]["health"]["figures"]["papers_per_page"] == 12.0
    assert rows[0]["health"]["healthy"] is True
    assert rows[1]["health"] is None
