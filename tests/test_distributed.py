"""The distributed profile: worker processes on scrapy-redis against the stand-in of the
site, one PostgreSQL store, on loopback only.

The tests that run workers need Redis (TEST_REDIS_URL) and PostgreSQL (TEST_POSTGRES_URL)
and skip with the reason when either does not answer. Each test uses a Redis key prefix and
a PostgreSQL schema of its own.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

import pytest
from redis import Redis
from redis.exceptions import RedisError
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.settings import Settings
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import DBAPIError, OperationalError

from bench.distributed import synthetic_site
from crawler.distributed.addon import PROGRESS, WORKER_BATCH_SIZE, RedisAddon
from crawler.distributed.dupefilter import GenerationDupeFilter
from crawler.distributed.keys import Keys
from crawler.distributed.progress import Done, Progress
from crawler.distributed.reconcile import check_generation, reconcile, wait_quiet
from crawler.distributed.scheduler import BUSY
from crawler.distributed.targets import Node, Push, Pushed, push_generation, target_nodes
from crawler.standin import Faults, Site, StandIn
from pipelines.store import Store
from pipelines.store.models import Page, Reject
from pipelines.store.schedules import add_target
from pipelines.text import slug
from tests.cli import export_comparable, export_stdout, scrapy
from tests.conftest import POSTGRES_URL
from tests.fixture_pages import FIXTURES, ROOT
from tests.store_helpers import record, transaction
from tests.test_store_faults import LOCK_TIMEOUT, schema_of

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
PAGES = 250  # synthetic pages generated: 214 clusters
PAPERS = 3  # papers kept per cluster, two per page: 415 cluster pages
TABLES = ("papers", "authors", "venues", "clusters")


@pytest.fixture(scope="module")
def services() -> None:
    """Skip unless both servers answer."""
    try:
        with Redis.from_url(REDIS_URL, socket_connect_timeout=3) as server:
            server.ping()
    except RedisError as exc:
        pytest.skip(f"no Redis server answers at {REDIS_URL}: {exc}")
    engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            pass
    except OperationalError as exc:
        pytest.skip(f"no PostgreSQL server answers at {POSTGRES_URL}: {exc.orig}")
    finally:
        engine.dispose()


@pytest.fixture
def redis_keys(services: None) -> Iterator[tuple[Redis, Keys]]:
    """A client and a key prefix of this test's own, its keys deleted afterwards."""
    keys = Keys(f"arrow_test_{uuid.uuid4().hex[:12]}")
    server = Redis.from_url(REDIS_URL)
    yield server, keys
    for key in server.scan_iter(match=f"{keys.prefix}:*"):
        server.delete(key)
    server.close()


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """A stand-in site of a few hundred clusters, from the benchmark's synthetic pages: a
    few papers each (papers are shared between clusters), most clusters over two pages.

    A paper shows one author list wherever it appears, as on the site. (The benchmark's
    pages vary it from cluster to cluster, and of two equally long lists the store keeps
    the one it loads first: crawls in two orders would differ.)
    """
    return synthetic_site(PAGES, tmp_path_factory.mktemp("synthetic"), PAPERS)


def site_settings(url: str, *, details: bool = False) -> list[str]:
    return [
        *("-s", f"ARROW_SEARCH_URL={url}/search?q={{name}}"),
        *("-s", "AUTOTHROTTLE_ENABLED=false"),
        *("-s", "RETRY_BACKOFF_BASE=0.1"),
        *("-s", f"FOLLOW_DETAIL_PAGES={str(details).lower()}"),
    ]


def fetched(server: StandIn, agent: str | None = None) -> Counter[str]:
    """How often each path (robots.txt aside) was asked for, by one User-Agent or any."""
    return Counter(
        path
        for _, path, ua in server.log
        if path != "/robots.txt" and (agent is None or ua == agent)
    )


@dataclass
class Reference:
    """A single-process crawl of every cluster of the synthetic site, by name."""

    names: list[str]
    fetched: Counter[str]
    exports: dict[str, list[dict[str, Any]]]


@pytest.fixture(scope="module")
def reference(
    services: None, synthetic: Site, tmp_path_factory: pytest.TempPathFactory
) -> Reference:
    tmp = tmp_path_factory.mktemp("reference")
    names = [c.cluster_name for c in synthetic.clusters.values()]
    (tmp / "names.txt").write_text("".join(f"{n}\n" for n in names), "utf-8")
    server = StandIn(synthetic)
    server.start()
    try:
        db = tmp / "reference.db"
        done = scrapy(
            db,
            "crawl",
            "author_cluster",
            *("-a", f"names_file={tmp / 'names.txt'}"),
            *site_settings(server.url),
        )
        assert done.returncode == 0, done.stderr[-3000:]
    finally:
        server.stop()
    return Reference(names, fetched(server), {t: export_comparable(db, t) for t in TABLES})


@dataclass
class Deployment:
    """Worker processes and commands sharing one Redis prefix and one store."""

    redis: Redis
    keys: Keys
    database_url: str
    settings: list[str]
    logs: Path
    workers: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    redis_url: str = REDIS_URL

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "REDIS_URL": self.redis_url, "DATABASE_URL": self.database_url}

    def common(self) -> list[str]:
        return [
            *("-s", f"REDIS_KEY_PREFIX={self.keys.prefix}"),
            *("-s", "REDIS_WORKER_HEARTBEAT=0.5"),
            *self.settings,
        ]

    def start_worker(self, name: str, *extra: str) -> subprocess.Popen[bytes]:
        """``scrapy crawl author_cluster`` taking targets from Redis; its User-Agent is
        its name, so the stand-in's log tells its requests apart."""
        with (self.logs / f"{name}.log").open("wb") as log:
            process = subprocess.Popen(
                [
                    *(sys.executable, "-m", "scrapy", "crawl", "author_cluster"),
                    *self.common(),
                    *("-s", f"USER_AGENT={name}"),
                    *extra,
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.workers[name] = process
        return process

    def command(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "scrapy", *args, *self.common()],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )

    def spawn(self, *args: str) -> subprocess.Popen[str]:
        """A command left running (``communicate()`` for its output)."""
        return subprocess.Popen(
            [sys.executable, "-m", "scrapy", *args, *self.common()],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def wait_for_targets(self) -> None:
        """Until a push has reached Redis (workers started then take targets at once)."""
        deadline = time.monotonic() + 60
        while not self.redis.llen(self.keys.targets) and time.monotonic() < deadline:
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop the workers as an operator would (Ctrl-C), or kill what does not stop."""
        for process in self.workers.values():
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in self.workers.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text("utf-8", errors="replace")

    def dequeued(self, name: str) -> int:
        """Requests the worker took from the shared queue (its closing stats)."""
        found = re.search(r"'scheduler/dequeued/redis': (\d+)", self.log(name))
        return int(found.group(1)) if found else 0

    def store_failures(self) -> Counter[str]:
        """Paths of the pages the store quarantined ("store failed"), per failure."""
        return Counter(
            urlsplit(url).path + (f"?{urlsplit(url).query}" if urlsplit(url).query else "")
            for name in self.workers
            for url in re.findall(r"ERROR: (\S+): store failed: ", self.log(name))
        )

    def problems(self) -> list[str]:
        """Errors in the workers' logs (a store failure among them), quoted for an assertion."""
        quoted = []
        for name in self.workers:
            for line in self.log(name).splitlines():
                if " ERROR: " in line:
                    quoted.append(f"{name}: {line}")
        return quoted

    def generation_keys(self) -> list[bytes]:
        return list(self.redis.scan_iter(match=f"{self.keys.prefix}:gen:*"))


@pytest.fixture
def deployment(
    redis_keys: tuple[Redis, Keys], postgres_url: str, tmp_path: Path
) -> Iterator[Deployment]:
    server, keys = redis_keys
    # Concurrent workers' transactions may deadlock now and then; the store runs such a
    # transaction again. PostgreSQL detects a deadlock after deadlock_timeout: 0.1s instead
    # of 1s keeps the tests short.
    database_url = f"{postgres_url}%20-cdeadlock_timeout%3D100"
    deployed = Deployment(server, keys, database_url, [], tmp_path)
    yield deployed
    deployed.stop()


def mixed_targets(site: Site, url: str) -> tuple[list[str], set[str]]:
    """Every cluster: half by name (through the search page), half by URL; and the search
    paths the names lead to."""
    targets, searches = [], set()
    for number, (key, cluster) in enumerate(sorted(site.clusters.items())):
        if number % 2:
            targets.append(f"{url}/cluster/{key}")
        else:
            targets.append(cluster.cluster_name)
            searches.add(f"/search?q={quote(cluster.cluster_name)}")
    return targets, searches


def round_lines(out: str) -> list[tuple[int, int]]:
    """(round, missing) of each generation line of a reconciliation's output."""
    return [
        (int(r), int(m))
        for r, m in re.findall(r"round (\d+): generation \S+: .*, (\d+) missing", out)
    ]


def test_three_workers_fetch_every_page_once_and_store_what_one_process_stores(
    deployment: Deployment, synthetic: Site, reference: Reference, tmp_path: Path
) -> None:
    server = StandIn(synthetic)
    server.start()
    try:
        deployment.settings = site_settings(server.url)
        targets, searches = mixed_targets(synthetic, server.url)
        (tmp_path / "targets.txt").write_text("".join(f"{t}\n" for t in targets), "utf-8")
        started = time.monotonic()
        enqueue = deployment.spawn(
            "enqueue", "--file", str(tmp_path / "targets.txt"), "--wait", "--settle", "1"
        )
        deployment.wait_for_targets()
        for name in ("w0", "w1", "w2"):
            deployment.start_worker(name)
        out, err = enqueue.communicate(timeout=300)
        took = time.monotonic() - started
    finally:
        deployment.stop()
        server.stop()
    assert enqueue.returncode == 0, out + err[-3000:]
    assert f"queued {len(targets)} targets" in out
    assert not deployment.problems(), "\n".join(deployment.problems())

    # Every page was fetched once: no store failure (a deadlock between workers is retried,
    # not quarantined), so the reconciliation found nothing missing.
    pages = fetched(server)
    assert not deployment.store_failures()
    assert pages == Counter(dict.fromkeys(pages, 1)), took
    assert sum(m for _, m in round_lines(out)) == 0, out
    clusters = {p for p in pages if p.startswith("/cluster/")}
    assert clusters == {p for p in reference.fetched if p.startswith("/cluster/")}
    assert {p for p in pages if p.startswith("/search")} == searches
    assert len(clusters) > 400 and len(synthetic.clusters) > 200
    # The work was shared, and each fetch went through the shared queue.
    assert all(deployment.dequeued(w) > 0 for w in deployment.workers)
    assert sum(deployment.dequeued(w) for w in deployment.workers) == pages.total()
    for table in TABLES:
        assert export_comparable(deployment.database_url, table) == reference.exports[table], table
    # A finished generation leaves nothing behind: ledger, records, duplicate filter.
    assert deployment.generation_keys() == []


def _kill_in_flight(server: StandIn, worker: subprocess.Popen[bytes], agent: str) -> None:
    """SIGKILL the worker right after it sent a request (answered only after the stand-in's
    delay), once it has made a few: it dies holding work."""
    deadline = time.monotonic() + 60
    while sum(fetched(server, agent).values()) < 5 and time.monotonic() < deadline:
        time.sleep(0.01)
    seen = sum(fetched(server, agent).values())
    while sum(fetched(server, agent).values()) == seen and time.monotonic() < deadline:
        time.sleep(0.005)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)


def test_a_worker_killed_mid_crawl_loses_no_page(
    deployment: Deployment, synthetic: Site, reference: Reference, tmp_path: Path
) -> None:
    server = StandIn(synthetic, Faults(delay=0.05))
    server.start()
    try:
        deployment.settings = site_settings(server.url)
        targets, _ = mixed_targets(synthetic, server.url)
        (tmp_path / "targets.txt").write_text("".join(f"{t}\n" for t in targets), "utf-8")
        pushed = deployment.command("enqueue", "--file", str(tmp_path / "targets.txt"))
        assert pushed.returncode == 0, pushed.stderr[-3000:]
        victim = deployment.start_worker("w0")
        for name in ("w1", "w2"):
            deployment.start_worker(name)
        _kill_in_flight(server, victim, "w0")
        assert victim.returncode == -signal.SIGKILL
        done = deployment.command("reconcile", "--settle", "1")
    finally:
        deployment.stop()
        server.stop()
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    rounds = round_lines(done.stdout)
    # What the killed worker held was found missing and queued again; then nothing was.
    assert rounds[0][1] >= 1 and rounds[-1][1] == 0, done.stdout
    assert "finished" in done.stdout
    assert not deployment.problems(), "\n".join(deployment.problems())
    pages = fetched(server)
    assert {p for p in pages if p.startswith("/cluster/")} == {
        p for p in reference.fetched if p.startswith("/cluster/")
    }
    # Pages fetched again are the killed worker's, and no more than were queued again.
    again = sum(pages.values()) - len(pages)
    assert again <= sum(m for _, m in rounds), (again, rounds)
    for table in TABLES:
        assert export_comparable(deployment.database_url, table) == reference.exports[table], table
    assert deployment.generation_keys() == []


def test_scheduled_targets_are_crawled_again_despite_the_filter(
    deployment: Deployment, tmp_path: Path
) -> None:
    server = StandIn(Site.from_fixtures(FIXTURES))
    server.start()
    try:
        deployment.settings = [
            *site_settings(server.url, details=True),
            *("-s", f"SCHEDULE_LOCK_DIR={tmp_path}"),
        ]
        watched = ["Jeff Dean", "Geoffrey E. Hinton", f"{server.url}/cluster/oriol-vinyals"]
        with transaction(deployment.database_url) as session:
            for target in watched:
                add_target(session, target, 1, datetime.now(UTC))
        first = deployment.command("schedule", "run-due")
        assert "queued 3 due targets as generation" in first.stdout, first.stdout + first.stderr
        for name in ("w0", "w1"):
            deployment.start_worker(name)
        finished = deployment.command("reconcile", "--settle", "1")
        assert finished.returncode == 0, finished.stdout + finished.stderr[-3000:]
        once = fetched(server)
        time.sleep(1.1)
        second = deployment.command("schedule", "run-due")
        assert "queued 3 due targets" in second.stdout, second.stdout + second.stderr
        again = deployment.command("reconcile", "--settle", "1")
        assert again.returncode == 0, again.stdout + again.stderr[-3000:]
    finally:
        deployment.stop()
        server.stop()
    twice = fetched(server)
    # The second run fetched every page of the first again, detail pages too.
    assert set(twice - once) == set(once)
    assert any(p.startswith("/paper/") for p in once)
    assert "/cluster/jeff-dean?page=2" in once
    assert deployment.generation_keys() == []
    papers = {p["title"]: p for p in export_stdout(deployment.database_url, "papers")}
    # A cut list completed from its detail page, through requests queued in Redis.
    datarater = papers["DataRater: Meta-Learned Dataset Curation"]
    last = datarater["authors"][-1]
    assert last.pop("id")  # a stable id of its own
    assert last == {"name": "Jeff Dean", "homonym": None, "position": 9}
    assert not deployment.problems(), "\n\n".join(deployment.problems())


def test_duplicate_filter_is_per_generation_and_expires(redis_keys: tuple[Redis, Keys]) -> None:
    server, keys = redis_keys
    dupefilter = GenerationDupeFilter(server, keys, ttl=1)

    def request(generation: str | None, url: str = "http://site.test/cluster/a") -> Request:
        meta = {"push": Push(generation, "a").as_meta()} if generation else {}
        return Request(url, meta=meta)

    assert not dupefilter.request_seen(request("g1"))
    assert dupefilter.request_seen(request("g1"))
    assert not dupefilter.request_seen(request("g1", "http://site.test/cluster/b"))
    # The next push of the same target fetches its pages again.
    assert not dupefilter.request_seen(request("g2"))
    # A request outside any push counts in the process's own generation.
    assert not dupefilter.request_seen(request(None))
    assert dupefilter.request_seen(request(None))
    key = keys.dupefilter("g1")
    assert server.scard(key) == 2 and 0 < server.pttl(key) <= 1000
    time.sleep(1.2)
    assert list(server.scan_iter(match=f"{keys.prefix}:gen:*")) == []


def project_settings() -> Settings:
    """The project's settings as a process started now reads them: the environment of the
    moment applied as ``crawler/settings.py`` applies it on import."""
    import crawler.settings as module

    settings = Settings()
    settings.setmodule(module, priority="project")
    settings.setdict(module.environment_overrides(vars(module)), priority="project")
    return settings


def test_the_addon_does_nothing_without_redis_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    settings = project_settings()
    RedisAddon().update_settings(settings)
    assert settings["SCHEDULER"] == "scrapy.core.scheduler.Scheduler"
    assert settings["DUPEFILTER_CLASS"] == "scrapy.dupefilters.RFPDupeFilter"
    assert settings.getint("STORE_BATCH_SIZE") == 100
    assert settings.getbool("STORE_WRITE_BEHIND") is True
    assert PROGRESS not in settings.getdict("EXTENSIONS")
    assert settings.get("REDIS_URL") is None


def test_the_addon_switches_the_profile_on_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://redis.test:6379/3")
    settings = project_settings()
    settings.set("REDIS_KEY_PREFIX", "crawl7", priority="cmdline")
    RedisAddon().update_settings(settings)
    assert settings["REDIS_URL"] == "redis://redis.test:6379/3"
    assert settings["SCHEDULER"] == "crawler.distributed.scheduler.Scheduler"
    assert settings["DUPEFILTER_CLASS"] == "crawler.distributed.dupefilter.GenerationDupeFilter"
    assert settings.getbool("SCHEDULER_PERSIST")
    assert settings["SCHEDULER_QUEUE_KEY"] == "crawl7:requests"
    assert settings["REDIS_START_URLS_KEY"] == "crawl7:targets"
    assert PROGRESS in settings.getdict("EXTENSIONS")
    assert settings.getint("STORE_BATCH_SIZE") == WORKER_BATCH_SIZE > 1
    assert settings.getbool("STORE_WRITE_BEHIND") is False


def test_the_addon_setting_wins_and_the_command_line_keeps_its_batch_size(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://from-environment.test")
    settings = project_settings()
    settings.set("REDIS_URL", "redis://from-setting.test", priority="cmdline")
    settings.set("STORE_BATCH_SIZE", 50, priority="cmdline")
    RedisAddon().update_settings(settings)
    assert settings["REDIS_URL"] == "redis://from-setting.test"
    assert settings.getint("STORE_BATCH_SIZE") == 50


def _scrapy_without_redis(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``scrapy ARGS`` with no REDIS_URL in its environment and a store of its own."""
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    return subprocess.run(
        [sys.executable, "-m", "scrapy", *args],
        cwd=ROOT,
        env={**env, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_without_targets_or_redis_the_spider_says_what_it_needs(tmp_path: Path) -> None:
    done = _scrapy_without_redis(tmp_path, "crawl", "author_cluster")
    assert done.returncode == 2  # a usage error, as the README says (it was 1: a failed run)
    assert "or set REDIS_URL, to take targets from Redis" in done.stderr
    assert not (tmp_path / "x.db").exists()  # no run recorded for a command never started


def test_enqueue_without_redis_url_is_a_usage_error(tmp_path: Path) -> None:
    done = _scrapy_without_redis(tmp_path, "enqueue", "Jeff Dean")
    assert done.returncode == 2
    assert "REDIS_URL is not set" in done.stderr


@pytest.mark.parametrize(
    ("data", "node", "push", "refetch"),
    [
        (
            b'{"url": "http://s.test/cluster/a", "generation": "g", "target": "A"}',
            Node("http://s.test/cluster/a"),
            Push("g", "A"),
            False,
        ),
        (
            '{"url": "http://s.test/cluster/a?page=2", "continues": "A", "generation": "g",'
            ' "target": "A", "refetch": true}',
            Node("http://s.test/cluster/a?page=2", continues="A"),
            Push("g", "A"),
            True,
        ),
        (
            b'{"url": "http://s.test/search?q=A", "kind": "search", "name": "A",'
            b' "generation": "g", "target": "A"}',
            Node("http://s.test/search?q=A", "search", name="A"),
            Push("g", "A"),
            False,
        ),
    ],
)
def test_pushed_entries_round_trip(
    data: bytes | str, node: Node, push: Push, refetch: bool
) -> None:
    pushed = Pushed.from_data(data, None, None)
    assert (pushed.node, pushed.push, pushed.refetch) == (node, push, refetch)
    assert Pushed.from_data(pushed.to_json(), None, None) == pushed


def test_a_bare_pushed_target_is_a_generation_of_its_own() -> None:
    by_name = Pushed.from_data(b"Jeff Dean", "http://s.test/search?q={name}", None)
    assert by_name.node == Node("http://s.test/search?q=Jeff%20Dean", "search", name="Jeff Dean")
    assert by_name.push.target is None and by_name.push.generation
    by_slug = Pushed.from_data("Jeff Dean\n", None, "http://s.test/cluster/{slug}")
    assert by_slug.node == Node(f"http://s.test/cluster/{slug('Jeff Dean')}")


def test_targets_are_checked_against_the_site_before_they_are_pushed() -> None:
    settings = Settings({"ARROW_SEARCH_URL": "http://s.test/search?q={name}"})
    nodes = target_nodes(["Jeff Dean", "http://s.test/cluster/x", "Jeff Dean"], settings)
    assert list(nodes) == ["Jeff Dean", "http://s.test/cluster/x"]
    with pytest.raises(ValueError, match=r"http://else\.test/x: off the site \(s\.test\)"):
        target_nodes(["http://else.test/x"], settings)
    with pytest.raises(ValueError, match="Jeff Dean: a name needs the ARROW_SEARCH_URL"):
        target_nodes(["Jeff Dean"], Settings())
    with pytest.raises(ValueError, match=r"^http://s\.test/x: a pushed URL cannot carry cred"):
        target_nodes(["http://user:secret@s.test/x"], settings)


def test_the_walk_finds_pages_without_a_stored_record(
    redis_keys: tuple[Redis, Keys], sqlite_url: str
) -> None:
    server, keys = redis_keys
    site = "http://s.test"
    nodes = {
        f"{site}/cluster/a": Node(f"{site}/cluster/a"),
        "B": Node(f"{site}/search?q=B", "search", name="B"),
        "C": Node(f"{site}/search?q=C", "search", name="C"),
    }
    generation = push_generation(server, keys, nodes, 60)
    server.delete(keys.targets)  # no worker here: the records below stand for them
    records = {
        f"{site}/cluster/a": Done("sha-a", f"{site}/cluster/a?page=2", "A"),
        f"{site}/search?q=B": Done(None, f"{site}/cluster/b"),
        f"{site}/cluster/b": Done("sha-b", f"{site}/cluster/b?page=2", "B"),  # not stored
        f"{site}/cluster/b?page=2": Done("sha-b2"),
    }
    for url, done in records.items():
        server.hset(keys.done(generation), url, done.to_json())
    store = Store.open(sqlite_url)
    with store.writes() as session, session.begin():
        for url, sha in ((f"{site}/cluster/a", "sha-a"), (f"{site}/cluster/b?page=2", "sha-b2")):
            session.add(
                Page(
                    source=url,
                    sha256=sha,
                    size=0,
                    fetched_at=datetime.now(UTC),
                    status="loaded",
                    body_zlib=b"",
                )
            )
    check = check_generation(server, keys, store.stored_fetches, generation)
    store.close()
    assert (check.targets, check.stored) == (3, 2)
    missing = sorted(check.missing, key=lambda p: p.node.url)
    assert [(p.node, p.push.target, p.refetch) for p in missing] == [
        (Node(f"{site}/cluster/a?page=2", continues="A"), f"{site}/cluster/a", True),
        (Node(f"{site}/cluster/b", continues=None), "B", True),
        (Node(f"{site}/search?q=C", "search", name="C"), "C", True),
    ]


def test_quiet_means_nothing_queued_and_no_worker_busy(redis_keys: tuple[Redis, Keys]) -> None:
    server, keys = redis_keys
    wait_quiet(server, keys, settle=0.01, timeout=1)
    server.set(keys.worker("host:1"), BUSY, px=3000)
    with pytest.raises(TimeoutError, match="0 requests queued, 1 workers alive, 1 busy"):
        wait_quiet(server, keys, settle=0.01, timeout=0.1)
    server.set(keys.worker("host:1"), "idle", px=3000)
    server.rpush(keys.targets, "Jeff Dean")
    with pytest.raises(TimeoutError, match="1 targets and 0 requests queued"):
        wait_quiet(server, keys, settle=0.01, timeout=0.1)


def _stored_pages(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text("SELECT count(*) FROM pages")).scalar_one())
    except DBAPIError:
        return 0  # not migrated yet
    finally:
        engine.dispose()


def _terminate_backends(application_name: str) -> int:
    """pg_terminate_backend every connection of ``application_name``: the workers' own
    (PostgreSQL is shared: nobody else's); how many were terminated."""
    engine = create_engine(POSTGRES_URL)
    try:
        with engine.begin() as connection:
            return int(
                connection.execute(
                    text(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                        " WHERE application_name = :name AND pid <> pg_backend_pid()"
                    ),
                    {"name": application_name},
                ).scalar_one()
            )
    finally:
        engine.dispose()


def _kill_redis_clients(server: Redis, name: str) -> int:
    """CLIENT KILL every connection named ``name``: the workers' own; how many."""
    clients = [c["id"] for c in server.client_list() if c.get("name") == name]
    for client in clients:
        server.client_kill_filter(_id=client)
    return len(clients)


def test_workers_losing_their_database_and_redis_connections_lose_no_page(
    deployment: Deployment, synthetic: Site, reference: Reference, tmp_path: Path
) -> None:
    """Mid-crawl, every connection the workers hold to PostgreSQL is terminated
    (pg_terminate_backend, as a restart or an administrator would) and every connection to
    Redis killed (CLIENT KILL), again and again: no page is taken for a failed fetch, the
    reconciliation finishes, and the store holds what a one-process crawl stores."""
    name = deployment.keys.prefix
    deployment.database_url += f"&application_name={name}"
    deployment.redis_url = f"{REDIS_URL}?client_name={name}"
    # Paced (a fifth of a second an answer, 8 at once per worker): the faults must find the
    # crawl running however fast the workers are.
    server = StandIn(synthetic, Faults(delay=0.2))
    server.start()
    kills: Counter[str] = Counter()
    try:
        deployment.settings = site_settings(server.url)
        targets, _ = mixed_targets(synthetic, server.url)
        (tmp_path / "targets.txt").write_text("".join(f"{t}\n" for t in targets), "utf-8")
        pushed = deployment.command("enqueue", "--file", str(tmp_path / "targets.txt"))
        assert pushed.returncode == 0, pushed.stderr[-3000:]
        for worker in ("w0", "w1", "w2"):
            deployment.start_worker(worker)
        deadline = time.monotonic() + 120
        while _stored_pages(deployment.database_url) < 20 and time.monotonic() < deadline:
            time.sleep(0.05)
        for _ in range(12):  # about three seconds of lost connections, in the thick of it
            kills["postgresql"] += _terminate_backends(name)
            kills["redis"] += _kill_redis_clients(deployment.redis, name)
            time.sleep(0.25)
        assert _stored_pages(deployment.database_url) < 400, "the crawl ended before the faults"
        done = deployment.command("reconcile", "--settle", "1")
    finally:
        deployment.stop()
        server.stop()
    assert kills["postgresql"] > 0 and kills["redis"] > 0, kills
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    with transaction(deployment.database_url) as session:
        refused = session.execute(select(Reject.source, Reject.reason).where(Reject.item == 0))
        pages = refused.all()
    assert pages == [], pages  # no page of this site fails: a lost connection is ours
    for table in TABLES:
        assert export_comparable(deployment.database_url, table) == reference.exports[table], table
    assert deployment.generation_keys() == []


def test_the_walk_finds_a_redirected_page_where_the_store_keeps_it(
    redis_keys: tuple[Redis, Keys], sqlite_url: str
) -> None:
    server, keys = redis_keys
    asked, answered = "http://s.test/cluster/old", "http://s.test/cluster/new"
    generation = push_generation(server, keys, {asked: Node(asked)}, 60)
    server.delete(keys.targets)
    server.hset(keys.done(generation), asked, Done("sha", at=answered).to_json())
    store = Store.open(sqlite_url)
    with store.writes() as session, session.begin():
        session.add(
            Page(
                source=answered,
                sha256="sha",
                size=0,
                fetched_at=datetime.now(UTC),
                status="loaded",
                body_zlib=b"",
            )
        )
    check = check_generation(server, keys, store.stored_fetches, generation)
    store.close()
    assert (check.targets, check.stored, check.missing) == (1, 1, [])


def test_a_redirected_page_is_recorded_where_it_was_asked_for_and_where_it_is(
    redis_keys: tuple[Redis, Keys],
) -> None:
    server, keys = redis_keys
    progress = Progress(server, keys, 60)
    asked, answered = "http://s.test/cluster/old", "http://s.test/cluster/new"
    body = (FIXTURES / "quoc-v-le.html").read_bytes()
    meta = {"push": Push("g", asked).as_meta(), "redirect_urls": [asked]}
    response = HtmlResponse(answered, body=body, request=Request(answered, meta=meta))
    page = record(body, answered, "text/html")
    progress.page_stored(page, response)
    detail = HtmlResponse("http://s.test/paper/p", body=b"", request=Request(answered, meta=meta))
    progress.page_stored(record(body, "http://s.test/cluster/other", "text/html"), detail)
    found: dict[bytes, bytes] = server.hgetall(keys.done("g"))  # type: ignore[assignment]
    records = {url.decode(): Done.from_json(done) for url, done in found.items()}
    assert records == {
        answered: Done(page.fetch.sha256, None, "Quoc V. Le"),
        asked: Done(page.fetch.sha256, None, "Quoc V. Le", at=answered),
        # A record finished with another response (a detail page's) is kept where it is.
        "http://s.test/cluster/other": Done(page.fetch.sha256, None, "Quoc V. Le"),
    }


def test_a_generation_whose_records_expired_is_unknown_not_finished(
    redis_keys: tuple[Redis, Keys], tmp_path: Path
) -> None:
    server, keys = redis_keys
    generation = push_generation(server, keys, {"Jeff Dean": Node("http://s.test/c/jd")}, 60)
    server.delete(keys.targets, keys.ledger(generation))  # as REDIS_LEDGER_TTL would
    env = {**os.environ, "REDIS_URL": REDIS_URL, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}

    def reconcile(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "scrapy",
                "reconcile",
                *args,
                "-s",
                f"REDIS_KEY_PREFIX={keys.prefix}",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    listed = reconcile("--list")
    assert f"{generation}\t" in listed.stdout and "unknown: its records are gone" in listed.stdout
    done = reconcile("--settle", "0.1")
    assert done.returncode == 1, done.stdout + done.stderr[-2000:]
    assert f"generation {generation}: unknown: its records are gone" in done.stdout
    assert "finished" not in done.stdout
    # Reported once, then forgotten: it cannot be checked, ever.
    assert server.zscore(keys.generations, generation) is None


def test_the_reconciliation_s_timeout_bounds_all_its_rounds_together(
    redis_keys: tuple[Redis, Keys],
) -> None:
    """Each round's wait for quiet is short, but the rounds together outlast ``timeout``:
    the reconciliation stops there (a cron entry never outlasts its interval)."""
    server, keys = redis_keys
    generation = push_generation(server, keys, {"A": Node("http://s.test/cluster/a")}, 60)
    server.delete(keys.targets)
    stop = threading.Event()

    def slow_worker() -> None:
        """Takes each target queued again 0.6 s after it comes, and never records it."""
        while not stop.is_set():
            if server.llen(keys.targets):
                time.sleep(0.6)
                server.delete(keys.targets)
            time.sleep(0.01)

    worker = threading.Thread(target=slow_worker, daemon=True)
    worker.start()
    started = time.monotonic()
    try:
        with pytest.raises(TimeoutError):
            reconcile(
                server, keys, lambda _urls: set(), [generation], settle=0.05, timeout=1.0, rounds=4
            )
    finally:
        stop.set()
        worker.join()
    assert time.monotonic() - started < 2.0


def test_a_page_the_store_failed_on_is_not_recorded_as_done(
    deployment: Deployment, tmp_path: Path
) -> None:
    """A worker whose store write fails after its retries (the tables locked, statements
    giving up on locks) does not record the page as done: the reconciliation finds it
    missing, and queues it again (as it does a killed worker's, tested above)."""
    server = StandIn(Site.from_fixtures(FIXTURES))
    server.start()
    url = f"{server.url}/cluster/oriol-vinyals"
    Store.open(deployment.database_url).close()
    admin = create_engine(POSTGRES_URL)
    try:
        deployment.settings = site_settings(server.url)
        pushed = deployment.command("enqueue", url)
        assert pushed.returncode == 0, pushed.stderr[-3000:]
        generation = pushed.stdout.split()[-1]
        schema = schema_of(deployment.database_url)
        with admin.connect() as connection, connection.begin() as transaction:
            connection.execute(
                text(f'LOCK TABLE "{schema}".pages, "{schema}".rejects IN ACCESS EXCLUSIVE MODE')
            )
            deployment.database_url += LOCK_TIMEOUT
            worker = deployment.start_worker("w0", "-s", "MAX_IDLE_TIME_BEFORE_CLOSE=1")
            worker.wait(timeout=120)
            transaction.rollback()
    finally:
        deployment.stop()
        server.stop()
        admin.dispose()
    assert "store failed" in deployment.log("w0")
    assert deployment.redis.hget(deployment.keys.done(generation), url) is None
    store = Store.open(deployment.database_url)
    check = check_generation(deployment.redis, deployment.keys, store.stored_fetches, generation)
    assert [p.node.url for p in check.missing] == [url]


@dataclass
class _Engine:
    running: bool = True
    queued: int = 0
    redis_down: bool = False

    @property
    def scheduler(self) -> _Engine:
        return self

    def has_pending_requests(self) -> bool:
        if self.redis_down:
            raise RedisError("Connection refused")
        return self.queued > 0


@dataclass
class _Slot:
    scheduler: _Engine


@dataclass
class _OlderEngine:
    """Scrapy before 2.19: the scheduler is the engine's slot's."""

    _slot: _Slot
    running: bool = True


@dataclass
class _Crawler:
    engine: Any


@dataclass
class _Spider:
    crawler: Any
    rounds: int = 0

    def schedule_next_requests(self) -> None:
        self.rounds += 1


@pytest.mark.parametrize(
    ("engine", "takes"),
    [
        (_Engine(), True),  # nothing queued: the next round, while the last pages finish
        (_Engine(queued=3), False),  # queued work is for whichever worker is free
        (_Engine(running=False), False),  # closing
        (None, False),  # not started
        (_Engine(redis_down=True), False),  # Redis away: no round, and no error either
        (_OlderEngine(_Slot(_Engine())), True),
        (_OlderEngine(_Slot(_Engine(queued=1))), False),
    ],
)
def test_a_worker_takes_its_next_round_when_the_shared_queue_runs_dry(
    engine: _Engine | _OlderEngine | None, takes: bool
) -> None:
    from crawler.distributed.refill import Refill

    spider = _Spider(_Crawler(engine))
    Refill(spider).tick()
    assert spider.rounds == int(takes)
