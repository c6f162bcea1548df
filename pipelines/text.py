"""Text normalization shared by every rule: Unicode NFC and collapsed whitespace."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache


def normalize_space(text: str) -> str:
    """NFC-normalize ``text`` and collapse runs of whitespace to one space."""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    # str.split() splits on exactly what the regex ``\s`` matches, and is several times faster.
    return " ".join(text.split())


@lru_cache(maxsize=1 << 14)
def fold(text: str) -> str:
    """Case- and accent-folded form of ``text``, for identity keys and comparisons."""
    decomposed = unicodedata.normalize("NFKD", normalize_space(text).casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def slug(text: str) -> str:
    """A URL-safe, case- and accent-folded form of a name or a title ("Tomás Mikolov" ->
    "tomas-mikolov")."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")
