"""Run health in a crawl: the judgement at the end of a run, and the alerts it sends.

``HealthCheck`` is built from the settings once (``from_settings``), gathers what the
judgement needs from the crawl stats and the store (``pipelines.health`` judges), and sends
the alerts of a run that needs a look: a degraded or failed one. Each channel is a setting,
any number may be set:

- HEALTH_WEBHOOK_URL: a JSON document POSTed (``RunOutcome.document``);
- HEALTH_EMAIL_TO: a mail through HEALTH_SMTP_HOST/PORT (user, password, STARTTLS or SSL);
- HEALTH_COMMAND: a command run with the JSON document on its standard input.

Like every setting, each may come from the environment (``crawler/settings.py``), so secrets
need not be on a command line. An alert that fails is logged and changes nothing else: the
run's data and exit code are settled before. The settings' secrets (the webhook's URL beyond
its host, a user and password in it, the SMTP password, the command) never reach a log line
or the store.
"""

from __future__ import annotations

import base64
import json
import logging
import shlex
import smtplib
import socket
import subprocess
import urllib.request
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from crawler.politeness import is_web_url, without_credentials
from pipelines.health import (
    FIGURES,
    JUDGED,
    Health,
    RunOutcome,
    Thresholds,
    disappearance,
    figures,
    judge,
    markups,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from scrapy.settings import BaseSettings

    from pipelines.store import Store

logger = logging.getLogger(__name__)

# Statuses whose run is worth an alert: a finished (or stopped) run raises none.
ALERTED = frozenset({"degraded", "failed"})
USER_AGENT = "arrow-crawler/0.1 (run health)"


@dataclass(frozen=True)
class Smtp:
    """Where and how mail is sent."""

    host: str = "localhost"
    port: int = 25
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: bool = False
    ssl: bool = False
    sender: str = ""


@dataclass(frozen=True)
class Alerts:
    """The alert channels set, and how long each may take."""

    webhook: str | None = field(default=None, repr=False)
    email_to: tuple[str, ...] = ()
    smtp: Smtp = field(default_factory=Smtp)
    command: str | None = field(default=None, repr=False)
    timeout: float = 10.0

    # Size: one line per alert setting, each with its default.
    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Alerts:
        ssl = settings.getbool("HEALTH_SMTP_SSL")
        smtp = Smtp(
            host=settings.get("HEALTH_SMTP_HOST") or "localhost",
            port=settings.getint("HEALTH_SMTP_PORT") or (465 if ssl else 25),
            user=settings.get("HEALTH_SMTP_USER") or None,
            password=settings.get("HEALTH_SMTP_PASSWORD") or None,
            starttls=settings.getbool("HEALTH_SMTP_STARTTLS"),
            ssl=ssl,
            sender=settings.get("HEALTH_EMAIL_FROM") or f"arrow-crawler@{socket.gethostname()}",
        )
        recipients = settings.getlist("HEALTH_EMAIL_TO")
        return cls(
            webhook=settings.get("HEALTH_WEBHOOK_URL") or None,
            email_to=tuple(r.strip() for r in recipients if r.strip()),
            smtp=smtp,
            command=settings.get("HEALTH_COMMAND") or None,
            timeout=settings.getfloat("HEALTH_ALERT_TIMEOUT", 10.0),
        )

    @property
    def channels(self) -> list[tuple[str, Callable[[RunOutcome], str]]]:
        """(name, sender) of each channel set; a sender returns where it sent, safely."""
        found: list[tuple[str, Callable[[RunOutcome], str]]] = []
        if self.webhook:
            found.append(("webhook", self._post))
        if self.email_to:
            found.append(("mail", self._mail))
        if self.command:
            found.append(("command", self._run))
        return found

    def secrets(self) -> list[str]:
        """Every text of the settings that must not be shown, longest first."""
        found = [self.webhook or "", self.smtp.password or "", self.command or ""]
        if self.webhook:
            clean, user, password = without_credentials(self.webhook)
            parts = urlsplit(clean)
            found += [clean, user or "", password or "", parts.path, parts.query]
        found = [s for s in found if s and s not in {"/", ""}]
        return sorted(set(found), key=len, reverse=True)

    def redact(self, text: str) -> str:
        """``text`` with every secret of the settings hidden."""
        for secret in self.secrets():
            text = text.replace(secret, "[hidden]")
        return text

    def send(self, outcome: RunOutcome) -> list[str]:
        """Send ``outcome`` on every channel set; the channels that failed (each logged)."""
        failed = []
        for name, sender in self.channels:
            try:
                where = sender(outcome)
            except Exception as exc:  # noqa: BLE001 (an alert never fails the run)
                failed.append(name)
                logger.error(
                    "health: the %s alert for run %s failed: %s",
                    name,
                    outcome.run_id,
                    self.redact(f"{type(exc).__name__}: {exc}".splitlines()[0]),
                )
            else:
                logger.info("health: run %s alert sent by %s %s", outcome.run_id, name, where)
        return failed

    def _body(self, outcome: RunOutcome) -> bytes:
        return json.dumps(outcome.document(), ensure_ascii=False, sort_keys=True).encode()

    def _post(self, outcome: RunOutcome) -> str:
        assert self.webhook is not None
        if not is_web_url(self.webhook):
            msg = "HEALTH_WEBHOOK_URL takes an http or https URL"
            raise ValueError(msg)
        url, user, password = without_credentials(self.webhook)
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
        if user is not None or password is not None:
            pair = f"{user or ''}:{password or ''}".encode()
            headers["Authorization"] = f"Basic {base64.b64encode(pair).decode('ascii')}"
        request = urllib.request.Request(url, self._body(outcome), headers, method="POST")
        # The scheme is http(s), checked above: never a file or another opener's URL.
        with urllib.request.urlopen(request, timeout=self.timeout) as answer:
            answer.read()
        parts = urlsplit(url)
        return f"to {parts.scheme}://{parts.netloc} (HTTP {answer.status})"

    def _mail(self, outcome: RunOutcome) -> str:
        smtp = self.smtp
        message = EmailMessage()
        message["Subject"] = outcome.headline()[:200]
        message["From"] = smtp.sender
        message["To"] = ", ".join(self.email_to)
        message.set_content(mail_text(outcome))
        message.add_attachment(
            self._body(outcome), maintype="application", subtype="json", filename="health.json"
        )
        connect = smtplib.SMTP_SSL if smtp.ssl else smtplib.SMTP
        with connect(smtp.host, smtp.port, timeout=self.timeout) as client:
            if smtp.starttls and not smtp.ssl:
                client.starttls()
            if smtp.user:
                client.login(smtp.user, smtp.password or "")
            client.send_message(message)
        return f"to {len(self.email_to)} recipient(s) through {smtp.host}:{smtp.port}"

    def _run(self, outcome: RunOutcome) -> str:
        assert self.command is not None
        argv = shlex.split(self.command)
        done = subprocess.run(
            argv,
            input=self._body(outcome),
            capture_output=True,
            timeout=self.timeout,
            check=False,
        )
        program = Path(argv[0]).name if argv else "(empty)"
        if done.returncode != 0:
            msg = f"the command ({program}) exited with status {done.returncode}"
            raise RuntimeError(msg)
        return f"({program})"


def mail_text(outcome: RunOutcome) -> str:
    """The mail's text: the headline, the reasons, then each figure beside its baseline."""
    lines = [outcome.headline(), "", "Reasons:"]
    lines += [f"- {reason}" for reason in outcome.reasons()] or ["- none recorded"]
    health = outcome.health
    if health is not None:
        lines += ["", f"{'figure':<26}{'this run':>12}{'baseline':>12}"]
        for name in FIGURES:
            value = health.figures.get(name)
            base = health.baseline.get(name) if health.baseline else None
            lines.append(f"{name:<26}{_cell(value):>12}{_cell(base):>12}")
        if health.compared_with:
            runs = ", ".join(str(r) for r in health.compared_with)
            lines.append(f"\nBaseline: the median of runs {runs}.")
    lines += ["", outcome.summary]
    return "\n".join(lines) + "\n"


def _cell(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.3f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)


@dataclass(frozen=True)
class HealthCheck:
    """The judgement of a run's health at its end, and its alerts."""

    thresholds: Thresholds = field(default_factory=Thresholds)
    enabled: bool = True
    alerts: Alerts = field(default_factory=Alerts)

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> HealthCheck:
        thresholds = Thresholds(
            window=settings.getint("HEALTH_WINDOW", 5),
            drop=settings.getfloat("HEALTH_MAX_DROP", 0.5),
            shift=settings.getfloat("HEALTH_MAX_SHIFT", 0.25),
            http_errors=settings.getfloat("HEALTH_MAX_HTTP_ERRORS", 0.1),
            disappeared=settings.getfloat("HEALTH_MAX_DISAPPEARED", 0.2),
        )
        enabled = settings.getbool("HEALTH_ENABLED", True)
        return cls(thresholds, enabled, Alerts.from_settings(settings))

    def judge(
        self,
        store: Store,
        run_id: int,
        *,
        targets: str,
        status: str,
        stats: Mapping[str, Any],
        seen: Mapping[str, set[str]] | None,
        resumed: bool = False,
    ) -> Health:
        """The health of run ``run_id`` (blocking: it reads the store). ``seen``: the paper
        keys the run found per cluster key on pages it fetched (none: not a live crawl);
        ``resumed``: the run took up an interrupted crawl, fetching only what was left."""
        gone = None
        if seen and not resumed:
            gone = disappearance(store.papers_seen_before(run_id, list(seen)), seen)
        found = figures(stats, gone)
        comparable = status in JUDGED and not resumed
        if not self.enabled or not comparable:
            return Health(found, markups(stats), comparable=comparable)
        past = store.healthy_runs(targets, run_id, self.thresholds.window)
        return judge(found, markups(stats), past, self.thresholds)

    def alert(self, outcome: RunOutcome) -> list[str]:
        """Send the alerts of a run that needs a look (blocking); the channels that failed."""
        if not self.enabled or outcome.status not in ALERTED:
            return []
        return self.alerts.send(outcome)
