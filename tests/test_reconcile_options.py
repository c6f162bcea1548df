"""The options of ``scrapy reconcile`` and ``scrapy enqueue --wait``: how long the crawl must
stay quiet before a check, and what a bad number of seconds says."""

from __future__ import annotations

import argparse
from typing import Any

import pytest
from scrapy.exceptions import UsageError
from scrapy.settings import Settings

from crawler import settings as project_settings
from crawler.commands.reconcile import _seconds, add_reconcile_options, run_reconcile


@pytest.mark.parametrize(("text", "want"), [("1", 1.0), ("0", 0.0), ("0.25", 0.25), ("1e1", 10.0)])
def test_seconds_read(text: str, want: float) -> None:
    assert _seconds(text) == want


@pytest.mark.parametrize("text", ["-1", "abc", "", "nan", "inf", "-0.5"])
def test_seconds_refused(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match="not a number of seconds"):
        _seconds(text)


@pytest.mark.parametrize("option", ["--settle", "--timeout"])
def test_a_bad_number_of_seconds_is_a_usage_error(
    option: str, capsys: pytest.CaptureFixture[str]
) -> None:
    parser = argparse.ArgumentParser(prog="scrapy reconcile")
    add_reconcile_options(parser)
    with pytest.raises(SystemExit) as exit_:
        parser.parse_args([option, "-3"])
    assert exit_.value.code == 2
    assert f"argument {option}: not a number of seconds: '-3'" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "configured", "want"),
    [
        ([], None, project_settings.REDIS_SETTLE_SECONDS),
        ([], 0.5, 0.5),
        (["--settle", "3"], 0.5, 3.0),
    ],
)
def test_the_settle_is_the_option_else_the_setting(
    sqlite_url: str,
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    configured: float | None,
    want: float,
) -> None:
    seen: dict[str, Any] = {}

    def fake_reconcile(*_args: Any, settle: float, **_kwargs: Any) -> list[Any]:
        seen["settle"] = settle
        return []

    monkeypatch.setattr("crawler.distributed.reconcile.reconcile", fake_reconcile)
    parser = argparse.ArgumentParser()
    add_reconcile_options(parser)
    values = {"DATABASE_URL": sqlite_url}
    if configured is not None:
        values["REDIS_SETTLE_SECONDS"] = str(configured)
    settings = Settings({"REDIS_SETTLE_SECONDS": project_settings.REDIS_SETTLE_SECONDS})
    settings.setdict(values)
    assert run_reconcile(settings, None, [], parser.parse_args(argv)) == 0  # type: ignore[arg-type]
    assert seen["settle"] == want


@pytest.mark.parametrize("configured", ["-1", "nan", "soon"])
def test_a_bad_configured_settle_is_a_usage_error(sqlite_url: str, configured: str) -> None:
    parser = argparse.ArgumentParser()
    add_reconcile_options(parser)
    settings = Settings({"DATABASE_URL": sqlite_url, "REDIS_SETTLE_SECONDS": configured})
    with pytest.raises(
        UsageError, match=f"REDIS_SETTLE_SECONDS: not a number of seconds: '{configured}'"
    ):
        run_reconcile(settings, None, [], parser.parse_args([]))  # type: ignore[arg-type]
