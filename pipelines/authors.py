"""Author-name rules: homonym suffixes, normalization and natural case. Identity keys are
made in ``pipelines.identity``; list completeness is ``pipelines.completion``'s."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from pipelines.identity import person_key
from pipelines.text import normalize_space

if TYPE_CHECKING:
    from collections.abc import Mapping

# DBLP disambiguates homonyms with a four-digit suffix: "Prateek Jain 0002" (0001, 0002, ...);
# "Jane Doe 2020" is not one.
HOMONYM_RE = re.compile(r"^(?P<name>.*\S)\s+(?P<homonym>0\d{3})$")


# Lower-case name particles, kept lower case inside a name restored to natural case.
PARTICLES = frozenset(
    (
        # Not "le", "da", "bin", "al": they are given names and surnames too (Quoc V. Le).
        *("van", "von", "der", "den", "de", "del", "della", "das", "dos", "du", "ten", "ter"),
        "zu",
    )
)
NAME_PART_RE = re.compile(r"([\-'’.])")
GENERATIONS = {
    "jr": "Jr",
    "jr.": "Jr.",
    "sr": "Sr",
    "sr.": "Sr.",
    "ii": "II",
    "iii": "III",
    "iv": "IV",
}


@dataclass(frozen=True, slots=True)
class AuthorName:
    """A person's name, clean, with its homonym suffix split off.

    ``written`` is the spelling as the page showed it (before case was restored).
    """

    name: str
    homonym: str | None = None
    written: str = ""
    # Identity key: folded name plus homonym; two suffixes are two people. Made once: the
    # loader reads it for every authorship of every batch.
    key: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.written:
            object.__setattr__(self, "written", self.name)
        object.__setattr__(self, "key", person_key(self.name, self.homonym))


def _capitalize_word(word: str) -> str:
    # "jean-baptiste" -> "Jean-Baptiste", "marc'aurelio" -> "Marc'Aurelio", "j.b." -> "J.B."
    if word in GENERATIONS:
        return GENERATIONS[word]
    text = "".join(
        p if NAME_PART_RE.fullmatch(p) else p[:1].upper() + p[1:] for p in NAME_PART_RE.split(word)
    )
    # "mccarthy" -> "McCarthy"
    return f"Mc{text[2:3].upper()}{text[3:]}" if text.startswith("Mc") and len(text) > 3 else text


def natural_case(name: str) -> str:
    """Restore an all-lower-case or all-upper-case name to natural case; others unchanged.

    Particles ("van den", "de la") stay lower case inside the name, not at its ends
    ("quoc v. le" -> "Quoc V. Le"); initials keep their dots.
    """
    if name != name.lower() and name != name.upper():
        return name  # mixed case: as the page wrote it (the common case, decided at C speed)
    letters = [c for c in name if c.isalpha()]
    if not letters or not (all(c.islower() for c in letters) or all(c.isupper() for c in letters)):
        return name
    words = name.lower().split(" ")
    last = len(words) - 1
    return " ".join(
        w if 0 < i < last and w in PARTICLES else _capitalize_word(w) for i, w in enumerate(words)
    )


@lru_cache(maxsize=1 << 14)
def split_author(raw: str) -> AuthorName:
    """Normalize ``raw``, split a trailing homonym suffix off it and restore natural case."""
    text = normalize_space(raw)
    match = HOMONYM_RE.match(text)
    name, homonym = (match["name"], match["homonym"]) if match else (text, None)
    return AuthorName(natural_case(name), homonym, name)


def best_spelling(spellings: Mapping[str, int]) -> str:
    """The display name of an author among the spellings listed for it, with how often
    each was listed: the most frequent, ties going to the one with more accents, then more
    capitals (richer spellings), then the last in code-point order (any order agrees)."""

    def rank(spelling: str) -> tuple[int, int, int, str]:
        accents = 0 if spelling.isascii() else sum(not c.isascii() for c in spelling)
        return spellings[spelling], accents, sum(c.isupper() for c in spelling), spelling

    return max(spellings, key=rank)
