"""``python -m bench.text``: the text rules measured on real scholarly text (issue 14).

The corpus is ``tests/corpus`` (its README names every sample's source). Each figure is the
one the issue reports, measured the same way on whatever code is importable, so the same
script measures the code before and after a change:

- abstracts: real abstracts cleaned as they are; one is *damaged* when cleaning visibly
  changed its meaning (see ``damage``); the same on a fresh sample (``abstracts_fresh.jsonl``:
  proceedings, OpenReview and arXiv's API, hard line wraps kept);
- seed defects: the defects of the seed page injected together into real abstracts, and
  whether cleaning restores each abstract whole;
- line-break hyphens: words broken where a hyphenation dictionary breaks lines (as
  ``hy-phen`` and ``hy- phen``), restored one at a time and three to an abstract; and the
  real compounds of the abstracts that cleaning wrongly joins; the same on real authors'
  pages (``pages.jsonl``), with the rest of the page as evidence and alone;
- venues: DBLP and CCF spellings resolved to the registry venue they name, and wrong ones;
  the same on a fresh sample no rule was written from (``venues_fresh.tsv``: conference
  lists' names and DBLP's proceedings and journal titles as BibTeX exports write them);
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
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipelines.abstracts import ABBREVIATIONS, DISPLAY_ENVIRONMENTS, clean_abstract, page_words
from pipelines.authors import split_author
from pipelines.text import normalize_space
from pipelines.venues import default_registry

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "corpus"
SEED = 14
TARGETS = {
    "abstracts_damaged_pct": ("<=", 0.5),
    "fresh_abstracts_damaged_pct": ("<=", 0.5),
    "seed_defects_restored_pct": (">=", 95.0),
    "hyphens_restored_pct": (">=", 97.0),
    "compounds_joined_pct": ("<=", 0.2),
    "page_hyphens_restored_pct": (">=", 97.0),
    "page_compounds_joined_pct": ("<=", 0.2),
    "venues_resolved_pct": (">=", 97.0),
    "venues_wrong": ("<=", 0),
    "fresh_venues_resolved_pct": (">=", 97.0),
    "fresh_venues_wrong": ("<=", 0),
    "review_venues_wrong": ("<=", 0),
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
    fresh_abstracts: int
    fresh_abstracts_damaged_pct: float
    seed_defects_restored_pct: float
    hyphen_breaks: int
    hyphens_restored_pct: float
    abstracts_with_three_breaks_restored_pct: float
    compounds: int
    compounds_joined_pct: float
    page_hyphen_breaks: int
    page_hyphens_restored_alone_pct: float
    page_hyphens_restored_pct: float
    page_compounds: int
    page_compounds_joined_alone_pct: float
    page_compounds_joined_pct: float
    venues: int
    venues_resolved_pct: float
    venues_wrong: int
    fresh_venues: int
    fresh_venues_resolved_pct: float
    fresh_venues_wrong: int
    review_venues: int
    review_venues_resolved_pct: float
    review_venues_wrong: int
    names: int
    names_round_trip_pct: float
    natural_names: int
    natural_names_round_trip_pct: float
    fold_variant_pairs: int
    fold_variants_shared_pct: float
    fold_wrong_merges: int


def abstracts(name: str = "abstracts.jsonl") -> list[str]:
    """The corpus abstracts, as their sources wrote them (LaTeX and all); ``name``:
    ``abstracts_fresh.jsonl`` for those no rule was written from, line wraps and all."""
    lines = (CORPUS / name).read_text("utf-8").splitlines()
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

# Formulas as the source writes them: "$...$", "$$...$$", "\\(...\\)", "\\[...\\]".
MATH_RE = re.compile(r"\$\$[^$]*\$\$|\$[^$]*\$|\\\[.*?\\\]|\\\(.*?\\\)")
DISPLAY_EDGE_RE = re.compile(rf"\\(?:begin|end)\{{(?:{DISPLAY_ENVIRONMENTS})\*?\}}")
# Arguments that are no words of the text: citation keys, labels, link targets, colours.
DROPPED_ARG_RE = re.compile(
    r"\\(?:cite\w*|ref|eqref|autoref|cref|Cref|label|href|url|textcolor|color|colorbox)\*?"
    r"(?:\[[^\]]*\])*\{[^{}]*\}"
)
MACRO_RE = re.compile(r"\\[a-zA-Z]+|\\[`'^\"~=.]")
WORD_RE = re.compile(r"[^\W\d_]{3,}")
NUMBER_RE = re.compile(r"\d+")
# The text of a command inside a formula ("$\\textbf{G}$aussian"): prose, checked as prose.
TEXT_IN_MATH_RE = re.compile(
    r"\\(?:text\w*|mathrm|mathbf|mathit|mathsf|operatorname|mbox)\{([^{}$]*)\}"
)
GLUE = "\x01"
# A script's digits are a number of their own ("512³" holds 512 and 3, "¹⁸F" 18).
SCRIPT_NUMBER_RE = re.compile("[⁰¹²³⁴⁵⁶⁷⁸⁹]+|[₀₁₂₃₄₅₆₇₈₉]+")
SCRIPT_MARKS = "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱ₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎′°"
# A script ends at a space, a mark, a closing bracket, a norm's bar or an apostrophe ("x_i's",
# "‖x_j‖"): only more than one character before any of those reads as grouped.
LOST_GROUP_RE = re.compile(rf"[\^_](?![(\[{{])[^\s,;:.)\]}}'’”|‖⟩{SCRIPT_MARKS}]{{2,}}")
# Sizing and font switches: rendered as nothing but what they wrap.
LAYOUT_MACROS = frozenset(
    (
        *("left", "right", "middle", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl"),
        *("Bigr", "biggl", "biggr", "displaystyle", "textstyle", "bm", "boldsymbol", "em"),
        *("bf", "it", "sl", "sc", "tt", "rm", "sf", "limits", "nolimits"),
    )
)
# Macros pylatexenc does not know that the cleaner renders by a documented rule (README,
# "Abstracts"): text commands are their argument, the rest are symbols. Whatever their
# rendering loses shows as lost words or numbers.
RENDERED_MACROS = frozenset(
    (
        *("texttt", "textsf", "textup", "textrm", "textnormal", "textmd", "mbox", "hbox"),
        *("text", "textsc", "underline", "uline", "mathrm", "mathsf", "mathtt", "nolinkurl"),
        *("operatorname", "mathnormal", "mathbbm", "S", "P", "textless", "textgreater"),
        *("textbar", "ne", "lt", "gt", "iff", "implies", "impliedby", "lesssim", "gtrsim"),
        *("coloneqq", "eqqcolon", "triangleq", "colon", "vert", "Vert", "dfrac", "tfrac"),
        *("Pr", "dim", "ker", "deg", "det", "hom", "lg", "arg", "gcd", "bigm", "Bigm"),
        *("Biggl", "Biggr", "scriptstyle", "quad", "qquad", "widehat", "widetilde"),
        *("textcolor", "color", "textsuperscript", "textsubscript", "keywords", "Keywords"),
        *("and", "hyperlink"),
        *("tiny", "scriptsize", "footnotesize", "small", "normalsize", "large", "Large"),
        *("LARGE", "huge", "Huge", "bigskip", "medskip", "smallskip", "noindent", "newline"),
        *("linebreak", "par", "newpage", "clearpage", "centering", "hfill", "vfill", "vskip"),
        *("hskip", "LaTeX", "TeX", *ABBREVIATIONS),
    )
)
STRAY_BRACE_RE = re.compile(r"\{\s|\s\}")
SHORT_FRACTION_RE = re.compile(r"\\[dt]?frac\s*(\d)\s*(\d)")
HYPHENATED_RE = re.compile(r"(?<![\w\-\\])[^\W\d_]+(?:-\s?[^\W\d_]+)+")
FONT_RE = re.compile(r"\\(mathbb|mathcal|mathfrak|mathscr)\s*\{(\w)\}")
PLAIN_FONT_RE = re.compile(r"\\(?:mathbf|boldsymbol|bm|mathrm|mathit|mathsf|mathtt)(?![a-zA-Z])\s*")
ONE_TOKEN_GROUP_RE = re.compile(r"([\^_])\{(\S)\}")


def _fold(text: str) -> str:
    return canonical(text)


def _prose_words(raw: str) -> tuple[set[str], set[str]]:
    """Words of the prose of ``raw`` (outside formulas, citations and link targets): those
    standing alone, and fragments glued to a macro or a formula ("$\\textbf{G}$aussian",
    "B\\'ezier"), which only need to be found inside a word of the clean text."""
    text_in_math = " ".join(
        GLUE + t + GLUE for f in MATH_RE.findall(raw) for t in TEXT_IN_MATH_RE.findall(f)
    )
    prose = MATH_RE.sub(GLUE, DROPPED_ARG_RE.sub(" ", raw)) + " " + text_in_math
    prose = _fold(MACRO_RE.sub(GLUE, prose).replace("{", GLUE).replace("}", GLUE))
    whole: set[str] = set()
    glued: set[str] = set()
    for match in WORD_RE.finditer(prose):
        edges = prose[match.start() - 1 : match.start()] + prose[match.end() : match.end() + 1]
        (glued if GLUE in edges else whole).add(match.group(0))
    return whole, glued


def _joined_words(raw: str, folded: str) -> set[str]:
    """Parts of the source's hyphenated words that the clean text writes joined: a line-break
    hyphen mended ("ob- served" as "observed"), or a compound joined ("time-scales" as
    "timescales", counted by the compounds' figure, not as lost words)."""
    parts: set[str] = set()
    for word in HYPHENATED_RE.findall(MATH_RE.sub(" ", raw)):
        halves = [h for h in re.split(r"-\s?", word) if h]
        if _fold("".join(halves)) in folded:
            parts.update(_fold(h) for h in halves)
    return parts


def _quote_marks(text: str) -> int:
    """How many double quote marks ``text`` holds (TeX's ``x'' counting two)."""
    return text.count("``") + text.count("''") + sum(text.count(q) for q in '"“”')


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


@cache
def _symbol(name: str) -> str:
    """What pylatexenc renders a symbol macro as ("star" -> "⋆"), or the macro itself (one
    that takes arguments, or that it does not render)."""
    from pylatexenc.latex2text import LatexNodes2Text
    from pylatexenc.latex2text import get_default_latex_context_db as text_specs
    from pylatexenc.latexwalker import get_default_latex_context_db

    macro = name.partition("{")[0]
    spec = get_default_latex_context_db().get_macro_spec(macro)
    repl = getattr(text_specs().get_macro_spec(macro), "simplify_repl", None)
    takes_arguments = (spec is not None and getattr(spec.args_parser, "argspec", None)) or (
        isinstance(repl, str) and "%" in repl
    )
    if "{" not in name and takes_arguments:
        return f"\\{name}"
    try:
        text: str = LatexNodes2Text(math_mode="text").latex_to_text(f"$\\{name}$")
    except (IndexError, KeyError, ValueError, TypeError):
        return f"\\{name}"
    return text if 0 < len(text) <= 3 else f"\\{name}"


def _as_the_source_writes(raw: str) -> str:
    """``raw`` with escapes undone, fonts and symbol macros as the letters and symbols they
    set, and a one-token group as its token: where a script the clean text shows ungrouped is
    the source's own writing ("v_t(h)", "T^3_B", "\\lambda^\\star(u)", "\\Phi_{\\bm\\alpha}=")."""
    text = raw.replace("\\_", "_").replace("\\$", "$")
    text = FONT_RE.sub(lambda m: _symbol(f"{m.group(1)}{{{m.group(2)}}}"), text)
    text = PLAIN_FONT_RE.sub("", text)
    text = re.sub(r"\\([a-zA-Z]+)\s*", lambda m: _symbol(m.group(1)), text)
    return ONE_TOKEN_GROUP_RE.sub(r"\1\2", text)


# References and labels the cleaner drops by its documented rule (every \cite variant).
REFERENCE_MACRO_RE = re.compile(r"\\(?:cite[a-zA-Z]*|ref|eqref|autoref|cref|Cref|label|footnote)")


def _unknown_macros(raw: str) -> set[str]:
    from pylatexenc.latex2text import get_default_latex_context_db

    known = get_default_latex_context_db()
    names = set(re.findall(r"\\[a-zA-Z]+", raw))
    return {
        n
        for n in names
        if not REFERENCE_MACRO_RE.fullmatch(n)
        if known.get_macro_spec(n[1:]) is None
        and n[1:] not in LAYOUT_MACROS
        and n[1:] not in RENDERED_MACROS
    }


# Symbols pylatexenc does not know under these names, as written by the aliases the README
# documents; "^\\circ" may be set as a degree sign.
SYMBOL_ALIASES = {"ne": "≠", "lt": "<", "gt": ">", "iff": "⟺", "implies": "⟹", "lesssim": "≲"}
SYMBOL_ALIASES |= {"gtrsim": "≳", "coloneqq": "≔", "triangleq": "≜", "vert": "|", "Vert": "‖"}
SYMBOL_ALIASES |= {"impliedby": "⟸", "eqqcolon": "≕"}


def _lost_symbols(raw: str, clean: str) -> list[str]:
    """Symbol macros of ``raw`` ("\\ne", "\\alpha", "\\log") whose symbol is nowhere in
    ``clean``, nor the macro itself (kept as written)."""
    out = set()
    decomposed = unicodedata.normalize("NFD", clean)
    for name in set(re.findall(r"\\([a-zA-Z]+)", raw)):
        symbol = SYMBOL_ALIASES.get(name) or _symbol(name)
        if symbol.startswith("\\") or not symbol.strip():
            continue
        symbol = unicodedata.normalize("NFD", symbol)
        degree = name == "circ" and "°" in clean
        if symbol not in decomposed and f"\\{name}" not in clean and not degree:
            out.add(f"\\{name}")
    return sorted(out)


# Size: one comparison per kind of damage the corpus is checked for.
def damage(raw: str, clean: str) -> list[str]:
    """What cleaning visibly broke in ``raw``; each check reads the source and the clean text:

    - lost words: a word of the prose missing from the clean text (case and accents aside;
      a fragment glued to a macro or formula need only be inside a clean word; a compound
      written joined is the compounds' figure);
    - lost numbers and percent signs: a number of the source (prose or formula, citations
      aside) missing from the clean text (a script read as itself: "10⁻³" holds 10 and 3);
    - dropped macros: a macro neither pylatexenc nor a documented rule renders, not kept;
    - lost symbols: a symbol macro ("\\ne", "\\alpha") neither rendered nor kept;
    - lost grouping: a sub- or superscript of several characters shown ungrouped where the
      source did not write it so ("n^{k/4}" as "n^k/4");
    - formulas not as written: a formula in the clean text that the source does not hold;
    - rendering artefacts: pylatexenc's unfilled "%s";
    - stray braces, quotes out of pairs (where the source's are even), TeX quotes left
      (outside formulas kept as written).
    """
    found = []
    # A display environment the cleaner rendered is a display formula ("$$...$$").
    raw = DISPLAY_EDGE_RE.sub(lambda m: m.group(0) if m.group(0) in clean else "$$", raw)
    source = raw.replace("\\$", "$")
    # A formula kept as written is compared with its spaces folded, as all text is.
    spaced = " ".join(source.split())
    changed = [f for f in MATH_RE.findall(clean) if " ".join(f.split()) not in spaced]
    prose = MATH_RE.sub(" ", clean)
    folded = _fold(clean)
    clean_words = set(WORD_RE.findall(folded))
    whole, glued = _prose_words(raw)
    lost = sorted(
        (whole - clean_words - _joined_words(raw, folded)) | {w for w in glued if w not in folded}
    )
    if lost:
        found.append(f"lost words {lost[:5]}")
    # "\\frac14" is one over four, not fourteen.
    numbers = Counter(
        NUMBER_RE.findall(SHORT_FRACTION_RE.sub(r"\1 \2", DROPPED_ARG_RE.sub(" ", raw)))
    )
    scripts = SCRIPT_NUMBER_RE.sub(
        lambda m: f" {unicodedata.normalize('NFKC', m[0])} ", SHORT_FRACTION_RE.sub(r"\1 \2", clean)
    )
    numbers -= Counter(NUMBER_RE.findall(scripts))
    if numbers:
        found.append(f"lost numbers {sorted(numbers)[:5]}")
    if clean.count("%") < raw.count("%"):
        found.append("lost percent signs")
    dropped = {m for m in _unknown_macros(raw) if m not in clean}
    if dropped:
        found.append(f"dropped macros {sorted(dropped)}")
    symbols = _lost_symbols(raw, clean)
    if symbols:
        found.append(f"lost symbols {symbols[:5]}")
    written = _as_the_source_writes(raw)
    ungrouped = [g for g in LOST_GROUP_RE.findall(prose) if g[:3] not in written]
    if ungrouped:
        found.append(f"lost grouping {ungrouped[:3]}")
    if changed:
        found.append(f"formulas not as written {changed[:2]}")
    if clean.count("%s") > raw.count("%s"):
        found.append("rendering artefacts (%s)")
    # A brace with a space inside it that the source writes so ("\\{1, ..., n \\}") is its own.
    source_braces = raw.replace("\\{", "{").replace("\\}", "}")
    if len(STRAY_BRACE_RE.findall(prose)) > len(STRAY_BRACE_RE.findall(source_braces)):
        found.append("stray brace")
    # Quotes the source leaves open ("an \"unclosed one") are the source's.
    if not _quotes_paired(prose) and _quote_marks(MATH_RE.sub(" ", raw)) % 2 == 0:
        found.append("quotes out of pairs")
    if "``" in prose or "''" in prose:
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


def pages() -> list[list[tuple[str, str]]]:
    """The corpus' author pages: each a real author's papers, as (title, abstract)."""
    lines = (CORPUS / "pages.jsonl").read_text("utf-8").splitlines()
    return [
        [(p["title"], p["abstract"]) for p in json.loads(line)["papers"]]
        for line in lines
        if line.strip()
    ]


def _joined_compounds(raw: str, clean: str) -> tuple[int, int]:
    """The real compounds of ``raw`` and how many of them ``clean`` writes joined."""
    found = COMPOUND_RE.findall(MATH_RE.sub(" ", raw))
    joined = sum(
        c not in clean and re.search(rf"\b{re.escape(c.replace('-', ''))}\b", clean) is not None
        for c in found
    )
    return len(found), joined


def _page_hyphens(rng: random.Random, hyphenator: Callable[[str], list[int]]) -> dict[str, Any]:
    """Line-break hyphens of an author's abstract mended with the rest of the author's page as
    evidence (``clean_page`` passes it), and alone; and the page's real compounds joined."""
    breaks = alone = with_page = compounds = joined = joined_alone = 0
    for page in pages():
        titles = [title for title, _ in page]
        raws = [abstract for _, abstract in page]
        for i, raw in enumerate(raws):
            whole = page_words([*titles, *raws])
            reference = clean_abstract(raw, whole)[0]
            found, wrong = _joined_compounds(raw, reference or "")
            compounds, joined = compounds + found, joined + wrong
            joined_alone += _joined_compounds(raw, clean_abstract(raw)[0] or "")[1]
            for _ in range(4):
                broken, words = break_words(raw, rng, 1, hyphenator)
                if words:
                    texts = [*titles, *raws[:i], broken, *raws[i + 1 :]]
                    breaks += 1
                    alone += clean_abstract(broken)[0] == clean_abstract(raw)[0]
                    with_page += clean_abstract(broken, page_words(texts))[0] == reference
    return {
        "page_hyphen_breaks": breaks,
        "page_hyphens_restored_alone_pct": _pct(alone, breaks),
        "page_hyphens_restored_pct": _pct(with_page, breaks),
        "page_compounds": compounds,
        "page_compounds_joined_alone_pct": _pct(joined_alone, compounds),
        "page_compounds_joined_pct": _pct(joined, compounds),
    }


# Size: one figure per rule family, read top to bottom like the report it prints.
def measure(limit: int | None = None) -> Figures:
    """Every figure, on the corpus (``limit``: the first so many abstracts, for speed)."""
    rng = random.Random(SEED)
    texts = abstracts()[:limit]
    damaged = sum(1 for raw in texts if damage(raw, _clean(raw)))
    fresh_texts = abstracts("abstracts_fresh.jsonl")
    fresh_damaged = sum(1 for raw in fresh_texts if damage(raw, _clean(raw)))

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

    page_figures = _page_hyphens(rng, hyphenator)

    labelled, resolved, wrong = _venue_figures(venue_rows())
    fresh, fresh_resolved, fresh_wrong = _venue_figures(fresh_venue_rows())
    review, review_resolved, review_wrong = _venue_figures(review_venue_rows())

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
        fresh_abstracts=len(fresh_texts),
        fresh_abstracts_damaged_pct=_pct(fresh_damaged, len(fresh_texts)),
        seed_defects_restored_pct=_pct(restored, len(texts)),
        hyphen_breaks=singles,
        hyphens_restored_pct=_pct(single_ok, singles),
        abstracts_with_three_breaks_restored_pct=_pct(triple_ok, triples),
        compounds=compounds,
        compounds_joined_pct=_pct(joined, compounds),
        **page_figures,
        venues=labelled,
        venues_resolved_pct=_pct(resolved, labelled),
        venues_wrong=wrong,
        fresh_venues=fresh,
        fresh_venues_resolved_pct=_pct(fresh_resolved, fresh),
        fresh_venues_wrong=fresh_wrong,
        review_venues=review,
        review_venues_resolved_pct=_pct(review_resolved, review),
        review_venues_wrong=review_wrong,
        names=len(people),
        names_round_trip_pct=_pct(round_trip, len(cased)),
        natural_names=len(names(NATURAL_NAMES)),
        natural_names_round_trip_pct=_pct(natural_trip, len(natural)),
        fold_variant_pairs=len(variants),
        fold_variants_shared_pct=_pct(shared, len(variants)),
        fold_wrong_merges=wrong_merges,
    )


def venue_rows() -> list[tuple[str, str, str]]:
    """``venues.tsv``: written, kind, expected. The kind is a journal's for a row naming a
    registry journal (its sources list journals as journals: CSrankings' journal areas, the
    CCF list's journal records), else a conference's."""
    journals = default_registry().journal_acronyms()
    return [
        (written, "journal" if want in journals else "conference", want)
        for written, want, _source in _data_lines("venues.tsv")
    ]


def review_venue_rows() -> list[tuple[str, str, str]]:
    """``venues_review.tsv``: written, kind, expected; a review's sample (in sample: rules were
    written from its misses)."""
    return [(w, kind, want) for w, kind, want, _source in _data_lines("venues_review.tsv")]


def fresh_venue_rows() -> list[tuple[str, str, str]]:
    """``venues_fresh.tsv``: written, kind, expected; strings no rule was written from."""
    return [(w, kind, want) for w, kind, want, _source in _data_lines("venues_fresh.tsv")]


def _venue_figures(rows: list[tuple[str, str, str]]) -> tuple[int, int, int]:
    """How many rows name a registry venue, how many of those resolve to it, and how many
    rows resolve to a venue they do not name."""
    registry = default_registry()
    resolved = wrong = 0
    for written, kind, want in rows:
        got = registry.resolve(written, kind)
        if got.known and got.acronym == want:
            resolved += 1
        elif got.known:
            wrong += 1
    return sum(1 for _, _, want in rows if want), resolved, wrong


def misses(limit: int | None = None) -> Iterator[str]:
    """Examples of what the figures count as failures, for reading."""
    for raw in [*abstracts(), *abstracts("abstracts_fresh.jsonl")][:limit]:
        found = damage(raw, _clean(raw))
        if found:
            yield f"damaged: {found} :: {_clean(raw)[:160]}"
    registry = default_registry()
    for written, kind, want in [*venue_rows(), *fresh_venue_rows(), *review_venue_rows()]:
        got = registry.resolve(written, kind)
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
    from bench import main_quietly

    main_quietly(main)
