"""Venue rules: split a venue line and resolve it against the registry (pipelines/data)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TypedDict

from crawler.pages.grammar import split_venue_line
from pipelines.text import fold, normalize_space

__all__ = ["Venue", "VenueRegistry", "default_registry", "split_venue_line"]


class VenueEntry(TypedDict):
    """One registry record in ``pipelines/data/venues.json``."""

    acronym: str
    name: str
    type: str
    aliases: list[str]


TRACK_RE = re.compile(r"\s*\((?:\d+|[A-Za-z][\w ]{0,30})\)\s*$")


@dataclass(frozen=True, slots=True)
class Venue:
    """A venue as stored: ``known`` is False for a name the registry does not hold."""

    acronym: str
    name: str | None
    type: str
    known: bool


class VenueRegistry:
    """Venues by acronym, full name and alias, compared case- and accent-folded."""

    def __init__(self, entries: list[VenueEntry]) -> None:
        self._by_key: dict[str, Venue] = {}
        for entry in entries:
            venue = Venue(entry["acronym"], entry["name"], entry["type"], True)
            for spelling in (venue.acronym, entry["name"], *entry["aliases"]):
                self._by_key.setdefault(fold(spelling), venue)

    def resolve(self, written: str, kind: str) -> Venue:
        """The registry's venue for ``written``, or ``written`` kept as is, flagged unknown.

        A DBLP volume or track in parentheses ("ACL (1)", "ICLR (Poster)") does not hide a
        known venue; a workshop line at a conference ("ICML Workshop 2021") is that
        conference's workshops, typed as such.
        """
        text = normalize_space(written)
        kind = kind.lower()
        venue = self._by_key.get(fold(text)) or self._by_key.get(fold(TRACK_RE.sub("", text)))
        if venue is None:
            return Venue(text, None, kind, False)
        if kind == "workshop" and venue.type == "conference":
            return Venue(f"{venue.acronym} Workshops", f"{venue.name} Workshops", kind, True)
        return venue


@cache
def default_registry() -> VenueRegistry:
    """The registry bundled in ``pipelines/data/venues.json``."""
    data = resources.files("pipelines").joinpath("data/venues.json").read_text("utf-8")
    return VenueRegistry(json.loads(data)["venues"])
