"""Author-name rules: homonym suffixes, normalization and natural case. Identity keys are
made in ``pipelines.identity``; list completeness is ``pipelines.completion``'s."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from typing import TYPE_CHECKING

from pipelines.identity import person_key
from pipelines.pickling import quick_pickle
from pipelines.text import normalize_space

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

# DBLP disambiguates homonyms with a four-digit suffix: "Prateek Jain 0002" (0001, 0002, ...);
# "Jane Doe 2020" is not one.
HOMONYM_RE = re.compile(r"^(?P<name>.*\S)\s+(?P<homonym>0\d{3})$")


# Lower-case name particles, kept lower case inside a name restored to natural case. Chosen
# by how real names write them inside a name (tests/corpus: "de" 275 lower to 23 capital,
# "da" 56 to 2, "dos" 19 to 1, "la" 9 to 2); "le", "di", "el", "al", "bin", "ben" and "d'"
# are mostly capitals there ("Quoc V. Le", "Di Wang", "D'Souza") and stay so. Where the
# name decides ("Luc Van Gool", "Alfredo De Santis"), the case lexicon says so.
PARTICLES = frozenset(
    (
        *("van", "von", "der", "den", "de", "del", "della", "degli", "das", "dos", "do", "da"),
        *("du", "des", "la", "las", "los", "ten", "ter", "zu"),
    )
)
NAME_PART_RE = re.compile(r"([\-\u00ad'’.(\[\]\"“])")
# After an apostrophe a name goes on in lower case ("Vasil'ev", "Shin'ichi", "Mu'awya": 246
# to 46 in real names), except after one letter or an Italian elision ("O'Brien",
# "D'Souza", "Dell'Orletta", "Sant'Anna", "Marc'Aurelio").
ELISIONS = frozenset(("dell", "dall", "nell", "sull", "coll", "sant", "mont", "marc", "de"))
APOSTROPHES = frozenset("'’")
# A short token of consonants only is initials ("Mukunda NS", "João VC Mazzochin": 247 real
# ones in capitals); the names among them ("Md", "Ng", "Lv", "Tsz") are in the lexicon.
INITIALS_RE = re.compile(r"[b-df-hj-np-tv-xz]{2,4}")
GENERATIONS = {
    "jr": "Jr",
    "jr.": "Jr.",
    "sr": "Sr",
    "sr.": "Sr.",
    "ii": "II",
    "iii": "III",
    "iv": "IV",
}


@quick_pickle
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


def _capitalize_part(part: str) -> str:
    text = part[:1].upper() + part[1:]
    # "mccarthy" -> "McCarthy", also after a hyphen ("Gardner-McCune"). Not "Mac": real
    # names write "Machado" and "Macedo" more often than "MacFarlane" (the lexicon knows
    # the "Mac" names real names write with an inner capital).
    return f"Mc{text[2:3].upper()}{text[3:]}" if text.startswith("Mc") and len(text) > 3 else text


def _capitalize_word(word: str) -> str:
    # "jean-baptiste" -> "Jean-Baptiste", "o'brien" -> "O'Brien", "vasil'ev" -> "Vasil'ev",
    # "j.b." -> "J.B.", "(sasha)" -> "(Sasha)". A capital follows the hyphen of a given name
    # ("Chi-Shing": 939 to 75 in DBLP's, 4,078 to 265 in arXiv's).
    if word in GENERATIONS:
        return GENERATIONS[word]
    if INITIALS_RE.fullmatch(word):
        return word.upper()
    parts = NAME_PART_RE.split(word)
    out = []
    for i, part in enumerate(parts):
        if NAME_PART_RE.fullmatch(part):
            out.append(part)
        elif i >= 2 and parts[i - 1] in APOSTROPHES and len(parts[i - 2]) > 1:
            out.append(_capitalize_part(part) if parts[i - 2] in ELISIONS else part)
        else:
            out.append(_capitalize_part(part))
    return "".join(out)


@cache
def _name_data() -> dict[str, frozenset[str]]:
    data = json.loads(resources.files("pipelines").joinpath("data/names.json").read_text("utf-8"))
    return {key: frozenset(values) for key, values in data.items() if isinstance(values, list)}


def _is_particle(words: Sequence[str], i: int) -> bool:
    """Whether ``words[i]`` is a lower-case particle: inside the name, and not the middle
    name "Van" of a Vietnamese name ("Nguyen Van Thanh", "Tin Van Huynh")."""
    word = words[i]
    if not 0 < i < len(words) - 1 or word not in PARTICLES:
        return False
    if word == "van":
        family = _name_data()["vietnamese_family_names"]
        return words[0] not in family and words[-1] not in family
    return True


POSITIONS = ("first", "inner", "last")


def position(i: int, count: int) -> str:
    """Where word ``i`` of ``count`` sits in a name: "first" (of several), "last" or
    "inner"; the case lexicon is keyed by it ("de" inside a name, "De" opening one)."""
    if i == count - 1:
        return "last"
    return "first" if i == 0 else "inner"


def rule_case(words: Sequence[str]) -> list[str]:
    """The lower-case ``words`` of a name in natural case by rule alone (no lexicon)."""
    return [w if _is_particle(words, i) else _capitalize_word(w) for i, w in enumerate(words)]


# Words that may open a particle run whose case depends on the name that follows it
# ("Van Gool" but "van der Aalst", "De Santis" but "de Souza", "Di Liberto" but "Di Wang").
PARTICLE_WORDS = PARTICLES | frozenset(
    ("le", "di", "el", "al", "bin", "binti", "ben", "e", "y", "dei", "af", "av", "st", "lo")
)


@dataclass(frozen=True, slots=True)
class CaseLexicon:
    """How real names write what the rules get wrong: a word where it sits in a name, a
    particle run before the word that follows it, a part after a hyphen.

    ``words`` maps a position ("first", "inner", "last") to lower-case words and their
    spelling ("dehon" -> "DeHon"); ``particles`` maps a run and its next word ("van gool")
    to the run's spelling ("Van"); ``hyphen_parts`` maps a position to the part after a
    hyphen ("ichi" -> "ichi": "Ken-ichi"); ``names`` maps whole lower-case names to the
    spelling real people write them in, where the rest gets it wrong ("chi-shing chung" ->
    "Chi-shing Chung").
    """

    words: Mapping[str, Mapping[str, str]]
    particles: Mapping[str, str]
    hyphen_parts: Mapping[str, Mapping[str, str]]
    names: Mapping[str, str] = field(default_factory=dict)

    def restore(self, words: Sequence[str]) -> str:
        """The lower-case ``words`` of a name in natural case: a known name as its people
        write it, else the rules' spelling with the lexicon's corrections."""
        known = self.names.get(" ".join(words))
        return known if known is not None else " ".join(self.apply(words, rule_case(words)))

    def apply(self, words: Sequence[str], cased: Sequence[str]) -> list[str]:
        """``cased`` (the rules' spelling of the lower-case ``words``) with the lexicon's
        spellings where it has one."""
        out = list(cased)
        count = len(words)
        decided: set[int] = set()
        start = 0
        while start < count:
            end = start
            while end < count and words[end] in PARTICLE_WORDS:
                end += 1
            if start < end < count:
                form = self.particles.get(" ".join(words[start : end + 1]))
                if form is not None:
                    out[start:end] = form.split(" ")
                    decided.update(range(start, end))
            start = end + 1
        for i, word in enumerate(words):
            if i in decided:
                continue
            where = position(i, count)
            form = self.words[where].get(word)
            if form is not None:
                out[i] = form
            elif "-" in word:
                out[i] = self._hyphen_parts(out[i], where)
        return out

    def _hyphen_parts(self, cased: str, where: str) -> str:
        parts = cased.split("-")
        known = self.hyphen_parts[where]
        return "-".join([parts[0], *(known.get(p.lower(), p) for p in parts[1:])])


@cache
def case_lexicon() -> CaseLexicon:
    """The case lexicon of ``pipelines/data/name_case.json`` (read on first use)."""
    text = resources.files("pipelines").joinpath("data/name_case.json").read_text("utf-8")
    data = json.loads(text)

    def spellings(table: dict[str, list[object]]) -> dict[str, str]:
        return {key: str(entry[0]) for key, entry in table.items()}

    return CaseLexicon(
        words={where: spellings(data["words"].get(where, {})) for where in POSITIONS},
        particles=spellings(data["particles"]),
        hyphen_parts={where: spellings(data["hyphen_parts"].get(where, {})) for where in POSITIONS},
        names=spellings(data.get("names", {})),
    )


def natural_case(name: str) -> str:
    """Restore an all-lower-case or all-upper-case name to natural case; others unchanged.

    Evidence first: a name real people write against the rules is spelled as they do
    ("Albert Chi-shing Chung", "André DeHon"); how real names write a word where it sits
    ("LeCun", "MacDonald", "Md"), a particle run before the word that follows it ("Benjamin
    Van Durme", "Alfredo De Santis") and the part after a hyphen ("Ken-ichi") come from the
    case lexicon (``pipelines/data/name_case.json``); the rules decide the rest. Particles
    ("van den", "de la", "da", "dos") stay lower case inside the name, not at its ends
    ("quoc v. le" -> "Quoc V. Le"); initials keep their dots.
    """
    if name != name.lower() and name != name.upper():
        return name  # mixed case: as the page wrote it (the common case, decided at C speed)
    letters = [c for c in name if c.isalpha()]
    if not letters or not (all(c.islower() for c in letters) or all(c.isupper() for c in letters)):
        return name
    words = unicodedata.normalize("NFC", name.lower()).split(" ")
    return unicodedata.normalize("NFC", case_lexicon().restore(words))


@dataclass(frozen=True, slots=True)
class Spelling:
    """One spelling seen for an identity: how often, and whether the page wrote it so.

    ``as_written`` is False for a spelling whose case was restored by ``natural_case``
    (the page wrote the name in capitals or lower case).
    """

    text: str
    count: int
    as_written: bool


def _richness(text: str) -> tuple[int, int]:
    return sum(1 for c in text if ord(c) > 127), sum(1 for c in text if c.isupper())


def display_spelling(spellings: Iterable[Spelling]) -> str:
    """The spelling to show for one identity, chosen by evidence, whatever the order seen.

    A spelling the page wrote in mixed case beats one whose case was restored (evidence over
    rules: "Chi-shing Chung" as written beats "Chi-Shing Chung" restored from capitals);
    then the most frequent; then the richer (accents, then capitals: "Tomás" over
    "Tomas"); then the first in code-point order, so the choice never depends on arrival.
    Raises ValueError when ``spellings`` is empty.
    """
    spellings = list(spellings)
    if len(spellings) == 1:
        return spellings[0].text  # one spelling: nothing to choose (most authors)
    merged: dict[str, Spelling] = {}
    for s in spellings:
        seen = merged.get(s.text)
        merged[s.text] = (
            s
            if seen is None
            else Spelling(s.text, seen.count + s.count, seen.as_written or s.as_written)
        )
    if not merged:
        raise ValueError("no spelling to choose from")
    best = min(
        merged.values(),
        key=lambda s: (not s.as_written, -s.count, *(-r for r in _richness(s.text)), s.text),
    )
    return best.text


@lru_cache(maxsize=1 << 14)
def split_author(raw: str) -> AuthorName:
    """Normalize ``raw``, split a trailing homonym suffix off it and restore natural case."""
    text = normalize_space(raw)
    match = HOMONYM_RE.match(text)
    name, homonym = (match["name"], match["homonym"]) if match else (text, None)
    return AuthorName(natural_case(name), homonym, name)
