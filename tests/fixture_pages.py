"""The bundled fixtures: saved pages under fixtures/html, each with its expected parse."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from crawler.fixtures import PAGE_SUFFIXES, expected_path, parse_fixture, write_expected

__all__ = ["FIXTURES", "ROOT", "expected", "expected_path", "fixture_pages", "parse_fixture"]

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "html"


def fixture_pages() -> list[Path]:
    """Every saved page among the fixtures."""
    return sorted(p for p in FIXTURES.iterdir() if p.suffix in PAGE_SUFFIXES)


def expected(page: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(expected_path(page).read_text("utf-8"))
    return data


if __name__ == "__main__":
    for fixture in fixture_pages():
        print(write_expected(fixture).relative_to(ROOT))
