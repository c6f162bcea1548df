"""The watch list: intervals, due targets claimed once, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pipelines.store.schedules import add_target, claim_due, list_targets, parse_interval
from tests.store_helpers import transaction


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30m", 1800), ("6h", 21600), ("1d", 86400), ("2w", 1209600), (" 45 s ", 45)],
)
def test_parse_interval(text: str, seconds: int) -> None:
    assert parse_interval(text) == seconds


@pytest.mark.parametrize("text", ["", "1", "0d", "1y", "soon", "-1h"])
def test_parse_interval_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="not an interval"):
        parse_interval(text)


@pytest.mark.parametrize("text", ["3651d", "999999999d", "99999999999999999999w"])
def test_an_interval_past_ten_years_is_refused(text: str) -> None:
    # 999999999d was taken, and every run-due then failed on the due date's overflow.
    assert parse_interval("3650d") == 3650 * 86400
    with pytest.raises(ValueError, match="longer than ten years"):
        parse_interval(text)


def test_due_targets_are_claimed_once(db_url: str) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    with transaction(db_url) as session:
        add_target(session, "Jeff Dean", 3600, now)
        add_target(session, "Quoc V. Le", 60, now + timedelta(minutes=5))
        add_target(session, "Jeff Dean", 7200, now)  # a new interval, not a second target
    with transaction(db_url) as session:
        assert [(s.target, s.every_seconds) for s in list_targets(session)] == [
            ("Jeff Dean", 7200),
            ("Quoc V. Le", 60),
        ]
        assert claim_due(session, now) == ["Jeff Dean"]
    with transaction(db_url) as session:
        assert claim_due(session, now + timedelta(minutes=10)) == ["Quoc V. Le"]
        assert claim_due(session, now + timedelta(hours=2, seconds=1)) == [
            "Jeff Dean",
            "Quoc V. Le",
        ]
