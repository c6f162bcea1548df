"""Dates shown on a page ("Updated 3 March 2025", "Publié le 12 février 2025", "2024").

A plain year or an ISO date is read directly; anything else goes to dateparser, which is
slow, so only text that can be a date (a number in it, or a relative word) reaches it.
The precision shown is kept: a year alone stays a year, "March 2025" stays a month.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from dateparser.date import DateDataParser

from pipelines.pickling import quick_pickle

YEAR_RE = re.compile(r"^[\s(©]*((?:19|20)\d\d)[\s).]*$")
ISO_RE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.+\-Z]*)?\s*$")
RELATIVE_RE = re.compile(
    r"\b(?:today|yesterday|ago|hier|aujourd'hui|il y a|gestern|heute|vor|ayer|hoy|hace"
    r"|ieri|oggi|fa)\b",
    re.I,
)
LANGUAGES = ("en", "fr", "de", "es", "it", "pt", "nl")


@quick_pickle
@dataclass(frozen=True, slots=True)
class ShownDate:
    """A date as precise as the page showed it: ``precision`` is day, month or year."""

    on: date
    precision: str


SETTINGS = {"PREFER_DAY_OF_MONTH": "first"}


@lru_cache(maxsize=16)
def _parser(relative_to: datetime) -> DateDataParser:
    # Missing parts ("5 March": which year?) and relative dates come from the fetch time.
    base = relative_to.replace(tzinfo=None)
    return DateDataParser(languages=list(LANGUAGES), settings={**SETTINGS, "RELATIVE_BASE": base})


def parse_shown_date(text: str, relative_to: datetime) -> ShownDate | None:
    """The date ``text`` shows, or None when it shows none.

    ``relative_to`` anchors relative dates ("yesterday", "vor 3 Tagen"): the time the page
    was fetched, never the clock of the run that reads it.
    """
    if match := YEAR_RE.match(text):
        return ShownDate(date(int(match.group(1)), 1, 1), "year")
    if match := ISO_RE.match(text):
        try:
            return ShownDate(date(*map(int, match.groups())), "day")
        except ValueError:
            return None
    relative = bool(RELATIVE_RE.search(text))
    if not relative and not any(c.isdigit() for c in text):
        return None
    parsed = _parser(relative_to).get_date_data(text)
    if parsed.date_obj is None:
        return None
    precision = parsed.period if parsed.period in ("day", "month", "year") else "day"
    return ShownDate(parsed.date_obj.date(), precision)
