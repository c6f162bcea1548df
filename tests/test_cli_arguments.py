"""Arguments a user can get wrong, each a one-line error with the documented exit code, never
a traceback: numbers too large for the store, intervals, targets, files."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.cli import scrapy
from tests.fixture_pages import FIXTURES

if TYPE_CHECKING:
    from pathlib import Path

HUGE = "99999999999999999999"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("cli") / "arrow.db"
    assert scrapy(db, "crawl", "replay", "-a", f"path={FIXTURES}").returncode == 0
    return db


@pytest.mark.parametrize(
    ("args", "code", "said"),
    [
        (("export", "papers", "--year", HUGE, "-o", "-"), 2, "not a year"),
        (("export", "papers", "--year-from", "0", "-o", "-"), 2, "not a year"),
        (("export", "papers", "--since", HUGE, "-o", "-"), 2, "takes a run number"),
        (("runs", "diff", HUGE), 2, f"no run {HUGE}"),
        (("schedule", "add", "X", "--every", f"{HUGE}w"), 2, "longer than ten years"),
        (("schedule", "add", "", "--every", "1d"), 2, "usage: scrapy schedule add"),
        (("schedule", "serve", "--interval", "-5"), 2, "--interval -5"),
        (("enqueue", "--file", "/nonexistent/targets.txt"), 1, "No such file or directory"),
    ],
)
def test_a_bad_argument_is_one_line(
    store: Path, args: tuple[str, ...], code: int, said: str
) -> None:
    run = scrapy(store, *args)
    assert run.returncode == code, run.stderr[-2000:]
    assert said in run.stderr and "Traceback" not in run.stderr
    errors = [line for line in run.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1, run.stderr[-2000:]
