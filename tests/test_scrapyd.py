"""A real Scrapyd: the project deployed as an egg with scrapyd-client, two crawls scheduled
through its HTTP API (one by cluster URL, one by author name), their rows in the store and
their paper items in Scrapyd's items feed."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from crawler.standin import Site, StandIn
from pipelines.store import Store
from tests.fixture_pages import FIXTURES, ROOT

if TYPE_CHECKING:
    from collections.abc import Iterator

SCRAPYD = "http://127.0.0.1:6800"  # scrapy.cfg's deploy target
PROJECT = "arrow-crawler"
BIN = Path(sys.executable).parent


def _port_taken(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _call(path: str, data: list[tuple[str, str]] | None = None) -> dict[str, Any]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    with urllib.request.urlopen(f"{SCRAPYD}/{path}", data=body, timeout=10) as answer:
        found: dict[str, Any] = json.loads(answer.read())
    return found


@pytest.fixture
def scrapyd(tmp_path: Path) -> Iterator[Path]:
    """Scrapyd on loopback, in a directory of its own; its jobs write to a SQLite store."""
    if _port_taken(6800):
        pytest.skip("port 6800 is taken: the deploy target of scrapy.cfg needs it")
    (tmp_path / "scrapyd.conf").write_text(
        "[scrapyd]\nbind_address = 127.0.0.1\nhttp_port = 6800\npoll_interval = 0.5\n"
        f"eggs_dir = {tmp_path / 'eggs'}\ndbs_dir = {tmp_path / 'dbs'}\n"
        f"logs_dir = {tmp_path / 'logs'}\nitems_dir = {tmp_path / 'items'}\n",
        "utf-8",
    )
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}"}
    env.pop("REDIS_URL", None)
    errors = (tmp_path / "scrapyd.err").open("w")
    server = subprocess.Popen(
        [str(BIN / "scrapyd")], cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=errors
    )
    try:
        for _ in range(100):
            if _port_taken(6800):
                break
            time.sleep(0.1)
        yield tmp_path
    finally:
        server.terminate()
        server.wait(timeout=30)
        errors.close()


def _wait_for(jobs: list[str], timeout: float = 180) -> dict[str, dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        listed = _call(f"listjobs.json?project={PROJECT}")
        finished = {j["id"]: j for j in listed.get("finished", [])}
        if all(job in finished for job in jobs):
            return finished
        time.sleep(0.5)
    pytest.fail(f"Scrapyd jobs did not finish: {_call(f'listjobs.json?project={PROJECT}')}")


def test_deploy_and_schedule_by_url_and_by_author(scrapyd: Path) -> None:
    site = StandIn(Site.from_fixtures(FIXTURES))
    site.start()
    try:
        deployed = subprocess.run(
            [str(BIN / "scrapyd-deploy"), "-p", PROJECT],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert deployed.returncode == 0, deployed.stdout + deployed.stderr
        common = [("project", PROJECT), ("spider", "author_cluster")]
        settings = [
            ("setting", f"ARROW_SEARCH_URL={site.url}/search?q={{name}}"),
            ("setting", "AUTOTHROTTLE_START_DELAY=0"),
        ]
        by_url = _call(
            "schedule.json", [*common, *settings, ("url", f"{site.url}/cluster/oriol-vinyals")]
        )
        by_author = _call("schedule.json", [*common, *settings, ("author", "Quoc V. Le")])
        assert by_url["status"] == by_author["status"] == "ok", (by_url, by_author)
        _wait_for([by_url["jobid"], by_author["jobid"]])
    finally:
        site.stop()
    store = Store.open(f"sqlite:///{scrapyd / 'store.db'}")
    runs = store.runs()
    assert sorted(r.status for r in runs) == ["finished", "finished"], [r.summary for r in runs]
    with store.session() as session:
        from pipelines.store.export import Selection, iter_clusters

        clusters = {c["name"] for c in iter_clusters(session, Selection())}
    assert clusters == {"Oriol Vinyals", "Quoc V. Le"}
    feeds = sorted((scrapyd / "items" / PROJECT / "author_cluster").glob("*.jl"))
    items = [json.loads(line) for feed in feeds for line in feed.read_text("utf-8").splitlines()]
    assert len(feeds) == 2
    assert {tuple(i["clusters"]) for i in items} == {("Oriol Vinyals",), ("Quoc V. Le",)}
    assert all("body" not in i and i["title"] and i["id"] for i in items)
