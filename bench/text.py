"""``python -m bench.text``: the text rules measured on real scholarly text (issue 14).

The corpus is ``tests/corpus`` (its README names every sample's source). Each figure is the
one the issue reports, measured the same way on whatever code is importable, so the same
script measures the code before and after a change:

- abstracts: real abstracts cleaned as they are; one is *damaged* when cleaning visibly
  changed its meaning (see ``damage``);
- seed defects: the defects of the seed page injected together into real abstracts, and
  whether cleaning restores each abstract whole;
- line-break hyphens: words broken where a hyphenation dictionary breaks lines (as
  ``hy-phen`` and ``hy- phen``), restored one at a time and three to an abstract; and the
  real compounds of the abstracts that cleaning wrongly joins;
- venues: DBLP and CCF spellings resolved to the registry venue they name, and wrong ones;
- names: real mixed-case names written in capitals or lower case, restored exactly: on the
  samples rich in hard names (accents, hyphens, particles, inner capitals) and on a sample
  drawn at random; all of them held out of the case lexicon (``bench/name_case.py``);
- identity: accent and special-letter variants of one name sharing one key, and distinct
  names that wrongly share one.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import unicodedata
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines.abstracts import clean_abstract
from pipelines.authors import split_author
from pipelines.text import normalize_space
from pipelines.venues import default_registry

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "corpus"
SEED = 14
TARGETS = {
    "abstracts_damaged_pct": ("<=", 0.5),
    "seed_defects_restored_pct": (">=", 95.0),
    "hyphens_restored_pct": (">=", 97.0),
    "compounds_joined_pct": ("<=", 0.2),
    "venues_resolved_pct": (">=", 97.0),
    "venues_wrong": ("<=", 0),
    "names_round_trip_pct": (">=", 99.5),
    "natural_names_round_trip_pct": (">=", 99.5),
    "fold_variants_shared_pct": (">=", 100.0),
    "fold_wrong_merges": ("<=", 0),
}


@dataclass
class Figures:
    """The issue's figures, on one corpus."""

    abstracts: int
    abstracts_damaged_pct: float
    seed_defects_restored_pct: float
    hyphen_breaks: int
    hyphens_restored_pct: float
    abstracts_with_three_breaks_restored_pct: float
    compounds: int
    compounds_joined_pct: float
    venues: int
    venues_resolved_pct: float
    venues_wrong: int
    names: int
    names_round_trip_pct: float
    natural_names: int
    natural_names_round_trip_pct: float
    fold_variant_pairs: int
    fold_variants_shared_pct: float
    fold_wrong_merges: int


def abstracts() -> list[str]:
    """The corpus abstracts, as their sources wrote them (LaTeX and all)."""
    lines = (CORPUS / "abstracts.jsonl").read_text("utf-8").splitlines()
    return [json.loads(line)["text"] for line in lines if line.strip()]


def _data_lines(name: str) -> Iterator[list[str]]:
    for line in (CORPUS / name).read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            yield line.split("\t")


def _clean(text: str) -> str:
    return clean_abstract(text)[0] or ""


def _pct(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 2) if whole else 100.0


# ---- damage: what a reader sees as a changed meaning ------------------------------------

MATH_RE = re.compile(r"\$[^$]*\$")
DROPPED_ARG_RE = re.compile(
    r"\\(?:cite\w*|ref|eqref|autoref|cref|Cref|label|footnote|href|url)\*?(?:\[[^\]]*\])*\{[^{}]*\}"
)
MACRO_RE = re.compile(r"\\[a-zA-Z]+")
WORD_RE = re.compile(r"[^\W\d_]{3,}")
LOST_GROUP_RE = re.compile(r"[\^_](?![(\[{])[^\s,;:.)\]}]{2,}")
# Sizing and font switches: rendered as nothing but what they wrap.
LAYOUT_MACROS = frozenset(
    (
        *("left", "right", "middle", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl"),
        *("Bigr", "biggl", "biggr", "displaystyle", "textstyle", "bm", "boldsymbol", "em"),
        *("bf", "it", "sl", "sc", "tt", "rm", "sf", "limits", "nolimits"),
    )
)
STRAY_BRACE_RE = re.compile(r"\{\s|\s\}")


def _prose_words(raw: str) -> set[str]:
    """Words of the prose of ``raw``: outside math, citations and link targets."""
    prose = MACRO_RE.sub(" ", DROPPED_ARG_RE.sub(" ", MATH_RE.sub(" ", raw)))
    prose = prose.replace("{", "").replace("}", "")
    return {w.lower() for w in WORD_RE.findall(prose)}


def _quotes_paired(text: str) -> bool:
    depth = 0
    for ch in text:
        if ch == "“":
            depth += 1
        elif ch == "”":
            if depth == 0:
                return False
            depth -= 1
    return depth == 0


def _unknown_macros(raw: str) -> set[str]:
    from pylatexenc.latex2text import get_default_latex_context_db

    known = get_default_latex_context_db()
    names = set(MACRO_RE.findall(raw)) - {"\\cite", "\\ref", "\\label", "\\footnote"}
    return {n for n in names if known.get_macro_spec(n[1:]) is None and n[1:] not in LAYOUT_MACROS}


def damage(raw: str, clean: str) -> list[str]:
    """What cleaning visibly broke in ``raw``: lost words, lost macros, lost grouping,
    stray braces, broken quote pairs, LaTeX quotes left."""
    found = []
    out_words = {w.lower() for w in WORD_RE.findall(clean)}
    lost = sorted(_prose_words(raw) - out_words)
    if lost:
        found.append(f"lost words {lost[:5]}")
    kept_macros = {m for m in _unknown_macros(raw) if m not in clean}
    if "\\ne" in kept_macros and "≠" in clean:
        kept_macros.discard("\\ne")
    if kept_macros:
        found.append(f"dropped macros {sorted(kept_macros)}")
    if LOST_GROUP_RE.search(clean):
        found.append(f"lost grouping {LOST_GROUP_RE.findall(clean)[:3]}")
    if STRAY_BRACE_RE.search(clean):
        found.append("stray brace")
    if not _quotes_paired(clean):
        found.append("quotes out of pairs")
    if "``" in clean or "''" in clean:
        found.append("TeX quotes left")
    return found


# ---- seed defects injected ------------------------------------------------------------

JUNK_TAIL = " [abs] [ pdf ][ bib ] &copy JMLR 2023. ( edit, beta )"
DECIMAL_RE = re.compile(r"(?<![\d.])(\d{1,3})\.(\d+)(?![\d.])")
COMMA_RE = re.compile(r"(?<=[a-z]{3}),(?= [a-z])")
QUOTABLE_RE = re.compile(r"(?<= )([a-z]{5,12})(?= [a-z])")


def inject_seed_defects(raw: str, rng: random.Random) -> tuple[str, str]:
    """``raw`` with the seed's defects in it, and ``raw`` with only the benign forms of the
    same changes (quotes typographic, emphasis plain): both must clean to the same text."""
    bad = good = raw
    words = QUOTABLE_RE.findall(raw)
    if words:
        word = rng.choice(words)
        bad = bad.replace(f" {word} ", f" ``{word}'' ", 1)
        good = good.replace(f" {word} ", f" “{word}” ", 1)
    if len(words) > 1:
        word = rng.choice(words)
        if f" {word} " in bad:
            bad = bad.replace(f" {word} ", f" \\emph{{{word}}} ", 1)
    match = DECIMAL_RE.search(bad)
    if match:
        bad = bad[: match.end(1) + 1] + " " + bad[match.end(1) + 1 :]
    commas = list(COMMA_RE.finditer(bad))
    if commas:
        at = rng.choice(commas).start()
        marker = rng.choice((" ,", ",1"))
        bad = bad[:at] + marker + bad[at + 1 :]
    if rng.random() < 0.3:  # the junk tail also follows abstracts without a full stop
        bad, good = bad.rstrip("."), good.rstrip(".")
    return bad + JUNK_TAIL, good


# ---- line-break hyphens ---------------------------------------------------------------

BREAKABLE_RE = re.compile(r"(?<![\w\-\\$])([a-z]{6,})(?![\w\-$}])")
COMPOUND_RE = re.compile(r"(?<![\w\-\\])[A-Za-z]+(?:-[A-Za-z]+)+(?![\w\-])")


def _breaks(word: str, hyphenator: Callable[[str], list[int]]) -> list[int]:
    return [p for p in hyphenator(word) if 2 <= p <= len(word) - 2]


def _hyphenator() -> Callable[[str], list[int]]:
    import pyphen

    dictionary = pyphen.Pyphen(lang="en_US")
    return lambda word: list(dictionary.positions(word))


def break_words(
    raw: str, rng: random.Random, count: int, hyphenator: Callable[[str], list[int]]
) -> tuple[str, list[str]]:
    """``raw`` with up to ``count`` prose words broken as a line end breaks them."""
    candidates = [m for m in BREAKABLE_RE.finditer(raw) if _breaks(m[1], hyphenator)]
    chosen = sorted(rng.sample(candidates, min(count, len(candidates))), key=lambda m: m.start())
    out, last, words = [], 0, []
    for m in chosen:
        at = rng.choice(_breaks(m[1], hyphenator))
        sep = "- " if rng.random() < 0.25 else "-"
        out += [raw[last : m.start()], m[1][:at], sep, m[1][at:]]
        last = m.end()
        words.append(m[1])
    return "".join([*out, raw[last:]]), words


# ---- names ----------------------------------------------------------------------------

TRANSLITERATION = {"ø": "o", "æ": "ae", "ł": "l", "ß": "ss", "þ": "th", "đ": "d", "ð": "d"}
TRANSLITERATION |= {"ı": "i", "œ": "oe", "ĳ": "ij"}
HOMONYM_RE = re.compile(r"\s+\d{4}$")


HARD_NAMES = ("names_dblp.txt", "names_arxiv.txt")
NATURAL_NAMES = ("names_natural.txt",)


def names(sources: tuple[str, ...] = HARD_NAMES) -> list[str]:
    """Real mixed-case names (DBLP and arXiv spellings), homonym numbers dropped, spaces
    normalized as every name is (a no-break space is a space)."""
    out = []
    for source in sources:
        out += [normalize_space(HOMONYM_RE.sub("", row[0])) for row in _data_lines(source)]
    return sorted({n for n in out if n != n.lower() and n != n.upper()})


def _case_variants(people: list[str]) -> Iterator[tuple[str, str]]:
    """Each name written in capitals and in lower case, where that loses only the case
    ("Raßloff" in capitals is "RASSLOFF", and "Yıldırım" in lower case "yildirim")."""
    for name in people:
        for variant in (name.upper(), name.lower()):
            if variant.lower() == name.lower() and len(variant) == len(name):
                yield name, variant


def canonical(name: str) -> str:
    """A name's spelling with case, accents and special letters set aside: the identity
    two spellings of one name share and two different names never do."""
    text = "".join(TRANSLITERATION.get(c, c) for c in " ".join(name.split()).casefold())
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


# ---- the figures ----------------------------------------------------------------------


def measure(limit: int | None = None) -> Figures:
    """Every figure, on the corpus (``limit``: the first so many abstracts, for speed)."""
    rng = random.Random(SEED)
    texts = abstracts()[:limit]
    damaged = sum(1 for raw in texts if damage(raw, _clean(raw)))

    restored = 0
    for raw in texts:
        bad, good = inject_seed_defects(raw, rng)
        restored += _clean(bad) == _clean(good)

    hyphenator = _hyphenator()
    singles = single_ok = triples = triple_ok = 0
    for raw in texts:
        reference = _clean(raw)
        for _ in range(2):
            broken, words = break_words(raw, rng, 1, hyphenator)
            if words:
                singles += 1
                single_ok += _clean(broken) == reference
        broken, words = break_words(raw, rng, 3, hyphenator)
        if len(words) == 3:
            triples += 1
            triple_ok += _clean(broken) == reference

    compounds = joined = 0
    for raw in texts:
        prose = MATH_RE.sub(" ", raw)
        clean = _clean(raw)
        for compound in COMPOUND_RE.findall(prose):
            compounds += 1
            whole = compound.replace("-", "")
            joined += (
                compound not in clean and re.search(rf"\b{re.escape(whole)}\b", clean) is not None
            )

    registry = default_registry()
    venue_rows = list(_data_lines("venues.tsv"))
    labelled = [r for r in venue_rows if r[1]]
    resolved = wrong = 0
    for written, want, _source in venue_rows:
        got = registry.resolve(written, "conference")
        if got.known and got.acronym == want:
            resolved += 1
        elif got.known:
            wrong += 1

    people = names()
    cased = list(_case_variants(people))
    round_trip = sum(split_author(variant).name == name for name, variant in cased)
    natural = list(_case_variants(names(NATURAL_NAMES)))
    natural_trip = sum(split_author(variant).name == name for name, variant in natural)

    variants = [r for r in _data_lines("name_variants.tsv") if r[2] == "variant"]
    shared = sum(split_author(a).key == split_author(b).key for a, b, _ in variants)
    by_key: dict[str, set[str]] = defaultdict(set)
    for name in {*people, *(n for a, b, _ in variants for n in (a, b))}:
        by_key[split_author(name).key].add(canonical(name))
    wrong_merges = sum(len(spellings) - 1 for spellings in by_key.values())

    return Figures(
        abstracts=len(texts),
        abstracts_damaged_pct=_pct(damaged, len(texts)),
        seed_defects_restored_pct=_pct(restored, len(texts)),
        hyphen_breaks=singles,
        hyphens_restored_pct=_pct(single_ok, singles),
        abstracts_with_three_breaks_restored_pct=_pct(triple_ok, triples),
        compounds=compounds,
        compounds_joined_pct=_pct(joined, compounds),
        venues=len(labelled),
        venues_resolved_pct=_pct(resolved, len(labelled)),
        venues_wrong=wrong,
        names=len(people),
        names_round_trip_pct=_pct(round_trip, len(cased)),
        natural_names=len(names(NATURAL_NAMES)),
        natural_names_round_trip_pct=_pct(natural_trip, len(natural)),
        fold_variant_pairs=len(variants),
        fold_variants_shared_pct=_pct(shared, len(variants)),
        fold_wrong_merges=wrong_merges,
    )


def misses(limit: int | None = None) -> Iterator[str]:
    """Examples of what the figures count as failures, for reading."""
    for raw in abstracts()[:limit]:
        found = damage(raw, _clean(raw))
        if found:
            yield f"damaged: {found} :: {_clean(raw)[:160]}"
    registry = default_registry()
    for written, want, _source in _data_lines("venues.tsv"):
        got = registry.resolve(written, "conference")
        if (want and got.acronym != want) or (not want and got.known):
            yield f"venue: {written!r} -> {got.acronym!r} (want {want!r})"
    for name, variant in _case_variants(names(HARD_NAMES + NATURAL_NAMES)):
        if split_author(variant).name != name:
            yield f"name: {variant!r} -> {split_author(variant).name!r} (want {name!r})"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--misses", action="store_true", help="print what failed")
    args = parser.parse_args(argv)
    figures = asdict(measure())
    for key, value in figures.items():
        target = TARGETS.get(key)
        mark = ""
        if target:
            op, bound = target
            met = value <= bound if op == "<=" else value >= bound
            mark = f"  (target {op} {bound}: {'met' if met else 'NOT met'})"
        print(f"{key:45} {value}{mark}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", "utf-8")
    if args.misses:
        for line in misses():
            print(line)


if __name__ == "__main__":
    main()
