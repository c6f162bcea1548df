"""Venue rules: split a venue line and resolve it against the registry (pipelines/data).

A written venue is looked up at three levels, each a table built from every registry
spelling (acronym, full name, aliases) by the same function, so a spelling and a written
venue meet only when they normalize alike:

1. the spelling as written, case- and accent-folded;
2. without what decorates a name: a leading "The", "Proceedings of", a year or an ordinal
   ("2019", "35th"), a publisher prefix ("IEEE", "ACM", "IEEE/CVF"), an acronym in
   parentheses that names the same venue, "&" written "and";
3. its content words only ("Conference", "on", "IEEE", "SIGKDD", ... dropped), for the
   name of an event; the registry's names are also keyed without "International" and
   without their own acronym, and a written name without an event word meets this level
   when it has at least ``LOOSE_WORDS`` content words ("Web Search and Data Mining"). An
   event's name written without an event word ("Supercomputing", SC) is keyed here too. A
   key of scope words alone ("international", "asia-pacific", "papers") names no venue and
   is never stored or matched: what "International Middleware Conference" leaves without
   its acronym must not name Middleware for every "International Conference on ..." cut
   short. Where a society's name is all that is left besides them ("ACM SIGGRAPH Annual
   Conference in Asia"), the society's name is kept as content.

A key that two venues share at a level is dropped from that level: an ambiguous spelling
resolves to nothing rather than to a guess. A DBLP volume ("ACL (1)") and a main track
(", General Track", "(Poster)") do not hide a venue; other tracks ("(Findings)",
"(Workshop)", "Workshop" as the kind) resolve to the track's own venue, or stay unknown.
A joint venue written "A/B" or "A-B" ("AAAI/IAAI", "HLT-NAACL") is the one registry venue
its parts name, when exactly one does; a line in parts between dashes is the venue every
part names.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import NotRequired, TypedDict

from crawler.pages.grammar import split_venue_line
from pipelines.pickling import quick_pickle
from pipelines.text import fold, normalize_space

__all__ = ["Venue", "VenueRegistry", "default_registry", "split_venue_line", "venue_keys"]


class VenueEntry(TypedDict):
    """One registry record in ``pipelines/data/venues.json``."""

    acronym: str
    name: str
    type: str
    aliases: list[str]
    tracks: NotRequired[dict[str, str]]


@quick_pickle
@dataclass(frozen=True, slots=True)
class Venue:
    """A venue as stored: ``known`` is False for a name the registry does not hold."""

    acronym: str
    name: str | None
    type: str
    known: bool


# A DBLP volume or a main track in parentheses: "ACL (1)", "ICLR (Poster)", "(Oral)".
VOLUME_RE = re.compile(
    r"\s*\((?:\d+|[ivx]+|poster|posters|oral|spotlight|main|main conference|long papers?"
    r"|short papers?|long and short papers|volume \d+|vol\. ?\d+)\)\s*$",
    re.I,
)
MAIN_TRACK_RE = re.compile(
    r"\s*(?:,\s*|\(|\s)(?:general|main|research|technical|conference|full papers?"
    r"|conference papers?) (?:track|papers)\)?\s*$",
    re.I,
)
# Tracks that are venues of their own: never the main conference.
TRACK_WORDS = {
    "findings": "Findings",
    "workshop": "Workshops",
    "workshops": "Workshops",
    "workshop track": "Workshops",
    "workshop papers": "Workshops",
}
TRACK_RE = re.compile(
    r"^(?P<venue>.+?)\s*(?:\((?P<paren>[^()]{3,40})\)|,\s*(?P<comma>[^,()]{3,40}))\s*$"
)
TRACK_PREFIX_RE = re.compile(r"^(?P<track>findings) of (?:the )?(?P<venue>.+)$", re.I)
JOINT_SPLIT_RE = re.compile(r"\s*[/\-]\s*")
JOINT_RE = re.compile(r"^[\w&+.]+(?:\s*[/\-]\s*[\w&+.]+)+$")
# "Name (ACRONYM)", "Name 35 (ACRONYM 2022)": the acronym must name the same venue.
# A word in capitals that may be a venue's acronym ("CHI", "ICML", "3DV").
ACRONYM_WORD_RE = re.compile(r"\b[0-9]?[A-Z][A-Z0-9]+\b")
PAREN_ACRONYM_RE = re.compile(
    r"^(?P<venue>.+?)\s*\((?P<acronym>[^()\s]{2,20})(?:\s+(?:\d{4}|'\d\d))?\)$"
)
VOLUME_NUMBER_RE = re.compile(r"\s+\d{1,3}$")
DASH_RE = re.compile(r"\s+[-–—]\s+")
# Decoration around a venue's name (level 2); applied to folded text.
LEADING_RE = re.compile(
    r"^(?:(?:the|proceedings of|proceedings|proc\.|in|of|annual|\d{4}|'\d\d|\d+(?:st|nd|rd|th)"
    r"|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth"
    r"|ieee/cvf|ieee/acm|acm/ieee|ieee/rsj|ieee|acm|usenix|isoc|ifip)[\s,:]+)+"
)
TRAILING_RE = re.compile(r"(?:[\s,:]+(?:\d{4}|'\d\d|proceedings))+$")
PUNCT_RE = re.compile(r"[\s,:;.]+")
GENERIC_WORDS = frozenset(
    (
        *("the", "of", "on", "in", "for", "and", "proceedings", "proc", "conference", "conf"),
        *("symposium", "symp", "annual", "meeting", "ieee", "acm", "ieee/cvf", "ieee/acm"),
        *("acm/ieee", "usenix"),
    )
)
# A publisher or society word ("IEEE/RSJ", "ACM SIGKDD", "SIGPLAN"): never a venue's content.
SOCIETY_WORD_RE = re.compile(r"(?:ieee|acm)/\w+|\w+/(?:ieee|acm)|sig[a-z]{2,8}")
# Words that say where or how widely an event is held, or which part of it a line is, but
# never which event: a level-3 key of these words alone ("international", what is left of
# "International Middleware Conference" without its acronym; "asia-pacific"; "papers") would
# name whichever venue it came from for every "International Conference on ..." cut short.
SCOPE_WORDS = frozenset(
    (
        *("international", "national", "joint", "world", "global", "annual", "biennial"),
        *("asia", "asian", "asia-pacific", "pacific", "europe", "european", "america"),
        *("american", "americas", "african", "nordic", "north", "south", "east", "west"),
        *("papers", "paper", "companion", "track", "tracks", "volume", "part", "workshop"),
        *("workshops", "…", "...", "et", "al"),
    )
)
# Level 3 only joins names of events: a journal's title has no word to drop.
EVENT_WORD_RE = re.compile(r"\b(?:conference|symposium|meeting|congress|colloquium)\b")
# A name written without its event word ("Web Search and Data Mining", as Semantic Scholar
# writes WSDM) meets an event's content words when it has at least this many of its own: a
# journal's title ("Computational Linguistics") is shorter, or keeps "journal",
# "transactions" or "letters" among its words.
LOOSE_WORDS = 3


def _content(plain: str, drop: frozenset[str] = frozenset()) -> str:
    words = [w for w in plain.split() if w not in GENERIC_WORDS and w not in drop]
    content = " ".join(w for w in words if not w.isdigit() and not SOCIETY_WORD_RE.fullmatch(w))
    if content and not _names_something(content):
        # Only scope words left without the society's: the society is the name's content
        # ("ACM SIGGRAPH Annual Conference in Asia": "siggraph asia", not "asia").
        return " ".join(w for w in words if not w.isdigit())
    return content


@lru_cache(maxsize=1 << 14)
def venue_keys(written: str) -> tuple[str, str, str]:
    """The three lookup keys of a venue spelling: folded, undecorated, content words (the
    last only for the name of an event)."""
    folded = fold(written).replace("&", " and ")
    folded = " ".join(folded.split())
    plain = TRAILING_RE.sub("", LEADING_RE.sub("", folded)).strip(" ,:")
    plain = PUNCT_RE.sub(" ", plain).strip()
    if not EVENT_WORD_RE.search(plain):
        return folded, plain, ""
    return folded, plain, _content(plain)


@lru_cache(maxsize=1 << 14)
def loose_key(written: str) -> str:
    """The content words of a name written without its event word, when it has enough of
    them to meet an event's (level 3) and no more: "" otherwise."""
    _, plain, content = venue_keys(written)
    if content:
        return ""
    words = _content(plain)
    return words if len(words.split()) >= LOOSE_WORDS else ""


def _names_something(key: str) -> bool:
    """Whether a lookup key holds a word that can tell one venue from another."""
    return any(word not in SCOPE_WORDS for word in key.split())


RESOLVED_CACHE = 1 << 14


class VenueRegistry:
    """Venues by acronym, full name and alias; see the module docstring for the levels."""

    def __init__(self, entries: list[VenueEntry]) -> None:
        self._levels: tuple[dict[str, Venue | None], ...] = ({}, {}, {})
        self._tracks: dict[tuple[str, str], Venue] = {}
        self._acronyms: dict[str, Venue] = {}
        # A venue line recurs on every paper of that venue: each spelling is resolved once.
        self._resolved: dict[tuple[str, str], Venue] = {}
        for entry in entries:
            venue = Venue(entry["acronym"], entry["name"], entry["type"], True)
            self._acronyms[fold(venue.acronym)] = venue
            for spelling in (venue.acronym, entry["name"], *entry["aliases"]):
                self._add(spelling, venue)
        for entry in entries:
            for track, acronym in entry.get("tracks", {}).items():
                self._tracks[(entry["acronym"], track)] = self._acronyms[fold(acronym)]

    def _add(self, spelling: str, venue: Venue) -> None:
        keys = venue_keys(spelling)
        for level, key in zip(self._levels, keys, strict=True):
            self._add_key(level, key, venue)
        if not keys[2] and venue.type != "journal" and spelling != venue.acronym:
            # An event's name written without its event word ("Supercomputing", for SC) is
            # its content words at level 3 too: "Supercomputing Conference" is SC's, and a
            # name another venue's keys reduce to alike ("International Conference on
            # Supercomputing", ICS, without "International") becomes ambiguous there
            # instead of naming the other venue.
            self._add_key(self._levels[2], _content(keys[1]), venue)
        if keys[2]:
            # The name as it is also written: without "International" ("Conference on
            # Information and Knowledge Management") and without the venue's own acronym
            # ("CHI Conference on Human Factors in Computing Systems"). Only the registry's
            # names are widened so: a written "International" still counts.
            acronym = fold(venue.acronym)
            for drop in (("international",), (acronym,), ("international", acronym)):
                self._add_key(self._levels[2], _content(keys[1], frozenset(drop)), venue)

    @staticmethod
    def _add_key(level: dict[str, Venue | None], key: str, venue: Venue) -> None:
        if not key or not _names_something(key):
            return
        owner = level.setdefault(key, venue)
        if owner is not None and owner != venue:
            level[key] = None  # two venues share it: it names neither

    def _lookup(self, text: str) -> Venue | None:
        for level, key in zip(self._levels, venue_keys(text), strict=True):
            if key in level and (level is not self._levels[2] or _names_something(key)):
                return level[key]  # None: ambiguous at this level; never look looser
        loose = loose_key(text)
        return self._levels[2].get(loose) if loose else None

    # Size: a name, a name with its acronym, a joint venue: the three ways a venue is named.
    def _lookup_named(self, text: str) -> Venue | None:
        """``text`` as a name, with an acronym in parentheses that must agree with it."""
        venue = self._lookup(text)
        if venue is not None:
            return venue
        match = PAREN_ACRONYM_RE.match(text)
        if match:
            named = self._lookup_parts(VOLUME_NUMBER_RE.sub("", match["venue"]))
            if named is not None and self._lookup(match["acronym"]) == named:
                return named
        for word in ACRONYM_WORD_RE.findall(text):
            # The venue's acronym as a word of its name ("CHI Conference on Human Factors
            # in Computing Systems", as Semantic Scholar writes it): the rest must name it.
            named = self._lookup(word)
            rest = re.sub(rf"\b{re.escape(word)}\b\s*", "", text, count=1)
            if named is not None and rest.strip() and self._lookup(rest) == named:
                return named
        if DASH_RE.search(text):
            return self._lookup_parts(text)
        if JOINT_RE.match(text):
            parts = {self._lookup(p) for p in JOINT_SPLIT_RE.split(text) if p}
            known = {p for p in parts if p is not None}
            if len(known) == 1:
                return known.pop()
        return None

    def _lookup_parts(self, text: str) -> Venue | None:
        """``text``, or the one venue its parts between dashes all name ("ICASSP 2023 -
        2023 IEEE International Conference on Acoustics, Speech and Signal Processing")."""
        venue = self._lookup(text)
        if venue is not None:
            return venue
        parts = [self._lookup(p) for p in DASH_RE.split(text) if p.strip()]
        if len(parts) > 1 and None not in parts and len(set(parts)) == 1:
            return parts[0]
        return None

    def _track(self, venue: Venue, track: str) -> Venue | None:
        own = self._tracks.get((venue.acronym, track))
        if own is not None:
            return own
        if track == "Workshops" and venue.type == "conference":
            return Venue(f"{venue.acronym} Workshops", f"{venue.name} Workshops", "workshop", True)
        return None

    # Size: a venue, a prefixed track, a suffixed track or volume: the ways a track is written.
    def _resolve(self, text: str) -> tuple[Venue | None, str | None]:
        """The venue ``text`` names and the track it names, if any."""
        text = MAIN_TRACK_RE.sub("", VOLUME_RE.sub("", text)).strip()
        venue = self._lookup_named(text)
        if venue is not None:
            return venue, None
        prefixed = TRACK_PREFIX_RE.match(text)
        if prefixed:
            return self._lookup_named(prefixed["venue"]), TRACK_WORDS["findings"]
        match = TRACK_RE.match(text)
        if match:
            label = fold(match["paren"] or match["comma"] or "").strip()
            inner, _ = self._resolve(match["venue"])
            if inner is not None and label in TRACK_WORDS:
                return inner, TRACK_WORDS[label]
            if inner is not None and match["paren"] and VOLUME_RE.match(f"({label})"):
                return inner, None
        return None, None

    def cache_clear(self) -> None:
        """Forget the spellings resolved so far (as ``functools`` memos do)."""
        self._resolved.clear()

    def resolve(self, written: str, kind: str) -> Venue:
        """The registry's venue for ``written``, or ``written`` kept as is, flagged unknown.

        A DBLP volume or main track ("ACL (1)", "ICLR (Poster)", "USENIX ATC, General
        Track") does not hide a known venue; a track of its own ("NAACL-HLT (Findings)",
        "ICLR (Workshop)", a workshop line at a conference) is that track's venue, or
        unknown: never the main conference.
        """
        known = self._resolved.get((written, kind))
        if known is None:
            if len(self._resolved) >= RESOLVED_CACHE:
                self._resolved.clear()
            known = self._resolved[(written, kind)] = self._resolve_line(written, kind)
        return known

    def _resolve_line(self, written: str, kind: str) -> Venue:
        text = normalize_space(written)
        kind = kind.lower()
        venue, track = self._resolve(text)
        if (
            venue is not None
            and track is None
            and kind == "workshop"
            and venue.type == "conference"
        ):
            track = "Workshops"
        if venue is not None and track is not None:
            venue = self._track(venue, track)
        return venue if venue is not None else Venue(text, None, kind, False)


@cache
def default_registry() -> VenueRegistry:
    """The registry bundled in ``pipelines/data/venues.json``."""
    data = resources.files("pipelines").joinpath("data/venues.json").read_text("utf-8")
    return VenueRegistry(json.loads(data)["venues"])
