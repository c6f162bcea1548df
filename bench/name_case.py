"""``python -m bench.name_case NAMES...``: build the name case lexicon from real names.

Each ``NAMES`` file holds real mixed-case names, one a line (``pipelines/data/README.md``
says which lists were used). The names of ``tests/corpus/names_natural.txt`` are left out,
whatever their case, so the round trip ``bench.text`` measures on them is held out; the
other corpus names are in the lists, so their figure is measured in sample.

The lexicon keeps only what the rules of ``pipelines.authors`` get wrong and real names
mostly agree on: a word where it sits in a name, a particle run before the word after it, a
part after a hyphen. An entry is kept when its spelling is right for ``MARGIN`` more names
than the rules' spelling and for at least ``SHARE`` of the names that write it. Then whole
names: a name the lists spell one way only, which the rules and those entries spell
otherwise ("Albert Chi-shing Chung"), is kept as written (``known_names``). Writes
``pipelines/data/name_case.json`` and prints the round trip on names used to build it and
on the names held out of it.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines.authors import (
    PARTICLE_WORDS,
    POSITIONS,
    CaseLexicon,
    position,
    rule_case,
)
from pipelines.text import normalize_space

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "corpus"
OUT = ROOT / "pipelines" / "data" / "name_case.json"
HELD_OUT = CORPUS / "names_natural.txt"
HOMONYM_RE = re.compile(r"\s+\d{4}$")
# Chosen on 15,000 other names held out of a trial build (never the corpus): a word kept for
# a margin of one name fixes single people's spellings ("JingJing") and breaks more names
# than it mends; a particle run is specific enough to count from one name.
MARGIN = {"words": 2, "particles": 1, "hyphen_parts": 3}
SHARE = {"words": 0.6, "particles": 0.5, "hyphen_parts": 0.5}
# A word opening in lower case is a particle when real names write it so at least three times
# and in 1 of 50 of its uses ("de", "bin", "d'", "ul"); "zhang" or "liu", written so by a
# dozen names among thousands, is a slip a whole name must not teach.
PARTICLE_NAMES = 3
# A whole name is kept only when it is written in letters, spaces and the marks of names
# (". - ' ’"): the lists hold slips ("/Shubham Kumar Nigam", "Eric~Granger").
NAME_RE = re.compile(r"[^\W\d_](?:[^\W\d_]|[ .\-'’])*")
PARTICLE_SHARE = 0.02

# One table: key -> Counter of (spelling, whether the rules spell it so).
Table = dict[str, Counter[tuple[str, bool]]]


def read_names(paths: Iterable[Path]) -> set[str]:
    """Mixed-case names of ``paths`` (one a line), DBLP homonym numbers dropped."""
    names = set()
    for path in paths:
        for line in path.read_text("utf-8").splitlines():
            if line.startswith("#"):
                continue
            name = normalize_space(HOMONYM_RE.sub("", line.split("\t")[0]))
            if name != name.lower() and name != name.upper() and len(name.lower()) == len(name):
                names.add(name)
    return names


def _runs(words: list[str]) -> Iterator[tuple[int, int]]:
    """(start, end) of each particle run followed by a word."""
    start = 0
    while start < len(words):
        end = start
        while end < len(words) and words[end] in PARTICLE_WORDS:
            end += 1
        if start < end < len(words):
            yield start, end
        start = end + 1


def count(names: Iterable[str]) -> dict[str, Table]:
    """How each name writes what the lexicon may hold, beside the rules' spelling."""
    tables: dict[str, Table] = {"particles": defaultdict(Counter)}
    for where in POSITIONS:
        tables[f"words/{where}"] = defaultdict(Counter)
        tables[f"hyphen_parts/{where}"] = defaultdict(Counter)
    for name in names:
        written = name.split(" ")
        words = name.lower().split(" ")
        ruled = rule_case(words)
        for i, (word, spelled, rule) in enumerate(zip(words, written, ruled, strict=True)):
            where = position(i, len(words))
            tables[f"words/{where}"][word][(spelled, spelled == rule)] += 1
            parts, rule_parts = spelled.split("-"), rule.split("-")
            if len(parts) > 1 and len(parts) == len(rule_parts):
                for part, rule_part in zip(parts[1:], rule_parts[1:], strict=True):
                    table = tables[f"hyphen_parts/{where}"]
                    table[part.lower()][(part, part == rule_part)] += 1
        for start, end in _runs(words):
            run = " ".join(written[start:end])
            key = " ".join(words[start : end + 1])
            tables["particles"][key][(run, run == " ".join(ruled[start:end]))] += 1
    return tables


def select(table: Table, margin: int, share: float) -> dict[str, list[object]]:
    """Entries whose most common spelling beats the rules: [spelling, names, seen]."""
    out: dict[str, list[object]] = {}
    for key in sorted(table):
        spellings: Counter[str] = Counter()
        rules_right = 0
        for (spelled, right), n in table[key].items():
            spellings[spelled] += n
            rules_right += n if right else 0
        best, n = spellings.most_common(1)[0]
        seen = spellings.total()
        if n - rules_right >= margin and n / seen >= share:
            out[key] = [best, n, seen]
    return out


OPENING_RE = re.compile(r"[^\-'’]*[\-'’]?")


def _opening(word: str) -> str:
    """A word up to its first hyphen or apostrophe, that included, in lower case ("d'" of
    "d'Aspremont", "el-" of "el-Mowafy", "de")."""
    match = OPENING_RE.match(word)
    return (match.group(0) if match else word).lower()


def _particle_openings(names: Iterable[str]) -> frozenset[str]:
    """What real names open a word with in lower case, often enough to be a particle ("de",
    "bin", "d" of "d'Aspremont", "el" of "el-Mowafy"), not a slip ("Hui zhang")."""
    lower: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for name in names:
        for word in name.split(" "):
            total[_opening(word)] += 1
            lower[_opening(word)] += word[:1].islower()
    return frozenset(
        w for w, n in lower.items() if n >= PARTICLE_NAMES and n >= PARTICLE_SHARE * total[w]
    )


def _capitals_run_on(name: str) -> bool:
    """Whether two capitals run on into lower case ("Jian QIn", "AAntônio"): a slip of the
    keyboard more often than a spelling."""
    triples = zip(name, name[1:], name[2:], strict=False)
    return any(a.isupper() and b.isupper() and c.islower() for a, b, c in triples)


def known_names(names: Iterable[str], lex: CaseLexicon) -> dict[str, list[object]]:
    """Whole names the rules and ``lex`` spell otherwise than the one spelling the lists
    hold for them ("chi-shing chung" -> "Chi-shing Chung"): [spelling, 1, spellings seen].
    A name the lists spell two ways is left to the rules, as is one opening a word in lower
    case where real names do not ("Hui zhang")."""
    names = list(names)
    particles = _particle_openings(names)
    spellings: defaultdict[str, set[str]] = defaultdict(set)
    for name in names:
        spellings[unicodedata.normalize("NFC", name.lower())].add(name)
    out: dict[str, list[object]] = {}
    for key in sorted(spellings):
        if len(spellings[key]) != 1:
            continue
        (name,) = spellings[key]
        if (
            not NAME_RE.fullmatch(name)
            or _capitals_run_on(name)
            or any(w[:1].islower() and _opening(w) not in particles for w in name.split(" "))
        ):
            continue
        if lex.restore(key.split(" ")) != name:
            out[key] = [name, 1, 1]
    return out


def build(names: Iterable[str]) -> dict[str, object]:
    """The lexicon's data, as ``pipelines/data/name_case.json`` holds it."""
    names = list(names)
    tables = count(names)

    def kind(name: str) -> dict[str, object]:
        return {
            where: select(tables[f"{name}/{where}"], MARGIN[name], SHARE[name])
            for where in POSITIONS
        }

    data: dict[str, object] = {
        "words": kind("words"),
        "particles": select(tables["particles"], MARGIN["particles"], SHARE["particles"]),
        "hyphen_parts": kind("hyphen_parts"),
    }
    return {**data, "names": known_names(names, lexicon(data))}


def lexicon(data: dict[str, object]) -> CaseLexicon:
    def spellings(table: object) -> dict[str, str]:
        assert isinstance(table, dict)
        return {key: str(entry[0]) for key, entry in table.items()}

    words, parts = data["words"], data["hyphen_parts"]
    assert isinstance(words, dict) and isinstance(parts, dict)
    return CaseLexicon(
        words={where: spellings(words[where]) for where in POSITIONS},
        particles=spellings(data["particles"]),
        hyphen_parts={where: spellings(parts[where]) for where in POSITIONS},
        names=spellings(data.get("names", {})),
    )


def round_trip(names: Iterable[str], lex: CaseLexicon) -> tuple[float, int]:
    """Share of names written in capitals and in lower case restored exactly."""
    right = total = 0
    for name in names:
        for variant in (name.upper(), name.lower()):
            if len(variant) != len(name) or variant.lower() != name.lower():
                continue
            total += 1
            words = unicodedata.normalize("NFC", variant.lower()).split(" ")
            right += lex.restore(words) == name
    return round(100.0 * right / total, 2) if total else 100.0, total


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="+", type=Path, help="files of real names, one a line")
    parser.add_argument("--held-out", type=Path, default=HELD_OUT)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    held_out = read_names([args.held_out])
    left_out = {name.casefold() for name in held_out}
    used = sorted(n for n in read_names(args.names) if n.casefold() not in left_out)
    data = build(used)
    built = lexicon(data)
    rules = CaseLexicon({w: {} for w in POSITIONS}, {}, {w: {} for w in POSITIONS})
    by_word = replace(built, names={})
    print(f"names used to build: {len(used)}, held out: {len(held_out)}")
    print(f"whole names the rules and the lexicon's words spell otherwise: {len(built.names)}")
    in_sample = random.Random(14).sample(used, min(len(used), 20_000))
    for label, group in (("in sample", in_sample), ("held out", sorted(held_out))):
        for which, lex in (("rules", rules), ("words", by_word), ("names", built)):
            print(f"{label:10} {which:8} {round_trip(group, lex)}")
    text = json.dumps({**HEADER, **data}, ensure_ascii=False, separators=(",", ":"))
    args.out.write_text(text.replace('],"', '],\n"') + "\n", "utf-8")


HEADER = {
    "about": (
        "How real names write what the case rules of pipelines/authors.py get wrong: a word"
        " where it sits in a name (first, inner, last), a particle run before the word that"
        " follows it, the part after a hyphen. Each entry: [spelling, names writing it so,"
        " names writing the word]. Built by bench/name_case.py; sources in README.md."
    ),
}


if __name__ == "__main__":
    from bench import main_quietly

    main_quietly(main)
