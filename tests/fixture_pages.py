"""The bundled fixtures: saved pages under fixtures/html, each with its expected parse."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from crawler.pages import PageError, parse_page

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "html"
PAGE_SUFFIXES = (".html", ".htm", ".txt")
# Fixtures are parsed as if served from here, so expected links do not depend on the clone.
FIXTURE_BASE = "file:///fixtures/html/"


def fixture_pages() -> list[Path]:
    """Every saved page among the fixtures."""
    return sorted(p for p in FIXTURES.iterdir() if p.suffix in PAGE_SUFFIXES)


def expected_path(page: Path) -> Path:
    return page.with_name(f"{page.name}.expected.json")


def parse_fixture(page: Path) -> dict[str, Any]:
    """The parse of a fixture as JSON-ready data, or ``{"error": reason}``."""
    try:
        parsed = parse_page(page.read_bytes(), page.name, base_url=FIXTURE_BASE + page.name)
    except PageError as exc:
        return {"error": exc.reason}
    return parsed.to_dict()


def expected(page: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(expected_path(page).read_text("utf-8"))
    return data


def write_expected(page: Path) -> None:
    """Record the current parse as the expected one (review the diff before committing)."""
    text = json.dumps(parse_fixture(page), ensure_ascii=False, indent=2) + "\n"
    expected_path(page).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    for fixture in fixture_pages():
        write_expected(fixture)
        print(expected_path(fixture).relative_to(ROOT))
