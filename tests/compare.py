"""Exported rows as two loads of the same pages compare."""

from __future__ import annotations

import re
from typing import Any

LOOPBACK_RE = re.compile(r"http://127\.0\.0\.1:\d+")
SIGHTINGS = ("first_seen", "last_seen")
# A paper's links that resolve against where its page was read: a page saved as a file
# that does not say its address has only its absolute ones.
LINKS = ("url", "pdf_url", "bib_url")


def comparable(rows: list[dict[str, Any]], *, links: bool = True) -> list[dict[str, Any]]:
    """Exported rows as two crawls of one site compare: the stand-in's port (each server
    has its own) and when and by which run each row was first and last seen (each crawl,
    and each worker, has its own) set aside; and, with ``links=False`` (a crawl against a
    replay of saved files), the links a saved file could not resolve."""
    dropped = SIGHTINGS if links else (*SIGHTINGS, *LINKS)

    def plain(value: Any) -> Any:
        if isinstance(value, str):
            return LOOPBACK_RE.sub("http://site", value)
        if isinstance(value, list):
            return [plain(v) for v in value]
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        return value

    return [plain({k: v for k, v in row.items() if k not in dropped}) for row in rows]
