"""Venue rules: split a venue line and resolve it against the registry (pipelines/data)."""

from __future__ import annotations

import json
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
        """The registry's venue for ``written``, or ``written`` kept as is, flagged unknown."""
        text = normalize_space(written)
        return self._by_key.get(fold(text)) or Venue(text, None, kind.lower(), False)


@cache
def default_registry() -> VenueRegistry:
    """The registry bundled in ``pipelines/data/venues.json``."""
    data = resources.files("pipelines").joinpath("data/venues.json").read_text("utf-8")
    return VenueRegistry(json.loads(data)["venues"])
