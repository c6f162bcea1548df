"""The live spider against a hostile site (tests/hostile_server.py), on loopback only: every
page that fails ends as a reject with a reason that names the problem, nothing of the good
pages is lost, nothing leaks (credentials, local files), and memory stays bounded."""

from __future__ import annotations

import base64
import json
import os
import sqlite3
import subprocess
import sys
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

from crawler.settings import DOWNLOADER_MIDDLEWARES
from crawler.standin import Site
from tests.cli import scrapy
from tests.fixture_pages import FIXTURES, ROOT
from tests.hostile_server import CASES, PREFIX, HostileStandIn, gzip_bomb
from tests.store_helpers import comparable_all, export_all, file_records, load

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

# Short limits, so that the slow cases end in seconds: the time-outs and limits are what is
# tested, not their defaults.
LIMITS = [
    *("-s", "AUTOTHROTTLE_ENABLED=false"),
    *("-s", "RETRY_BACKOFF_BASE=0.1"),
    *("-s", "DOWNLOAD_TIMEOUT=2"),
    *("-s", "FETCH_TIME_LIMIT=3.5"),
    *("-s", "FOLLOW_DETAIL_PAGES=false"),
    *("-s", "ARROW_CONTACT=ops@example.org"),
]
GOOD = {"Quoc V. Le": "quoc-v-le.html", "Oriol Vinyals": "oriol-vinyals.txt"}
TABLES = ("papers", "authors", "venues", "clusters")
SECRET = "S3cret-Pw"


@pytest.fixture(scope="module")
def hostile() -> Iterator[HostileStandIn]:
    gzip_bomb()  # made before the server answers: it takes seconds
    server = HostileStandIn(Site.from_fixtures(FIXTURES))
    server.start()
    yield server
    server.stop()


@dataclass
class Crawl:
    done: subprocess.CompletedProcess[str]
    peak_rss_mib: float


# The crawl is started by a small Python process that waits for it (wait4) and writes its
# peak RSS. Started by pytest itself, the crawl would report pytest's peak instead: Linux
# keeps a process's ru_maxrss through exec, so a child of a 500 MiB pytest reads 500 MiB.
PEAK_RSS = """
import os, subprocess, sys
child = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(child.pid, 0)
with open(sys.argv[1], "w") as out:
    out.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def crawl(db: Path, server: HostileStandIn, *args: str) -> Crawl:
    """A live crawl against ``server``, its peak RSS measured by the kernel (wait4)."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}"}
    peak = db.with_suffix(".peak")
    done = subprocess.run(
        [
            *(sys.executable, "-c", PEAK_RSS, str(peak)),
            *(sys.executable, "-m", "scrapy", "crawl", "author_cluster", *args),
            *("-s", f"ARROW_CLUSTER_URL={server.url}/cluster/{{slug}}"),
            *LIMITS,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return Crawl(done, int(peak.read_text()) / 1024)


def rejects(db: Path) -> dict[str, list[str]]:
    """Reasons of the whole-page rejects, by source."""
    found: dict[str, list[str]] = {}
    with sqlite3.connect(db) as connection:
        for source, reason in connection.execute(
            "SELECT source, reason FROM rejects WHERE item = 0 ORDER BY id"
        ):
            found.setdefault(source, []).append(reason)
    return found


def stored_text(db: Path) -> str:
    """Everything the store holds as text, archived bodies decompressed."""
    with sqlite3.connect(db) as connection:
        dump = "\n".join(connection.iterdump())
        bodies = [
            zlib.decompress(body).decode("utf-8", "replace")
            for (body,) in connection.execute("SELECT body_zlib FROM pages")
        ]
    return "\n".join([dump, *bodies])


def names_file(tmp_path: Path, names: list[str]) -> str:
    path = tmp_path / "names.txt"
    path.write_text("".join(f"{n}\n" for n in names), "utf-8")
    return f"names_file={path}"


def test_every_hostile_page_is_refused_with_its_reason_and_no_good_page_loses_a_row(
    tmp_path: Path, hostile: HostileStandIn
) -> None:
    db = tmp_path / "hostile.db"
    targets = [f"hostile {case}" for case in [*CASES, "file-next"]] + list(GOOD)
    done = crawl(db, hostile, "-a", names_file(tmp_path, targets)).done
    assert done.returncode == 0, done.stderr[-3000:]
    found = rejects(db)
    failures = []
    for case, words in CASES.items():
        reasons = found.get(f"{hostile.url}{PREFIX}{case}", [])
        if not any(words in reason for reason in reasons):
            failures.append(f"{case}: no reject saying {words!r}: {reasons}")
    # The file:// next link is refused with its reason, and nothing of the file is read.
    link = found.get("file:///etc/passwd", [])
    if not any("not an http(s) URL" in reason for reason in link):
        failures.append(f"file-next: no reject saying the link is not followed: {link}")
    assert not failures, "\n".join(failures)
    assert all(r.strip() and not r.endswith(": ") for rs in found.values() for r in rs), found
    text = stored_text(db)
    assert "root:x:0:0" not in text and "/bin/sh" not in text
    # The slow drip was given up within FETCH_TIME_LIMIT (a 2 s attempt, then one cut to
    # 1.5 s), not after five attempts of DOWNLOAD_TIMEOUT each.
    drips = hostile.requests_for(f"{PREFIX}drip")
    assert len(drips) == 2, drips
    # Nothing else lost: the good clusters hold what a replay of their saved pages holds.
    reference = tmp_path / "reference.db"
    load(f"sqlite:///{reference}", file_records(FIXTURES / f for f in GOOD.values()))
    got = comparable_all(f"sqlite:///{db}", links=False)
    expected = comparable_all(f"sqlite:///{reference}", links=False)
    for table in TABLES:
        assert got[table] == expected[table], table


def test_credentials_in_a_target_url_never_reach_the_log_or_the_store(
    tmp_path: Path, hostile: HostileStandIn
) -> None:
    db = tmp_path / "secret.db"
    userinfo = f"arrow:{SECRET}"
    site = f"http://{userinfo}@127.0.0.1:{hostile.port_number}"
    good = crawl(db, hostile, "-a", f"url={site}/cluster/quoc-v-le")
    failed = crawl(db, hostile, "-a", f"url={site}{PREFIX}error", "-s", "RETRY_TIMES=1")
    assert good.done.returncode == 0, good.done.stderr[-3000:]
    assert failed.done.returncode == 1, failed.done.stderr[-3000:]
    said = [good.done.stdout, good.done.stderr, failed.done.stdout, failed.done.stderr]
    said += [scrapy(db, "export", table, "-o", "-").stdout for table in ("runs", "rejects")]
    said.append(stored_text(db))
    encoded = base64.b64encode(userinfo.encode()).decode()
    for text in said:
        assert SECRET not in text
        assert encoded not in text
    assert rejects(db)[f"http://127.0.0.1:{hostile.port_number}{PREFIX}error"]


@pytest.mark.parametrize(
    ("cases", "limit_mib"),
    [(("bomb", "huge"), 400), (("big", "big-gzip"), 600)],
    ids=["bombs", "large-pages"],
)
def test_memory_stays_bounded_on_bombs_and_large_pages(
    tmp_path: Path, hostile: HostileStandIn, cases: tuple[str, ...], limit_mib: int
) -> None:
    """A generous bound only (the machine is shared; a crawl of a few small pages peaks
    at about 150 MiB): the figures are in docs/scaling.md."""
    db = tmp_path / "rss.db"
    run = crawl(db, hostile, "-a", names_file(tmp_path, [f"hostile {case}" for case in cases]))
    assert run.peak_rss_mib < limit_mib, run.peak_rss_mib
    assert run.done.returncode in (0, 1), run.done.stderr[-3000:]


def test_a_failure_of_ours_is_asked_again_and_never_stored_as_the_page_s(
    tmp_path: Path, hostile: HostileStandIn
) -> None:
    """A request that fails on our side (a bug, a lost database) is asked again; when it
    keeps failing, the page is left unrecorded (no reject: it says nothing about the page)
    and the run fails."""
    faults = {"/cluster/quoc-v-le": 1, "/cluster/oriol-vinyals": 99}
    middlewares = {**DOWNLOADER_MIDDLEWARES, "tests.hostile_server.OurFaultMiddleware": 540}
    db = tmp_path / "ours.db"
    run = crawl(
        db,
        hostile,
        *("-a", names_file(tmp_path, list(GOOD))),
        *("-s", f"OUR_FAULTS={json.dumps(faults)}"),
        *("-s", f"DOWNLOADER_MIDDLEWARES={json.dumps(middlewares)}"),
    )
    assert run.done.returncode == 1, run.done.stderr[-3000:]
    assert "failed on our side 3 times" in run.done.stderr
    assert rejects(db) == {}
    clusters = [c["name"] for c in export_all(f"sqlite:///{db}")["clusters"]]
    assert clusters == ["Quoc V. Le"]
