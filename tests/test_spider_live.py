"""The live spider against the local stand-in of the site, on loopback only."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from crawler.standin import Faults, Site, StandIn
from tests.cli import FAST, export_comparable, export_stdout, scrapy
from tests.fixture_pages import FIXTURES, ROOT

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


@pytest.fixture
def site() -> Site:
    return Site.from_fixtures(FIXTURES)


def serve(site: Site, faults: Faults | None = None) -> StandIn:
    return StandIn(site, faults or Faults())


@pytest.fixture
def stand_in(site: Site) -> Iterator[StandIn]:
    server = serve(site)
    server.start()
    yield server
    server.stop()


def crawl(
    db: Path, server: StandIn, *args: str, expect: int = 0
) -> subprocess.CompletedProcess[str]:
    """A live crawl against ``server``; ``expect``: its exit code (1: every page failed, 3:
    degraded)."""
    done = scrapy(
        db,
        "crawl",
        "author_cluster",
        *args,
        "-s",
        f"ARROW_SEARCH_URL={server.url}/search?q={{name}}",
        "-s",
        "ARROW_CONTACT=ops@example.org",
        *FAST,
    )
    assert done.returncode == expect, done.stderr
    return done


def test_crawl_by_name_with_faults_loads_what_a_replay_loads(tmp_path: Path, site: Site) -> None:
    faults = Faults(throttle_first=1, unavailable_first=1, error_first=1, retry_after=1)
    server = serve(site, faults)
    server.start()
    try:
        crawl(
            tmp_path / "live.db", server, "-a", "name=Jeff Dean", "-s", "FOLLOW_DETAIL_PAGES=false"
        )
    finally:
        server.stop()
    replayed = tmp_path / "replay.db"
    assert (
        scrapy(replayed, "crawl", "replay", "-a", f"path={FIXTURES / 'jeff-dean.html'}").returncode
        == 0
    )
    for table in ("papers", "authors", "venues", "clusters"):
        live = export_comparable(tmp_path / "live.db", table, links=False)
        assert live == export_comparable(replayed, table, links=False), table
    # Every page was throttled, unavailable and failing once before it was served.
    assert len(server.requests_for("/cluster/jeff-dean?page=2")) == 4


@pytest.mark.parametrize("as_date", [False, True])
def test_retry_after_is_honoured(tmp_path: Path, site: Site, as_date: bool) -> None:
    server = serve(site, Faults(throttle_first=1, retry_after=2, retry_after_as_date=as_date))
    server.start()
    try:
        crawl(tmp_path / "a.db", server, "-a", f"url={server.url}/cluster/oriol-vinyals")
    finally:
        server.stop()
    first, second = server.requests_for("/cluster/oriol-vinyals")
    # An HTTP date has one-second resolution: allow for the second it was rounded in.
    assert second - first >= (1.0 if as_date else 2.0)
    assert len(export_stdout(tmp_path / "a.db", "papers")) == 3


def test_polite_identity_and_robots(tmp_path: Path, stand_in: StandIn) -> None:
    done = crawl(tmp_path / "r.db", stand_in, "-a", f"url={stand_in.url}/private/secret", expect=1)
    paths = [path for _, path, _ in stand_in.log]
    assert paths[0] == "/robots.txt"
    assert not any(p.startswith("/private/") for p in paths)
    assert "Forbidden by robots.txt" in done.stderr
    agents = {agent for _, _, agent in stand_in.log}
    assert agents == {"arrow-crawler/0.1 (+ops@example.org)"}


def test_no_off_site_request_and_non_html_is_rejected(tmp_path: Path, site: Site) -> None:
    faults = Faults(
        offsite_redirect_paths=frozenset({"/cluster/moved"}),
        non_html_paths=frozenset({"/cluster/report"}),
    )
    server = serve(site, faults)
    server.start()
    try:
        db = tmp_path / "o.db"
        first = crawl(db, server, "-a", f"url={server.url}/cluster/moved", expect=1)
        second = crawl(db, server, "-a", f"url={server.url}/cluster/report", expect=1)
    finally:
        server.stop()
    assert [path for _, path, _ in server.log if path != "/robots.txt"] == [
        "/cluster/moved",
        "/cluster/report",
    ]
    assert "redirect off-site to offsite.invalid refused" in first.stderr
    runs = export_stdout(db, "runs")
    assert [r["counts"]["pages_rejected"] for r in runs] == [1, 1]
    assert "not an HTML page: application/pdf" in second.stderr


def test_cut_lists_are_completed_from_detail_pages(tmp_path: Path, site: Site) -> None:
    dead = "/paper/scaling-instruction-finetuned-language-models"
    server = serve(site, Faults(dead_paths=frozenset({dead})))
    server.start()
    try:
        crawl(tmp_path / "d.db", server, "-a", "name=Jeff Dean")
    finally:
        server.stop()
    papers = {p["title"]: p for p in export_stdout(tmp_path / "d.db", "papers")}
    datarater = papers["DataRater: Meta-Learned Dataset Curation"]
    last = datarater["authors"][-1]
    assert last.pop("id")  # a stable id of its own
    assert last == {"name": "Jeff Dean", "homonym": None, "position": 9}
    assert datarater["authors_complete"] is True
    # The dead detail link leaves that list as the cluster page showed it.
    flan = papers["Scaling Instruction-Finetuned Language Models"]
    assert flan["authors_complete"] is False
    assert flan["authors"][-1]["position"] is None


def test_pages_are_archived_and_an_unchanged_page_costs_no_writes(
    tmp_path: Path, stand_in: StandIn
) -> None:
    from sqlalchemy import select

    from pipelines.store.models import Page
    from tests.store_helpers import transaction

    db = tmp_path / "a.db"
    url = f"{stand_in.url}/cluster/oriol-vinyals"
    crawl(db, stand_in, "-a", f"url={url}")
    second = crawl(db, stand_in, "-a", f"url={url}")
    assert "1 pages (0 rejected, 1 unchanged), 0 papers" in second.stderr
    # The second fetch was conditional: the site answered 304 and the archive served it.
    assert stand_in.not_modified == 1
    third = crawl(db, stand_in, "-a", f"url={url}", "-s", "CONDITIONAL_REQUESTS=false")
    assert "1 pages (0 rejected, 1 unchanged), 0 papers" in third.stderr
    assert stand_in.not_modified == 1
    with transaction(f"sqlite:///{db}") as session:
        pages = {p.status: p for p in session.execute(select(Page)).scalars()}
        assert sorted(pages) == ["detail", "loaded"]  # AlphaStar's list is at the limit
        page = pages["loaded"]
        assert (page.source, page.http_status) == (url, 200)
        assert pages["detail"].source.startswith(f"{stand_in.url}/paper/grandmaster")
        assert page.headers and page.headers["Content-Type"].startswith("text/html")
        assert (page.first_run_id, page.last_run_id) == (1, 3)


def test_archive_replay_reparses_fetched_pages_without_the_network(
    tmp_path: Path, stand_in: StandIn
) -> None:
    db = tmp_path / "r.db"
    crawl(db, stand_in, "-a", "name=Jeff Dean")
    stand_in.stop()  # from here on, nothing answers
    before = {t: export_comparable(db, t) for t in ("papers", "authors", "clusters")}
    replay = scrapy(db, "crawl", "replay", "-a", "source=archive")
    assert replay.returncode == 0, replay.stderr
    narrowed = scrapy(
        db,
        "crawl",
        "replay",
        "-a",
        "source=archive",
        "-a",
        f"url={stand_in.url}/cluster/jeff-dean?page=2",
    )
    assert narrowed.returncode == 0, narrowed.stderr
    assert {t: export_comparable(db, t) for t in before} == before
    runs = export_stdout(db, "runs")
    assert [(r["spider"], r["counts"]["pages"], r["counts"]["papers_new"]) for r in runs[1:]] == [
        ("replay", 2, 0),
        ("replay", 1, 0),
    ]
    assert runs[1]["arguments"] == {"source": "archive"}
    # Archived pages come back with their cut lists completed from archived detail pages.
    from pipelines.store import Store, archived_record
    from tests.store_helpers import SETTINGS

    store = Store.open(f"sqlite:///{db}")
    archived = store.latest_archived(f"{stand_in.url}/cluster/jeff-dean")
    assert archived is not None
    item = archived_record(store, archived, SETTINGS)
    store.close()
    assert item.page is not None
    datarater = next(p for p in item.page.papers if p.title.startswith("DataRater"))
    listed = [a.author.name for a in datarater.authorships if a.position is not None]
    assert listed[-1] == "Jeff Dean" and len(listed) == 9


def test_runs_list_and_diff(tmp_path: Path, site: Site) -> None:
    from dataclasses import replace

    db = tmp_path / "d.db"
    server = serve(site)
    server.start()
    try:
        url = f"{server.url}/cluster/oriol-vinyals"
        crawl(db, server, "-a", f"url={url}")
        cluster = site.clusters["oriol-vinyals"]
        first, second, third = cluster.papers
        added = replace(third, title="A New Paper", abstract="Something new was written here.")
        edited = replace(second, abstract="A rewritten abstract, long enough to be prose.")
        site.clusters["oriol-vinyals"] = replace(cluster, papers=(edited, third, added))
        # A third of the cluster's papers gone: run health calls the run degraded (exit 3).
        crawl(db, server, "-a", f"url={url}", expect=3)
    finally:
        server.stop()
    listed = scrapy(db, "runs")
    assert [line.split()[:3] for line in listed.stdout.splitlines()] == [
        ["1", "author_cluster", "finished"],
        ["2", "author_cluster", "degraded"],
    ]
    assert "33.3% of cluster papers disappeared (1 of 3 seen before)" in listed.stdout
    diff = scrapy(db, "runs", "diff", "2")
    assert diff.returncode == 0, diff.stderr
    assert diff.stdout.splitlines() == [
        "Oriol Vinyals (run 2 against run 1):",
        "  + A New Paper",
        f"  - {first.title}",
        f"  ~ {second.title} (abstract)",
    ]
    assert scrapy(db, "runs", "diff", "1", "2").stdout == diff.stdout
    assert scrapy(db, "runs", "diff", "x").returncode == 2
    unknown = scrapy(db, "runs", "diff", "99")
    assert unknown.returncode == 2 and "no run 99" in unknown.stderr


def test_schedule_add_list_run_due_and_lock(tmp_path: Path, stand_in: StandIn) -> None:
    import fcntl

    db = tmp_path / "s.db"
    url = f"{stand_in.url}/cluster/oriol-vinyals"
    settings = [
        "-s",
        f"ARROW_SEARCH_URL={stand_in.url}/search?q={{name}}",
        "-s",
        f"SCHEDULE_LOCK_DIR={tmp_path}",
        *FAST,
    ]
    assert scrapy(db, "schedule", "add", url, "--every", "1d").returncode == 0
    assert scrapy(db, "schedule", "add", "Quoc V. Le", "--every", "6h").returncode == 0
    assert scrapy(db, "schedule", "add", "x", "--every", "soon").returncode != 0
    listed = scrapy(db, "schedule", "list").stdout.splitlines()
    assert [line.split("\t")[:2] for line in listed] == [
        ["Quoc V. Le", "every 21600s"],
        [url, "every 86400s"],
    ]

    with (tmp_path / "arrow-schedule.lock").open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        blocked = scrapy(db, "schedule", "run-due", *settings)
        fcntl.flock(held, fcntl.LOCK_UN)
    assert "another scheduled run holds the lock" in blocked.stdout

    ran = scrapy(db, "schedule", "run-due", *settings)
    assert ran.returncode == 0, ran.stderr
    assert "crawled 2 due target(s)" in ran.stdout
    assert {c["name"] for c in export_stdout(db, "clusters")} == {"Oriol Vinyals", "Quoc V. Le"}
    assert "nothing due" in scrapy(db, "schedule", "run-due", *settings).stdout
    assert scrapy(db, "schedule", "remove", url).returncode == 0
    assert [line.split("\t")[0] for line in scrapy(db, "schedule", "list").stdout.splitlines()] == [
        "Quoc V. Le"
    ]


def test_savefixture_saves_the_page_and_its_expected_parse(
    tmp_path: Path, stand_in: StandIn
) -> None:
    from crawler.fixtures import parse_fixture

    out = tmp_path / "fx"
    done = scrapy(
        tmp_path / "x.db",
        "savefixture",
        f"{stand_in.url}/cluster/quoc-v-le",
        "--dir",
        str(out),
        "--name",
        "quoc-live",
    )
    assert done.returncode == 0, done.stderr
    page = out / "quoc-live.html"
    expected = json.loads((out / "quoc-live.html.expected.json").read_text("utf-8"))
    assert expected == parse_fixture(page)
    assert (expected["cluster_name"], len(expected["papers"])) == ("Quoc V. Le", 4)
    # no crawl run: none recorded (it was, judged degraded and alerted on, each time)
    assert (
        not (tmp_path / "x.db").exists()
        or "savefixture" not in scrapy(tmp_path / "x.db", "runs").stdout
    )


def _stored_pages(db: Path) -> int:
    import sqlite3

    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db) as connection:
            return int(connection.execute("select count(*) from pages").fetchone()[0])
    except sqlite3.OperationalError:
        return 0  # not migrated yet


def _interrupted_crawl(
    db: Path, server: StandIn, names: Path, signal_number: int, *extra: str
) -> None:
    import signal
    import time

    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}"}
    command = [
        sys.executable,
        "-m",
        "scrapy",
        "crawl",
        "author_cluster",
        "-a",
        f"names_file={names}",
        "-s",
        f"ARROW_SEARCH_URL={server.url}/search?q={{name}}",
        "-s",
        "STORE_BATCH_SIZE=1",
        "-s",
        "CONCURRENT_REQUESTS_PER_DOMAIN=1",
        *FAST,
        *extra,
    ]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while _stored_pages(db) < 2 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    process.send_signal(signal_number)
    process.wait(timeout=60)
    assert signal_number != signal.SIGKILL or process.returncode == -signal.SIGKILL


@pytest.mark.parametrize("how", ["sigkill-then-rerun", "ctrl-c-then-jobdir-resume"])
def test_an_interrupted_crawl_resumes_without_losing_or_duplicating_a_page(
    tmp_path: Path, site: Site, how: str
) -> None:
    import signal

    names = tmp_path / "names.txt"
    names.write_text("".join(f"{c.cluster_name}\n" for c in site.clusters.values()), "utf-8")
    server = serve(site, Faults(delay=0.15))
    server.start()
    try:
        reference = tmp_path / "ref.db"
        crawl(reference, server, "-a", f"names_file={names}")
        db = tmp_path / "cut.db"
        job = ["-s", f"JOBDIR={tmp_path / 'job'}"] if how.endswith("jobdir-resume") else []
        stop = signal.SIGKILL if how.startswith("sigkill") else signal.SIGINT
        _interrupted_crawl(db, server, names, stop, *job)
        # The interruption came mid-crawl: some pages were stored, not all.
        assert 2 <= _stored_pages(db) < _stored_pages(reference)
        crawl(db, server, "-a", f"names_file={names}", *job)
    finally:
        server.stop()
    for table in ("papers", "authors", "venues", "clusters"):
        assert export_comparable(db, table) == export_comparable(reference, table), table


def test_time_outs_and_oversized_pages_are_rejected_with_a_reason(
    tmp_path: Path, site: Site
) -> None:
    server = serve(site, Faults(hang_paths=frozenset({"/cluster/quoc-v-le"}), hang_seconds=5))
    server.start()
    try:
        db = tmp_path / "t.db"
        hung = crawl(
            db,
            server,
            "-a",
            f"url={server.url}/cluster/quoc-v-le",
            "-s",
            "DOWNLOAD_TIMEOUT=1",
            "-s",
            "RETRY_TIMES=1",
            expect=1,
        )
        big = crawl(
            db,
            server,
            "-a",
            f"url={server.url}/cluster/jeff-dean",
            "-s",
            "DOWNLOAD_MAXSIZE=2000",
            expect=1,
        )
    finally:
        server.stop()
    assert len(server.requests_for("/cluster/quoc-v-le")) == 2  # tried, retried once, given up
    assert "fetch failed" in hung.stderr and "took longer than" in hung.stderr
    assert "fetch failed" in big.stderr
    runs = export_stdout(db, "runs")
    assert [r["counts"]["pages_rejected"] for r in runs] == [1, 1]


@pytest.mark.parametrize("stop", ["SIGINT", "SIGTERM"])
def test_schedule_serve_runs_what_is_due_in_a_loop(
    tmp_path: Path, stand_in: StandIn, stop: str
) -> None:
    """It stops on Ctrl-C or SIGTERM, even started as a shell starts a background job
    (SIGINT ignored), as a crawl does."""
    import signal
    import threading
    import time

    db = tmp_path / "serve.db"
    assert (
        scrapy(
            db, "schedule", "add", f"{stand_in.url}/cluster/oriol-vinyals", "--every", "1h"
        ).returncode
        == 0
    )
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}"}
    serve_loop = subprocess.Popen(
        [
            # As a shell starts a background job: SIGINT ignored, through exec.
            *("sh", "-c", 'trap "" INT; exec "$@"', "sh"),
            sys.executable,
            "-m",
            "scrapy",
            "schedule",
            "serve",
            "--interval",
            "0.5",
            "-s",
            f"SCHEDULE_LOCK_DIR={tmp_path}",
            *FAST,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    lines: list[str] = []
    assert serve_loop.stdout is not None
    reader = threading.Thread(target=lambda: lines.extend(serve_loop.stdout or ()), daemon=True)
    reader.start()
    # Until a check after the crawl finds nothing due (however slow a loaded machine is).
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and not any("nothing due" in line for line in lines):
        time.sleep(0.1)
    serve_loop.send_signal(getattr(signal, stop))
    assert serve_loop.wait(timeout=60) == 0
    reader.join(timeout=10)
    serve_loop.stdout.close()
    out = "".join(lines)
    assert len(stand_in.requests_for("/cluster/oriol-vinyals")) == 1
    assert "crawled 1 due target(s)" in out
    assert "nothing due" in out
    assert out.rstrip().endswith("stopped")


def test_scrapy_check_runs_the_spider_contracts_against_the_stand_in(
    tmp_path: Path, stand_in: StandIn
) -> None:
    db = tmp_path / "check.db"
    done = scrapy(db, "check", "author_cluster", "-s", f"ARROW_CHECK_URL={stand_in.url}")
    assert done.returncode == 0, done.stderr
    assert "Ran 4 contracts" in done.stderr and "OK" in done.stderr
    assert not db.exists()  # a check stores nothing
    missing = scrapy(db, "check", "author_cluster", "-s", f"ARROW_CHECK_URL={stand_in.url}/gone/")
    assert missing.returncode != 0


@pytest.mark.parametrize(
    ("name", "saved"),
    [
        ("quoc-live", "quoc-live.html"),
        ("../../etc/x", "etc-x.html"),
        ("/etc/passwd", "etc-passwd.html"),
        ("Jeff Dean.htm", "jeff-dean.html"),
        ("...", "page.html"),
    ],
)
def test_savefixture_names_are_slugs_inside_the_fixture_directory(
    tmp_path: Path, name: str, saved: str
) -> None:
    from crawler.commands.savefixture import fixture_file

    assert fixture_file(tmp_path, name) == (tmp_path / saved).resolve()


def test_the_stand_in_accepts_a_burst_of_connections_at_once(stand_in: StandIn) -> None:
    """A crawler opens many connections at once (a distributed worker's round of targets):
    the stand-in, like a real server, takes them all. With Python's default listen backlog
    (5), those beyond it were dropped and retried by the kernel a second later."""
    import selectors
    import socket
    from urllib.parse import urlsplit

    address = urlsplit(stand_in.url)
    host, port = address.hostname or "127.0.0.1", address.port or 80
    sockets = []
    with selectors.DefaultSelector() as selector:
        for _ in range(48):
            client = socket.socket()
            client.setblocking(False)
            client.connect_ex((host, port))
            selector.register(client, selectors.EVENT_WRITE)
            sockets.append(client)
        connected: set[socket.socket] = set()
        # A dropped connection is retried after a second: half of one tells them apart.
        while len(connected) < len(sockets) and (ready := selector.select(timeout=0.5)):
            for key, _ in ready:
                selector.unregister(key.fileobj)
                connected.add(key.fileobj)  # type: ignore[arg-type]
    for client in sockets:
        client.close()
    assert len(connected) == len(sockets)
