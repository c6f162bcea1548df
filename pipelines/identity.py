"""Identity: when two rows are the same paper, person, cluster or venue. Every key lives here.

A key is made only of what the page shows, folded (case, accents and ligatures away), never
of what a registry or a table made of it: a paper's venue part is the venue *as written*, so
that a registry that learns an alias ("NIPSX -> NeurIPS") or a new venue later never splits
a paper. ``stable_id`` turns a key into the short id exports carry: the same in every store,
whatever the load order.

When a rule here changes what a key is (say, the fold learns a new letter), bump
``IDENTITY_VERSION``: a store made under an older version re-keys its rows on first use,
merging the rows that now share a key (``pipelines.store.rekey``).
"""

from __future__ import annotations

import hashlib

from pipelines.text import fold, normalize_space

IDENTITY_VERSION = 2  # 2: the fold transliterates (ø -> o, ß -> ss, þ -> th, ...)
SEPARATOR = "|"
WORKSHOP_KIND = "workshop"
ID_LENGTH = 16  # hex digits: 64 bits, no collision in practice below billions of rows
# A key part longer than this is cut and completed with a hash of the whole: keys stay
# within what a database index holds (PostgreSQL's B-tree takes about 2,700 bytes a row)
# whatever a page puts in a title or a name, and two long texts still never share a key.
MAX_PART_CHARS = 400


def _bounded(folded: str) -> str:
    if len(folded) <= MAX_PART_CHARS:
        return folded
    digest = hashlib.sha256(folded.encode("utf-8")).hexdigest()[:ID_LENGTH]
    return f"{folded[: MAX_PART_CHARS - ID_LENGTH - 1]}~{digest}"


def person_key(name: str, homonym: str | None) -> str:
    """An author's or a cluster's identity: the folded name and the DBLP homonym suffix
    ("Prateek Jain 0002"); two suffixes are two people, no suffix is a third."""
    return f"{_bounded(fold(name))}{SEPARATOR}{homonym or ''}"


def same_name(a: str, b: str) -> bool:
    """Whether two spellings name the same person ("Tomás" and "tomas"), homonyms aside."""
    return fold(a) == fold(b)


def venue_token(written: str, kind: str) -> str:
    """The venue part of a paper's identity: the venue as the page wrote it, folded; a
    workshop line at a venue is that venue's workshops ("ICML Workshop 2021")."""
    token = _bounded(fold(written))
    return f"{token} workshops" if kind.lower() == WORKSHOP_KIND else token


def paper_key(title: str, year: int, written_venue: str, kind: str) -> str:
    """A paper's identity: folded title, year and the venue as written."""
    title_part = _bounded(fold(normalize_space(title)))
    return SEPARATOR.join((title_part, str(year), venue_token(written_venue, kind)))


def refold_key(key: str) -> str:
    """``key`` made again under the current fold: how a store re-keys rows made under an
    older ``IDENTITY_VERSION``. Every part of a key is folded text, a year or a homonym, and
    folding is idempotent, so folding the whole key again is the key the rows would get now."""
    return fold(key)


def stable_id(kind: str, key: str) -> str:
    """The exported id of the ``kind`` row ("paper", "author", "cluster") with identity
    ``key``: a short hash, the same in every store whatever the load order."""
    return hashlib.sha256(f"{kind}:{key}".encode()).hexdigest()[:ID_LENGTH]
