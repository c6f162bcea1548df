"""The deployment recipes of the docs, run as written: the settings file, the cron lines and
the systemd unit of README.md and docs/scaling.md.

Only what must differ on a test machine is replaced: the install path (this checkout), the
virtual environment's ``bin`` (this interpreter's), the settings file's path, and each
setting's value (this test's store, Redis key prefix and stand-in site). Commands run under
``sh`` with the nearly empty environment cron gives them, so a recipe that forgets a setting
fails here as it would in production.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from redis import Redis
from redis.exceptions import RedisError

from crawler.standin import Site, StandIn
from tests.fixture_pages import FIXTURES, ROOT

if TYPE_CHECKING:
    from collections.abc import Iterator

README, SCALING = ROOT / "README.md", ROOT / "docs" / "scaling.md"
BIN = Path(sys.executable).parent
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
SETTINGS_FILE = "/etc/arrow-crawler.env"
FENCE_RE = re.compile(r"^```(\w*)\n(.*?)^```", re.M | re.S)
CRON_RE = re.compile(r"^(?:\S+\s+){5}(cd /srv/arrow-crawler .+)$", re.M)
# The crawl's politeness, relaxed for a stand-in on loopback: added to the settings file.
FAST = {"AUTOTHROTTLE_ENABLED": "false", "RETRY_BACKOFF_BASE": "0.1"}


def fenced(path: Path) -> list[tuple[str, str]]:
    """Every fenced block of a Markdown file: (its language, its text)."""
    return [(m.group(1), m.group(2)) for m in FENCE_RE.finditer(path.read_text("utf-8"))]


def settings_file(path: Path) -> dict[str, str]:
    """The settings file the document shows (the block that starts by naming it)."""
    (block,) = [text for _, text in fenced(path) if text.startswith(f"# {SETTINGS_FILE}")]
    found = {}
    for line in block.splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            found[name] = value
    return found


def cron_commands(path: Path) -> list[str]:
    """The commands of the document's crontab lines, the schedule fields left out."""
    return [
        m.group(1) for lang, text in fenced(path) if lang == "cron" for m in CRON_RE.finditer(text)
    ]


def unit(path: Path) -> dict[str, str]:
    """The ``[Service]`` settings of the document's systemd unit."""
    (block,) = [text for lang, text in fenced(path) if lang == "ini" and "[Service]" in text]
    return dict(
        line.split("=", 1)
        for line in block.splitlines()
        if "=" in line and not line.startswith("#")
    )


def deployed(text: str, settings: Path, work: Path) -> str:
    """A recipe's text with this machine's paths (each replaced once, longest first)."""
    here = {
        "/srv/arrow-crawler/.venv/bin/": f"{BIN}/",
        ".venv/bin/": f"{BIN}/",
        "/srv/arrow-crawler": str(ROOT),
        SETTINGS_FILE: str(settings),
        "/var/lib/node_exporter/": f"{work}/",
    }
    pattern = re.compile("|".join(re.escape(k) for k in sorted(here, key=len, reverse=True)))
    return pattern.sub(lambda m: here[m.group(0)], text)


def write_settings(shown: dict[str, str], values: dict[str, str], path: Path) -> dict[str, str]:
    """The document's settings file with this test's values (every name it shows must have
    one: a new setting in the docs is a decision for this test too), as ``NAME=value``
    lines, and the settings as a process started from it sees them."""
    assert set(shown) <= set(values), f"no test value for {set(shown) - set(values)}"
    chosen = {name: values[name] for name in shown} | FAST
    path.write_text("".join(f"{k}={v}\n" for k, v in chosen.items()), "utf-8")
    return chosen


def cron_environment(work: Path) -> dict[str, str]:
    """What cron starts a command with: next to nothing."""
    return {"PATH": "/usr/bin:/bin", "HOME": str(work), "SHELL": "/bin/sh", "LANG": "C.UTF-8"}


def run_cron(command: str, work: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["/bin/sh", "-c", command],
        env=cron_environment(work),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def scrapy_with(settings: dict[str, str], work: Path, *args: str) -> None:
    """A command of the deployment, with its settings in the environment."""
    done = subprocess.run(
        [str(BIN / "scrapy"), *args],
        cwd=ROOT,
        env=cron_environment(work) | settings,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]


def papers_of(db: Path, cluster: str) -> int:
    with sqlite3.connect(db) as connection:
        (count,) = connection.execute(
            "SELECT count(*) FROM cluster_papers cp JOIN clusters c ON c.id = cp.cluster_id"
            " WHERE c.name = ?",
            (cluster,),
        ).fetchone()
    return int(count)


@pytest.fixture
def site() -> Iterator[str]:
    server = StandIn(Site.from_fixtures(FIXTURES))
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


def test_the_readme_cron_line_crawls_what_is_due_and_writes_the_figures(
    tmp_path: Path, site: str
) -> None:
    db = tmp_path / "store.db"
    values = {
        "DATABASE_URL": f"sqlite:///{db}",
        "ARROW_SEARCH_URL": f"{site}/search?q={{name}}",
        "ARROW_CONTACT": "ops@example.org",
        # Nothing to say about a healthy run: no alert is sent (a closed port would fail it).
        "HEALTH_WEBHOOK_URL": "http://127.0.0.1:9/hook",
        "HEALTH_EMAIL_TO": "ops@example.org",
    }
    file = tmp_path / "arrow-crawler.env"
    settings = write_settings(settings_file(README), values, file)
    scrapy_with(settings, tmp_path, "schedule", "add", "Jeff Dean", "--every", "1d")
    (command,) = cron_commands(README)
    done = run_cron(deployed(command, file, tmp_path), tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert papers_of(db, "Jeff Dean") >= 10
    figures = (tmp_path / "arrow.prom").read_text("utf-8")
    assert 'arrow_run_degraded{spider="author_cluster"' in figures
    assert "alert" not in done.stderr.lower()


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    try:
        with Redis.from_url(REDIS_URL, socket_connect_timeout=3) as server:
            server.ping()
    except RedisError as exc:
        pytest.skip(f"no Redis server answers at {REDIS_URL}: {exc}")
    prefix = f"arrow_recipe_{uuid.uuid4().hex[:10]}"
    yield prefix
    with Redis.from_url(REDIS_URL) as server:
        for key in server.scan_iter(match=f"{prefix}:*"):
            server.delete(key)


def test_the_scaling_recipes_run_a_worker_push_and_reconcile(
    tmp_path: Path, site: str, redis_prefix: str
) -> None:
    db = tmp_path / "store.db"
    values = {
        "REDIS_URL": REDIS_URL,
        "REDIS_KEY_PREFIX": redis_prefix,
        "DATABASE_URL": f"sqlite:///{db}",
        "ARROW_SEARCH_URL": f"{site}/search?q={{name}}",
        "ARROW_CONTACT": "ops@example.org",
    }
    file = tmp_path / "arrow-crawler.env"
    settings = write_settings(settings_file(SCALING), values, file)
    service = unit(SCALING)
    assert deployed(service["EnvironmentFile"], file, tmp_path) == str(file)
    worker = subprocess.Popen(
        shlex.split(deployed(service["ExecStart"], file, tmp_path)),
        cwd=deployed(service["WorkingDirectory"], file, tmp_path),
        env=cron_environment(tmp_path) | settings,  # what systemd reads from the file
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        scrapy_with(settings, tmp_path, "schedule", "add", "Jeff Dean", "--every", "1d")
        push, reconcile = cron_commands(SCALING)
        for command in (push, reconcile):
            done = run_cron(deployed(command, file, tmp_path), tmp_path)
            assert done.returncode == 0, done.stdout + done.stderr[-3000:]
        assert papers_of(db, "Jeff Dean") >= 10
    finally:
        worker.send_signal(getattr(signal, service["KillSignal"]))
        try:
            _, err = worker.communicate(timeout=float(service["TimeoutStopSec"]))
        except subprocess.TimeoutExpired:
            worker.kill()
            raise
    assert worker.returncode == 0, err[-3000:]
