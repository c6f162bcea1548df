"""Run health against the local stand-in: scheduled-like series of crawls in which the site
changes its markup, cuts its papers or serves a consent wall, each bad run flagged with its
reason and told to a loopback webhook, SMTP server and command; healthy runs stay quiet."""

from __future__ import annotations

import base64
import json
import shlex
import sys
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import pytest

from crawler.standin import Faults, Site, StandIn
from tests.alert_receivers import Mailbox, Webhook, free_port
from tests.cli import FAST as CLI_FAST
from tests.cli import export_stdout, scrapy
from tests.fixture_pages import FIXTURES

if TYPE_CHECKING:
    import subprocess
    from collections.abc import Iterator
    from pathlib import Path

FAST = [*CLI_FAST, *("-s", "ARROW_CONTACT=ops@example.org")]
CLUSTER = "jeff-dean"
# Secrets in the alert settings: never in a log line, nor in the store.
HOOK_SECRET, HOOK_PATH = "s3cret-hook-pass", "/hooks/T0KEN-7f3a9c"
SMTP_PASSWORD = "smtp-pa55word-9d2e"
# A command that appends the JSON on its standard input to a file, one document a line.
APPEND = "import pathlib,sys; pathlib.Path(sys.argv[1]).open('ab').write(sys.stdin.buffer.read() + b'\\n')"


@pytest.fixture
def stand_in() -> Iterator[StandIn]:
    server = StandIn(Site.from_fixtures(FIXTURES), Faults())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    hook = Webhook()
    hook.start()
    yield hook
    hook.stop()


def crawl(db: Path | str, server: StandIn, *settings: str) -> subprocess.CompletedProcess[str]:
    return scrapy(
        db, "crawl", "author_cluster", "-a", f"url={server.url}/cluster/{CLUSTER}", *FAST, *settings
    )


def health_of(db: Path | str, run: int) -> dict[str, object]:
    (record,) = [r for r in export_stdout(db, "runs") if r["id"] == run]
    health: dict[str, object] = record["health"]
    return health


def test_three_runs_the_third_with_most_papers_gone_is_degraded_and_posted(
    db_url: str, stand_in: StandIn, webhook: Webhook
) -> None:
    hook = f"-s HEALTH_WEBHOOK_URL=http://127.0.0.1:{webhook.port}/hook".split(" ", 1)
    for _ in range(2):
        done = crawl(db_url, stand_in, *hook)
        assert done.returncode == 0, done.stderr
    assert webhook.posts == []
    clusters = stand_in.site.clusters
    clusters[CLUSTER] = replace(clusters[CLUSTER], papers=clusters[CLUSTER].papers[:2])
    third = crawl(db_url, stand_in, *hook)
    assert third.returncode == 3, third.stderr
    runs = export_stdout(db_url, "runs")
    assert [r["status"] for r in runs] == ["finished", "finished", "degraded"]
    (post,) = webhook.posts
    assert post.path == "/hook"
    assert post.headers["Content-Type"] == "application/json"
    body = post.body
    assert body["run_id"] == runs[2]["id"]
    assert body["status"] == "degraded"
    assert body["targets"] == {"url": f"{stand_in.url}/cluster/{CLUSTER}"}
    assert body["reasons"][0] == "83.3% of cluster papers disappeared (10 of 12 seen before)"
    assert body["figures"]["papers"] == 2
    assert body["baseline"]["papers"] == 12
    assert body["compared_with"] == [runs[1]["id"], runs[0]["id"]]
    assert "83.3% of cluster papers disappeared" in third.stderr


@dataclass
class Series:
    """A series of runs over one target while the stand-in changes, every alert set: two
    healthy runs, then restyled markup, a redesign, a quarter of the papers, a consent wall."""

    db: Path
    stand_in: StandIn
    webhook: Webhook
    mailbox: Mailbox
    told: Path
    logs: list[str] = field(default_factory=list)
    health: list[dict[str, Any]] = field(default_factory=list)
    quiet: tuple[int, int, bool] = (0, 0, False)  # alerts seen after the healthy runs

    def settings(self) -> list[str]:
        webhook = f"http://alerts:{HOOK_SECRET}@127.0.0.1:{self.webhook.port}{HOOK_PATH}"
        command = shlex.join([sys.executable, "-c", APPEND, str(self.told)])
        pairs = [
            f"HEALTH_WEBHOOK_URL={webhook}",
            "HEALTH_EMAIL_TO=ops@example.org, oncall@example.org",
            "HEALTH_SMTP_HOST=127.0.0.1",
            f"HEALTH_SMTP_PORT={self.mailbox.port}",
            "HEALTH_SMTP_USER=alerts",
            f"HEALTH_SMTP_PASSWORD={SMTP_PASSWORD}",
            f"HEALTH_COMMAND={command}",
        ]
        return [arg for pair in pairs for arg in ("-s", pair)]

    def run(self, expect: int) -> dict[str, Any]:
        """One crawl, which must exit ``expect``; its run's health record."""
        done = crawl(self.db, self.stand_in, *self.settings())
        self.logs.append(done.stderr)
        assert done.returncode == expect, done.stderr
        self.health.append(health_of(self.db, len(self.logs)))
        return self.health[-1]


@pytest.fixture(scope="module")
def series(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Series]:
    folder = tmp_path_factory.mktemp("series")
    server, hook, box = (
        StandIn(Site.from_fixtures(FIXTURES)),
        Webhook(),
        Mailbox("alerts", SMTP_PASSWORD),
    )
    for started in (server, hook, box):
        started.start()
    try:
        done = Series(folder / "h.db", server, hook, box, folder / "told.jsonl")
        faults = server.faults
        done.run(0), done.run(0)
        done.quiet = (len(hook.posts), len(box.messages), done.told.exists())
        faults.markup = "restyled"  # the site parser still reads it
        done.run(3)
        faults.markup = "redesigned"  # only the visible-text fallback reads it
        done.run(3)
        faults.markup, faults.paper_share = "site", 0.25
        done.run(3)
        faults.paper_share, faults.consent_wall = 1.0, True
        done.run(1)  # every page refused: the run failed
        yield done
    finally:
        for stopped in (server, hook, box):
            stopped.stop()


def test_healthy_runs_are_judged_healthy_and_raise_no_alert(series: Series) -> None:
    assert [h["reasons"] for h in series.health[:2]] == [[], []]
    assert series.health[1]["compared_with"] == [1]
    assert series.quiet == (0, 0, False)
    statuses = [r["status"] for r in export_stdout(series.db, "runs")]
    assert statuses == ["finished", "finished", "degraded", "degraded", "degraded", "failed"]


def test_the_canary_tells_changed_markup_that_the_site_parser_still_reads(series: Series) -> None:
    restyled = series.health[2]
    assert restyled["figures"]["site_share"] == 1.0
    assert restyled["reasons"] == [
        "site markup changed from the recent runs' (now div.paper-authors, h2.paper-title, "
        "span.paper-author; no longer h3.paper-title, li.paper-author, ul.paper-authors)"
    ]


def test_a_redesign_read_only_by_the_fallback_is_flagged(series: Series) -> None:
    redesigned = series.health[3]
    assert redesigned["figures"]["text_share"] == 1.0
    assert redesigned["figures"]["papers"] == 12
    message = "site markup parsed 0% against 100%: the site's markup may have changed"
    assert message in redesigned["reasons"]


def test_a_quarter_of_the_papers_is_flagged_as_disappeared(series: Series) -> None:
    assert series.health[4]["reasons"] == [
        "75% of cluster papers disappeared (9 of 12 seen before)"
    ]


def test_a_consent_wall_fails_the_run_with_its_reasons(series: Series) -> None:
    assert series.health[5]["reasons"] == [
        "every page was rejected (1 page)",
        "pages rejected 100% against 0%",
    ]
    assert "failed (every page was refused)" in series.logs[5]


def test_each_bad_run_is_told_once_on_every_channel(series: Series) -> None:
    bad = [3, 4, 5, 6]
    assert all(h["compared_with"] == [2, 1] for h in series.health[2:])
    posts = series.webhook.posts
    assert [p.body["run_id"] for p in posts] == bad
    assert [p.path for p in posts] == [HOOK_PATH] * 4
    basic = base64.b64encode(f"alerts:{HOOK_SECRET}".encode()).decode()
    assert {p.headers["Authorization"] for p in posts} == {f"Basic {basic}"}
    assert posts[2].body["reasons"] == series.health[4]["reasons"]
    assert posts[3].body["reasons"][0] == "every page was refused"
    commanded = [json.loads(line) for line in series.told.read_text().splitlines()]
    assert commanded == [p.body for p in posts]
    mails = series.mailbox.messages
    assert len(mails) == 4
    assert series.mailbox.logins == ["alerts"] * 4
    assert mails[2]["To"] == "ops@example.org, oncall@example.org"
    assert mails[2]["Subject"].startswith("arrow-crawler run 5 degraded (author_cluster url=")
    text = mails[2].get_body(("plain",))
    assert text is not None
    assert "- 75% of cluster papers disappeared (9 of 12 seen before)" in text.get_content()
    (attached,) = list(mails[2].iter_attachments())
    assert json.loads(attached.get_content()) == posts[2].body
    assert "alert sent by webhook to http://127.0.0.1:" in series.logs[2]


def test_the_alert_settings_secrets_reach_neither_logs_nor_store(series: Series) -> None:
    stored = scrapy(series.db, "export", "runs", "-o", "-").stdout
    stored += scrapy(series.db, "runs").stdout + scrapy(series.db, "health").stdout
    for secret in (HOOK_SECRET, HOOK_PATH, SMTP_PASSWORD, APPEND):
        assert all(secret not in log for log in series.logs), secret
        assert secret not in stored, secret


def test_scrapy_health_shows_a_table_and_writes_prometheus_text(series: Series) -> None:
    shown = scrapy(series.db, "health", "--last", "3")
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0].split()[:4] == ["run", "status", "started", "pages"]
    assert [line.split()[0] for line in lines[1:] if not line.lstrip().startswith("!")] == [
        "4",
        "5",
        "6",
    ]
    assert "! 75% of cluster papers disappeared (9 of 12 seen before)" in shown.stdout
    prom = series.db.parent / "arrow.prom"
    written = scrapy(series.db, "health", "--format", "prometheus", "-o", str(prom))
    assert written.returncode == 0, written.stderr
    metrics = prom.read_text()
    url = f"{series.stand_in.url}/cluster/{CLUSTER}"
    labels = f'spider="author_cluster",targets="url={url}"'
    assert f"arrow_run_id{{{labels}}} 6\n" in metrics
    assert f"arrow_run_failed{{{labels}}} 1\n" in metrics
    assert f"arrow_run_rejected_ratio{{{labels}}} 1\n" in metrics
    assert "# TYPE arrow_run_pages gauge\n" in metrics
    assert "arrow_run_papers_per_page" not in metrics  # no page parsed: no sample


def test_an_accepted_run_joins_the_baseline(series: Series) -> None:
    accepted = scrapy(series.db, "health", "accept", "5")
    assert accepted.returncode == 0, accepted.stderr
    faults = series.stand_in.faults
    faults.consent_wall, faults.paper_share = False, 0.25  # the quarter site is the new normal
    assert series.run(0)["compared_with"] == [5, 2, 1]
    assert scrapy(series.db, "health", "accept", "99").returncode == 1


def test_a_failed_alert_is_logged_without_its_secrets_and_changes_nothing(
    tmp_path: Path, stand_in: StandIn
) -> None:
    stand_in.faults.consent_wall = True
    db = tmp_path / "f.db"
    nowhere = f"http://alerts:{HOOK_SECRET}@127.0.0.1:{free_port()}{HOOK_PATH}"
    failing = shlex.join([sys.executable, "-c", "import sys; sys.exit(2)", HOOK_SECRET])
    done = crawl(
        db, stand_in, "-s", f"HEALTH_WEBHOOK_URL={nowhere}", "-s", f"HEALTH_COMMAND={failing}"
    )
    assert done.returncode == 1, done.stderr  # failed for its own reason, not its alerts'
    assert "the webhook alert for run 1 failed: URLError" in done.stderr
    assert (
        f"the command alert for run 1 failed: RuntimeError: the command ({sys.executable.rsplit('/', 1)[-1]}) exited with status 2"
        in done.stderr
    )
    assert HOOK_SECRET not in done.stderr and HOOK_PATH not in done.stderr
    assert export_stdout(db, "runs")[0]["status"] == "failed"


def test_schedule_run_due_passes_a_degraded_run_on(tmp_path: Path, stand_in: StandIn) -> None:
    db = tmp_path / "s.db"
    target = f"{stand_in.url}/cluster/{CLUSTER}"
    assert scrapy(db, "schedule", "add", target, "--every", "1s").returncode == 0
    first = scrapy(db, "schedule", "run-due", *FAST)
    assert first.returncode == 0, first.stderr
    stand_in.faults.paper_share = 0.25
    second = scrapy(db, "schedule", "run-due", *FAST)
    assert second.returncode == 3, second.stderr
    assert f"degraded: {target} (scrapy health says why)" in second.stdout
