"""Fixture conventions: a saved page and its expected parse beside it (``<file>.expected.json``).

Fixtures are parsed as if served from ``file:///fixtures/html/<file>``, so the links in an
expected parse do not depend on where the project is cloned.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from crawler.pages import PageError, parse_page

if TYPE_CHECKING:
    from pathlib import Path

PAGE_SUFFIXES = (".html", ".htm", ".txt")
FIXTURE_BASE = "file:///fixtures/html/"


def expected_path(page: Path) -> Path:
    """Where the expected parse of the saved ``page`` lives."""
    return page.with_name(f"{page.name}.expected.json")


def parse_fixture(page: Path) -> dict[str, Any]:
    """The parse of a saved page as JSON-ready data, or ``{"error": reason}``."""
    content_type = "text/plain" if page.suffix == ".txt" else None
    try:
        parsed = parse_page(page.read_bytes(), page.name, content_type, FIXTURE_BASE + page.name)
    except PageError as exc:
        return {"error": exc.reason}
    return parsed.to_dict()


def write_expected(page: Path) -> Path:
    """Record the current parse of ``page`` as its expected one; review it before committing."""
    path = expected_path(page)
    path.write_text(json.dumps(parse_fixture(page), ensure_ascii=False, indent=2) + "\n", "utf-8")
    return path
