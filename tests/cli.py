"""The project's command line as a user runs it, from the project root, in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import TYPE_CHECKING, Any

from tests.compare import comparable
from tests.fixture_pages import ROOT

if TYPE_CHECKING:
    from pathlib import Path


# The export contract's paper fields, in order (../shared/DESIGN.md), as the tests read it:
# written out here, not taken from the code under test.
CONTRACT = [
    "title",
    "year",
    "venue",
    "venue_name",
    "venue_type",
    "publication_type",
    "authors",
    "authors_complete",
    "abstract",
    "clusters",
]
# Settings that make a test crawl of the stand-in quick (no start delay, short waits).
FAST = [
    *("-s", "AUTOTHROTTLE_START_DELAY=0"),
    *("-s", "RETRY_BACKOFF_BASE=0.1"),
    *("-s", "DOWNLOAD_TIMEOUT=3"),
]


def scrapy(db: Path | str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``scrapy ARGS`` against the store at ``db`` (a SQLite file or any URL)."""
    url = db if isinstance(db, str) else f"sqlite:///{db}"
    return subprocess.run(
        [sys.executable, "-m", "scrapy", *args],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def start_scrapy(db: Path | str, *args: str) -> subprocess.Popen[str]:
    """Start ``scrapy ARGS`` against the store at ``db`` without waiting for it."""
    url = db if isinstance(db, str) else f"sqlite:///{db}"
    return subprocess.Popen(
        [sys.executable, "-m", "scrapy", *args],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def export_stdout(db: Path | str, table: str) -> list[dict[str, Any]]:
    """``scrapy export TABLE -o -`` as records."""
    done = scrapy(db, "export", table, "-o", "-")
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def export_comparable(db: Path | str, table: str, *, links: bool = True) -> list[dict[str, Any]]:
    """``export_stdout`` as ``comparable`` rows."""
    return comparable(export_stdout(db, table), links=links)
