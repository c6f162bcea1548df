"""Author-name rules: homonym suffixes, normalization, identity keys, list completeness."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipelines.text import fold, normalize_space

if TYPE_CHECKING:
    from collections.abc import Sequence

# DBLP disambiguates homonyms with a four-digit suffix: "Prateek Jain 0002".
HOMONYM_RE = re.compile(r"^(?P<name>.*\S)\s+(?P<homonym>\d{4})$")


@dataclass(frozen=True, slots=True)
class AuthorName:
    """A person's name as shown, with its homonym suffix split off."""

    name: str
    homonym: str | None = None

    @property
    def key(self) -> str:
        """Identity key: folded name plus homonym; two suffixes are two people."""
        return f"{fold(self.name)}|{self.homonym or ''}"


def split_author(raw: str) -> AuthorName:
    """Normalize ``raw`` and split a trailing homonym suffix off it."""
    text = normalize_space(raw)
    match = HOMONYM_RE.match(text)
    if match:
        return AuthorName(match["name"], match["homonym"])
    return AuthorName(text)


def authors_complete(
    names: Sequence[AuthorName], cluster: AuthorName, limit: int, cut_marker: bool = False
) -> bool | None:
    """Whether a listed author list is the whole list.

    True when fewer names than the display ``limit`` are listed, False when the list
    was visibly cut or is at the limit without the cluster's own name, None otherwise.
    """
    if cut_marker:
        return False
    if len(names) < limit:
        return True
    if len(names) > limit:
        return True
    cluster_name = fold(cluster.name)
    return None if any(fold(n.name) == cluster_name for n in names) else False
