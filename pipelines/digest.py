"""A paper's digest: a fingerprint of what a page says of it, field by field.

``scrapy runs diff`` compares two runs' digests to tell which fields changed. Each field
is hashed apart (8 hex digits of SHA-256 over its JSON text), so a digest names the
fields that differ without keeping the text itself. Pure: computed where the paper is
cleaned (a worker process), not by the store's writer.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from json.encoder import JSONEncoder, encode_basestring
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipelines.model import CleanPaper

# The fields of a digest, in its order.
DIGEST_FIELDS = ("title", "year", "venue", "publication type", "authors", "abstract", "links")

Value = str | int | None | list["Value"] | tuple["Value", ...]
# ``json.dumps(value, ensure_ascii=False)`` by the C encoder: faster than ``_json`` on
# nested lists (the authors), slower on a flat one (its start-up dominates).
_ENCODE = JSONEncoder(ensure_ascii=False).encode


def _json(value: Value) -> str:
    """``json.dumps(value, ensure_ascii=False)`` for the few shapes a digest hashes (text,
    whole numbers, None and lists of them), at a fraction of its cost."""
    if isinstance(value, str):
        return encode_basestring(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return "[" + ", ".join(_json(v) for v in value) + "]"


def _hash(value: Value) -> str:
    nested = isinstance(value, list) and bool(value) and isinstance(value[0], list)
    text = _ENCODE(value) if nested else _json(value)
    return hashlib.sha256(text.encode()).hexdigest()[:8]


# A year, a venue, a publication type and a paper's links (mostly none) recur on paper after
# paper: their hashes are remembered.
_recurring_hash = lru_cache(maxsize=4096)(_hash)


def paper_digest(paper: CleanPaper) -> str:
    """The digest of ``paper``: one 8-hex-digit hash per field of ``DIGEST_FIELDS``."""
    return " ".join(
        (
            _hash(paper.title),
            _recurring_hash(paper.year),
            _recurring_hash(paper.venue.acronym),
            _recurring_hash(paper.publication_type),
            _hash([[a.author.name, a.author.homonym, a.position] for a in paper.authorships]),
            _hash(paper.abstract),
            _recurring_hash((paper.detail_url, paper.pdf_url, paper.bib_url, paper.doi)),
        )
    )
