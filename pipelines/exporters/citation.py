"""What the citation formats (BibTeX, CSL-JSON, RIS) read alike from a paper record: its
kind of publication, its authors in citation order with their names split, its date."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from enum import Enum
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from pipelines.exporters.base import Record


class Kind(Enum):
    """A paper's kind of publication, as the citation formats tell them apart."""

    CONFERENCE = "conference"
    JOURNAL = "journal"
    PREPRINT = "preprint"
    OTHER = "other"


# The venue's type decides first: the site calls arXiv papers "Journal Article", but a
# repository's paper is a preprint whatever its line says.
VENUE_KINDS = {
    "repository": Kind.PREPRINT,
    "preprint": Kind.PREPRINT,
    "conference": Kind.CONFERENCE,
    "workshop": Kind.CONFERENCE,
    "symposium": Kind.CONFERENCE,
    "journal": Kind.JOURNAL,
}
# Else the publication type shown, by a word in it.
PUBLICATION_WORDS = (
    ("preprint", Kind.PREPRINT),
    ("conference", Kind.CONFERENCE),
    ("workshop", Kind.CONFERENCE),
    ("symposium", Kind.CONFERENCE),
    ("proceedings", Kind.CONFERENCE),
    ("journal", Kind.JOURNAL),
)


def paper_kind(record: Record) -> Kind:
    """Conference (and workshop, symposium), journal, preprint or other: by the venue's
    type, else by the publication type's words."""
    venue_type = str(record.get("venue_type") or "").lower()
    if venue_type in VENUE_KINDS:
        return VENUE_KINDS[venue_type]
    publication = str(record.get("publication_type") or "").lower()
    for word, kind in PUBLICATION_WORDS:
        if word in publication:
            return kind
    return Kind.OTHER


def paper_id(record: Record) -> str:
    """The paper's ``id``; for a record without one, a hash of what identifies it."""
    if record.get("id"):
        return str(record["id"])
    identity = "\x1f".join(str(record.get(k)) for k in ("key", "title", "year", "venue"))
    return hashlib.sha256(identity.encode("utf-8")).hexdigest()[:16]


def container(record: Record) -> str | None:
    """The venue's full name, else its acronym."""
    name = record.get("venue_name") or record.get("venue")
    return str(name) if name else None


def cited_authors(record: Record) -> list[dict[str, Any]]:
    """The paper's authors in citation order: page positions first, then the authors known
    only from the cluster (position null) in the order given."""
    authors = list(record.get("authors") or ())
    return sorted(authors, key=lambda a: (a.get("position") is None, a.get("position") or 0))


def authors_incomplete(record: Record) -> bool:
    """True unless the author list is known to be complete (``authors_complete`` is true):
    a citation then says "and others", or ``INCOMPLETE_NOTE`` where it cannot."""
    return record.get("authors_complete") is not True


INCOMPLETE_NOTE = "Author list incomplete: the source lists only the first authors."


class PersonName(NamedTuple):
    """A display name split for citations; a one-word name has ``family`` only."""

    given: str
    particle: str
    family: str
    suffix: str

    @property
    def single(self) -> bool:
        """A one-word name (a mononym): cited as written."""
        return not (self.given or self.particle or self.suffix)


# Lower-case words that start a family name ("Ludwig van der Maaten", "José de la Cruz").
PARTICLES = frozenset({
    "van", "von", "der", "den", "de", "del", "della", "degli", "di", "da", "das", "dos", "du",
    "la", "le", "les", "ten", "ter", "zu", "zur", "vom", "af", "av", "bin", "ibn", "al", "el",
})  # fmt: skip
SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})


def split_name(name: str) -> PersonName:
    """``name`` as written on the page (given names first) split into given names, particle,
    family name and suffix: the last word is the family name, or the words from the first
    lower-case particle after a given name on ("van der Maaten"); "Jr.", "III" are suffixes.
    A homonym suffix ("0002") is never part of ``name``: the record keeps it apart.

    A comma is a citation's: before a suffix ("Martin Ode, Jr."), or after the family name
    of a name written family first ("Ode, Martin", "van der Maaten, Ludwig", "Ode, Jr.,
    Martin"). No part keeps a comma: BibTeX, RIS and CSL readers split names at commas."""
    if "," in name:
        return _split_with_commas(name)
    words = name.split()
    suffix = ""
    if len(words) > 2 and words[-1].lower() in SUFFIXES:
        suffix = words.pop()
    if len(words) < 2:
        return PersonName("", "", " ".join(words), suffix)
    start = next((i for i in range(1, len(words) - 1) if words[i] in PARTICLES), len(words) - 1)
    end = start
    while end < len(words) - 1 and words[end] in PARTICLES:
        end += 1
    return PersonName(
        " ".join(words[:start]), " ".join(words[start:end]), " ".join(words[end:]), suffix
    )


def _split_with_commas(name: str) -> PersonName:
    rest, suffix = _comma_parts(name)
    if len(rest) == 1:  # "Martin Ode, Jr.", "Name Trailing,"
        split = split_name(rest[0])
        return split._replace(suffix=suffix) if suffix and not split.single else split
    return _family_first(rest[0], " ".join(rest[1:]), suffix)


def _comma_parts(name: str) -> tuple[list[str], str]:
    """The parts of a name between its commas, the first suffix among the later ones apart
    ("Ode, Jr., Martin": ["Ode", "Martin"] and "Jr.")."""
    parts = [words for words in (" ".join(p.split()) for p in name.split(",")) if words] or [""]
    later = parts[1:]
    suffix = next((p for p in later if p.lower() in SUFFIXES), "")
    return [parts[0], *(p for p in later if p != suffix)], suffix


def _family_first(family: str, given: str, suffix: str) -> PersonName:
    """A name written family first ("van der Maaten, Ludwig"): its lower-case particles
    lead the family name."""
    words = family.split()
    lead = 0
    while lead < len(words) - 1 and words[lead] in PARTICLES:
        lead += 1
    return PersonName(given, " ".join(words[:lead]), " ".join(words[lead:]), suffix)


# Letters NFKD does not take apart.
ASCII_LETTERS = str.maketrans(
    {"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D",
     "þ": "th", "Þ": "Th", "ß": "ss", "æ": "ae", "Æ": "Ae", "œ": "oe", "Œ": "Oe", "ı": "i"}
)  # fmt: skip


def ascii_fold(text: str) -> str:
    """``text`` with accents dropped and letters such as ø, ß, æ spelled in ASCII; other
    non-ASCII characters dropped."""
    decomposed = unicodedata.normalize("NFKD", text.translate(ASCII_LETTERS))
    return decomposed.encode("ascii", "ignore").decode("ascii")


DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
PRECISION_PARTS = {"year": 1, "month": 2, "day": 3}


def date_parts(record: Record) -> list[int]:
    """The publication date as [year], [year, month] or [year, month, day]: ``published``
    to its precision where known, else the paper's year."""
    found = DATE_RE.fullmatch(str(record.get("published") or ""))
    parts = PRECISION_PARTS.get(str(record.get("published_precision")), 3)
    if found:
        return [int(n) for n in found.groups()[:parts]]
    return [int(record["year"])]
