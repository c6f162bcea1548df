"""Text normalization shared by every rule: Unicode NFC and collapsed whitespace."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from crawler.pages.visible import squeeze_ascii


def normalize_space(text: str) -> str:
    """NFC-normalize ``text`` and collapse runs of whitespace to one space."""
    if text.isascii():  # NFC already; an abstract already on one line is returned as it is
        return squeeze_ascii(text)
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    # str.split() splits on exactly what the regex ``\s`` matches, and is several times faster.
    return " ".join(text.split())


# Letters that are not a base letter plus a mark, so NFKD leaves them whole: each is folded
# to what an ASCII spelling of the same name writes (DBLP's aliases: "Søgaard"/"Sogaard",
# "Hærem"/"Haerem", "Straß"/"Strass", "Þorsteinsson"/"Thorsteinsson"). Applied after
# casefold, so the capitals need no entries. ä, ö and ü lose their marks like any accent
# (a, o, u): real ASCII spellings write them both ways ("Gökmen"/"Gokmen" as often as
# "Dörr"/"Doerr"), and folding "oe" to "o" would merge different names ("Joel", "Jol").
TRANSLITERATION = str.maketrans(
    {"ø": "o", "æ": "ae", "ł": "l", "ß": "ss", "þ": "th", "đ": "d", "ð": "d", "ı": "i"}
    | {"œ": "oe", "ĳ": "ij", "ħ": "h", "ŧ": "t", "ŀ": "l", "ƒ": "f"}
)


@lru_cache(maxsize=1 << 14)
def fold(text: str) -> str:
    """Case- and accent-folded form of ``text``, for identity keys and comparisons.

    Marks are dropped and special letters transliterated ("Anders Søgaard" and "Anders
    Sogaard", "Steinþór" and "Steinthór" fold alike); nothing else is changed, so two
    different names never fold alike.
    """
    folded = normalize_space(text).casefold()
    if folded.isascii():  # no mark, no special letter, nothing to decompose
        return folded
    decomposed = unicodedata.normalize("NFKD", folded.translate(TRANSLITERATION))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def slug(text: str) -> str:
    """A URL-safe, case- and accent-folded form of a name or a title ("Tomás Mikolov" ->
    "tomas-mikolov")."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")
