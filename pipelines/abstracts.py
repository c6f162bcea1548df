"""Abstract rules: strip site junk, decode entities and LaTeX, mend quotes, numbers, words.

Each rule is a pure ``str -> str`` function listed in ``RULES`` in the order they run;
``clean_abstract`` applies them all and reports which ones changed the text. Cleaning is
idempotent: ``clean(clean(x)) == clean(x)``.
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from functools import cache, lru_cache
from importlib import resources
from typing import TYPE_CHECKING

from pylatexenc.latex2text import LatexNodes2Text, get_default_latex_context_db
from wordfreq import zipf_frequency

from pipelines.text import normalize_space

if TYPE_CHECKING:
    from collections.abc import Callable

# Site chrome appended to abstracts: "[abs] [ pdf ][ bib ]", "&copy JMLR 2024.", "( edit, beta )".
_BADGE = (
    r"\[\s*(?:abs|abstract|pdf|bib|bibtex|html|code|supp|supplementary|slides|video|poster"
    r"|doi|arxiv|url|project page|openreview|reviews)\s*\]"
)
# Badges in a row anywhere, or one badge ending the text; a lone "[PDF]" in prose stays.
LINK_BADGES_RE = re.compile(rf"(?:\s*{_BADGE}){{2,}}|\s*{_BADGE}\s*$", re.I)
EDIT_BADGE_RE = re.compile(r"\s*\(\s*edit\s*,\s*beta\s*\)|\s*\(\s*edit\s*\)\s*$", re.I)
# "© JMLR 2023." ending the text, whatever precedes it: an abstract without a full stop
# ("... without reward shaping © JMLR 2023.") has its notice glued to the last word.
COPYRIGHT_NOTICE_RE = re.compile(r"\s*©\s*(?=[^©]{0,60}\b(?:19|20)\d\d\b)[^©]{0,80}$")
# A copyright or publisher notice as the last sentences of the text, never mid-sentence:
# "© JMLR 2024.", "© 2020 The Authors. Published by Elsevier B.V.", "Copyright 2020 by the
# author(s).", "This article is protected by copyright. All rights reserved."
COPYRIGHT_TAIL_RE = re.compile(
    r"(?:(?<=[.!?”\"])\s+|^)(?:©|\(c\)\s*(?=\d{4})|Copyright\s*(?:©|\(c\))?\s*(?=\d{4}|by\b|held\b"
    r"|the\b|\(c\))|This article is protected by copyright|Published by\s+[A-Z])[^©]{0,220}$"
)
# "&copy", "&amp" without their semicolons; others (html.unescape's legacy "&not") stay.
BARE_ENTITY_RE = re.compile(
    r"&(copy|amp|lt|gt|quot|nbsp|reg|ndash|mdash|hellip)(?![;a-zA-Z])", re.I
)
ENTITY_RE = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});")

_BRACED = r"\{(?:[^{}\n]|\{[^{}\n]*\}){0,300}\}"
LATEX_COMMAND_RE = re.compile(rf"\\(?:[a-zA-Z]+\*?)(?:\s*\[[^\]\n]{{0,80}}\])?(?:\s*{_BRACED})*")
LATEX_ACCENT_RE = re.compile(r"\\[`'^\"~=.]\{?[A-Za-z]\}?|\\[uvHcdbtk]\{[A-Za-z]\}")
# Commands whose argument is dropped (references) or is the text itself (links, fonts).
LATEX_DROP_RE = re.compile(
    r"~?\\(?:cite[a-zA-Z]*|ref|eqref|autoref|cref|Cref|label|footnote)\*?(?:\[[^\]]*\])*" + _BRACED
)
LATEX_KEEP_RE = re.compile(
    r"\\(?:href" + _BRACED + r"|url|nolinkurl|texttt|textsf|textup|textrm|textnormal|textmd"
    r"|mbox|hbox|text|textsc|underline|uline|mathrm|mathsf|mathtt|operatorname)\s*\{([^{}]*)\}"
)
LATEX_ESCAPES = (("\\%", "%"), ("\\&", "&"), ("\\$", "$"), ("\\_", "_"), ("\\#", "#"), ("\\ ", " "))
LATEX_NAMED = {"\\LaTeX": "LaTeX", "\\TeX": "TeX"}
TIE_RE = re.compile(r"(?<=[\w.])~(?=\w)")
DASHES = (
    (re.compile(r"\s---\s|(?<=\w)---(?=\w)"), " — "),
    (re.compile(r"\s--\s"), " – "),
    (re.compile(r"(?<=\d)--(?=\d)"), "–"),
)
_LATEX = LatexNodes2Text(math_mode="text", strict_latex_spaces=False)
# Old-style font switches inside a group: "{\\em Causal Anonymous Walks}" is its text.
FONT_GROUP_RE = re.compile(
    r"\{\\(?:em|bf|it|sl|sc|tt|rm|sf|bfseries|itshape|scshape|ttfamily|rmfamily|sffamily"
    r"|mdseries|upshape|normalfont|small|footnotesize|large|Large|normalsize)(?![a-zA-Z])\s*"
    r"([^{}]*)\}"
)
MATH_RE = re.compile(r"\$([^$\n]{1,300})\$")
MACRO_NAME_RE = re.compile(r"\\([a-zA-Z]+)")
# Math macros pylatexenc does not know under these names, as the names it knows; sizing
# commands ("\\left(", "\\big|") are nothing but their delimiter.
MATH_ALIASES = {
    "ne": "\\neq",
    "lt": "<",
    "gt": ">",
    "iff": "\\Longleftrightarrow",
    "implies": "\\Longrightarrow",
    "impliedby": "\\Longleftarrow",
    "lesssim": "≲",
    "gtrsim": "≳",
    "coloneqq": "≔",
    "eqqcolon": "≕",
    "triangleq": "≜",
    "mathbbm": "\\mathbb",
    "bm": "\\mathbf",
    "boldsymbol": "\\mathbf",
    "textnormal": "\\mathrm",
    "dfrac": "\\frac",
    "tfrac": "\\frac",
    **dict.fromkeys(
        ("left", "right", "middle", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl"),
        "",
    ),
    **dict.fromkeys(("Bigr", "biggl", "biggr", "displaystyle", "textstyle", "scriptstyle"), ""),
    **dict.fromkeys(("limits", "nolimits", "quad", "qquad", ",", "!", ";"), " "),
}
MATH_ALIAS_RE = re.compile(
    r"\\(" + "|".join(sorted(MATH_ALIASES, key=len, reverse=True)) + r")(?![a-zA-Z])"
)
# Constructs whose plain-text rendering loses grouping ("\\frac{a+b}{c}" as "a+b/c"): a
# formula holding one keeps its source, dollars and all, unless every argument is one token.
UNFAITHFUL_RE = re.compile(
    r"\\(?:frac|cfrac|binom|dbinom|tbinom|sqrt|over|atop|choose|begin|widehat|widetilde"
    r"|overbrace|underbrace|stackrel|overset|underset|substack|xrightarrow|xleftarrow)(?![a-zA-Z])"
)
SIMPLE_FRACTION_RE = re.compile(r"\\(?:frac|sqrt)(?:\{\s*\\?\w+\s*\}|\s*\w){1,2}")
SCRIPT_RE = re.compile(r"([\^_])\{")
KEPT_RE = re.compile("\x02(\\d+)\x03")
LAST_SCRIPT_RE = re.compile(r"([\^_])(\w)$")
GLUE_SAFE = frozenset(" \t\n.,;:!?)]}'\"”’")
SUPERSCRIPTS = str.maketrans("0123456789+-=()ni", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱ")
SUBSCRIPTS = str.maketrans("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎")

OPEN_DOUBLE, CLOSE_DOUBLE, OPEN_SINGLE, CLOSE_SINGLE = "“", "”", "‘", "’"
STRAY_END_QUOTE_RE = re.compile(r'\s*["“”]\s*$')
OPENING_TEX_RE = re.compile(r"(^|[\s(\[/])''(?=\w)")
# `x' (LaTeX) and `x` (Markdown) are single-quoted; an apostrophe inside stays one.
BACKTICK_QUOTED_RE = re.compile(r"`([^`\n]{1,80}?)['`](?![^\W\d_])")
# A straight double quote opens before a word and closes after one.
OPENING_STRAIGHT_RE = re.compile(r'(^|[\s(\[])"(?=\w)')
CLOSING_STRAIGHT_RE = re.compile(r'(?<=[\w.,!?%)])"')

BROKEN_DECIMAL_RE = re.compile(r"(?<![\d.])(\d{1,4})\. (\d+)")
# The punctuation comes first in each pattern so the engine can skip ahead to it.
FOOTNOTE_RE = re.compile(r"([,;])(?<=[^\W\d_]{3}[,;])\d{1,2}(?=\s+[a-z])")
SUPERSCRIPT_DIGITS = "¹²³⁴⁵⁶⁷⁸⁹⁰"
SUPERSCRIPT_MARK_RE = re.compile(rf"([,.;:])[{SUPERSCRIPT_DIGITS}]+")
SPACE_BEFORE_PUNCT_RE = re.compile(r"(?<=[\w.)\]%”’])\s+([,;!?]|\.(?!\.))(?=\s|$)")
# A colon after a word, not in a ratio ("3 : 2").
SPACE_BEFORE_COLON_RE = re.compile(r"(?<=[^\W\d_])\s+:(?=\s)")
# "(?<!\w)" is "\b" before a letter, and lets the engine fail fast inside words.
HYPHEN_BREAK_RE = re.compile(r"(?<!\w)([^\W\d_]{2,})-(\s?)([a-z]{2,})\b")
# Cheap tests that a rule may apply: a literal first lets the engine skip ahead to it.
MAY_BREAK_DECIMAL_RE = re.compile(r"\. (?<=\d\. )\d")
MAY_BREAK_WORD_RE = re.compile(r"-(?<=[^\W\d_]{2}-)\s?[a-z]{2}")
MAY_SPACE_PUNCT_RE = re.compile(r"\s[,;!?.:]")
JOINED_MIN_ZIPF = 2.0
# A joined word this common is a word, whatever its halves: "frame-work", "net-works".
COMMON_ZIPF = 3.0
WHOLE_WORD_RE = re.compile(r"(?<![\w\-])[^\W\d_]{4,}(?![\w\-])")
MAX_PASSES = 4


COPYRIGHT_MARKS = ("©", "(c)", "Copyright", "This article is protected", "Published by")


def strip_site_junk(text: str) -> str:
    """Remove link badges, "( edit, beta )" and copyright notices the site adds, wherever
    they sit (a notice ending the text need not follow a full stop)."""
    # Each pattern runs only where its mark is present: scanning is most of the cost.
    if "[" in text:
        text = LINK_BADGES_RE.sub("", text)
    if "edit" in text:
        text = EDIT_BADGE_RE.sub("", text)
    if any(mark in text for mark in COPYRIGHT_MARKS):
        text = COPYRIGHT_TAIL_RE.sub("", text)
        text = COPYRIGHT_NOTICE_RE.sub("", text)
    return text


def decode_entities(text: str) -> str:
    """Decode HTML entities, including "&copy" and "&amp" written without a semicolon."""
    if "&" not in text:
        return text
    text = BARE_ENTITY_RE.sub(lambda m: f"&{m.group(1)};", text)
    return ENTITY_RE.sub(lambda m: html.unescape(m.group(0)), text)


def _braced_text(segment: str) -> str:
    return " ".join(re.findall(r"\{([^{}]*)\}", segment))


@cache
def _known_macros() -> frozenset[str]:
    """Names of the macros pylatexenc renders (loaded once, on first use)."""
    db = get_default_latex_context_db()
    names = {m.macroname for cat in db.categories() for m in db.iter_macro_specs([cat])}
    return frozenset(names)


def _unknown_macros(segment: str) -> bool:
    known = _known_macros()
    return any(name not in known for name in MACRO_NAME_RE.findall(segment))


def _latex_segment(match: re.Match[str]) -> str:
    return _latex_segment_text(match.group(0))


def _convert(segment: str) -> str:
    try:
        converted: str = _LATEX.latex_to_text(segment)
    except (IndexError, KeyError, ValueError, TypeError):
        return segment
    return converted.replace("\u00a0", " ")


@lru_cache(maxsize=1024)
def _latex_segment_text(segment: str) -> str:
    """A text-mode LaTeX command as text; an unknown macro stays as written (a word is
    never lost: "232 \\invfb of \\babar data")."""
    if _unknown_macros(segment):
        return segment
    converted = _convert(segment)
    if not converted.strip() and "{" in segment:
        converted = _braced_text(segment)
    return converted


def _closing_brace(text: str, start: int) -> int:
    """Index of the brace closing the one opened at ``start``, or -1."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return i
    return -1


def _script(mark: str, body: str) -> str:
    """A rendered sub- or superscript that keeps its grouping: one character as is, else
    exact Unicode where every character has one ("10⁻³"), else in parentheses
    ("n^(k/4)")."""
    if len(body) == 1:
        return f"{mark}{body}"
    table = SUPERSCRIPTS if mark == "^" else SUBSCRIPTS
    mapped = body.translate(table)
    if all(c != o or not c.strip() for c, o in zip(mapped, body, strict=True)) and " " not in body:
        return mapped
    return f"{mark}({body})"


def _math_body(body: str) -> str | None:
    """Math as text, or None when it cannot be rendered faithfully."""
    body = MATH_ALIAS_RE.sub(lambda m: MATH_ALIASES[m.group(1)], body)
    unfaithful = UNFAITHFUL_RE.findall(body)
    if len(unfaithful) > len(SIMPLE_FRACTION_RE.findall(body)) or _unknown_macros(body):
        return None
    out = []
    last = 0
    for match in SCRIPT_RE.finditer(body):
        if match.start() < last:
            continue
        close = _closing_brace(body, match.end() - 1)
        if close < 0:
            return None
        inner = _math_body(body[match.end() : close])
        if inner is None:
            return None
        out += [body[last : match.start()], _script(match.group(1), inner.strip())]
        last = close + 1
    out.append(body[last:])
    joined = "".join(out)
    return _convert(f"${joined}$") if "\\" in joined or "{" in joined else joined


@lru_cache(maxsize=1024)
def _math_text(formula: str) -> str:
    """An inline formula ``$...$`` as text, keeping its source where rendering would not
    be faithful (an unknown macro, a fraction of sums, an environment)."""
    rendered = _math_body(formula[1:-1])
    return formula if rendered is None else rendered


def latex_to_text(text: str) -> str:
    """Turn LaTeX into text: commands, accents, inline math, escapes, dashes and ties.

    Only LaTeX-looking segments are converted, so a "%" or "~5%" in prose is left alone.
    Citations and references are dropped; links keep their text; an unknown macro, and a
    formula that cannot be rendered faithfully, are kept as written.
    """
    if "\\" not in text and "$" not in text and "--" not in text:
        return text
    for escaped, plain in LATEX_ESCAPES:
        if escaped == "\\$":
            continue  # "\\$" stays until formulas are read: it is no formula's edge
        text = text.replace(escaped, plain)
    for named, plain in LATEX_NAMED.items():
        text = re.sub(re.escape(named) + r"(?:\{\})?(?![a-zA-Z])", plain, text)
    for pattern, dash in DASHES:
        text = pattern.sub(dash, text)
    if "\\" not in text and "$" not in text:
        return text
    text = TIE_RE.sub(" ", text)
    text = LATEX_DROP_RE.sub("", text)
    text = FONT_GROUP_RE.sub(r"\1", text)
    text = LATEX_KEEP_RE.sub(lambda m: m.group(1) or _braced_text(m.group(0)).split(" ")[-1], text)
    text = LATEX_ACCENT_RE.sub(_latex_segment, text)
    kept: list[str] = []
    if "$" in text:
        text = MATH_RE.sub(lambda m: _formula(m, kept), text.replace("\\$", "\x00"))
        text = text.replace("\x00", "$")
    text = LATEX_COMMAND_RE.sub(_latex_segment, text)
    return KEPT_RE.sub(lambda m: kept[int(m.group(1))], text) if kept else text


def _formula(match: re.Match[str], kept: list[str]) -> str:
    """A formula as text, or a mark standing for its source until the text is converted.

    A script ending a formula glued to the next word ("M$^3$CoT") is set in Unicode or
    parentheses, so it does not swallow the word ("M³CoT", not "M^3CoT").
    """
    formula = match.group(0)
    text = _math_text(formula)
    after = match.string[match.end() : match.end() + 1]
    glued = LAST_SCRIPT_RE.search(text) if after and after not in GLUE_SAFE else None
    if glued:
        script = glued.group(2).translate(SUPERSCRIPTS if glued.group(1) == "^" else SUBSCRIPTS)
        text = text[: glued.start()] + (
            script if script != glued.group(2) else f"{glued.group(1)}({glued.group(2)})"
        )
    if text != formula:
        return text
    kept.append(formula)
    return f"\x02{len(kept) - 1}\x03"


def fix_quotes(text: str) -> str:
    """LaTeX and straight quotes to typographic ones; a stray quote at the end goes.

    Two apostrophes before a word open a quote ("''receptive field''" is “receptive
    field”), as two backticks do; elsewhere they close one.
    """
    if "''" in text:
        text = OPENING_TEX_RE.sub(rf"\1{OPEN_DOUBLE}", text)
    text = text.replace("``", OPEN_DOUBLE).replace("''", CLOSE_DOUBLE)
    if "`" in text:
        text = BACKTICK_QUOTED_RE.sub(rf"{OPEN_SINGLE}\1{CLOSE_SINGLE}", text)
        text = text.replace("`", OPEN_SINGLE)
    if '"' in text:
        text = OPENING_STRAIGHT_RE.sub(rf"\1{OPEN_DOUBLE}", text)
        text = CLOSING_STRAIGHT_RE.sub(CLOSE_DOUBLE, text)
    if CLOSE_DOUBLE in text:
        text = _open_unopened_quotes(text)
    return STRAY_END_QUOTE_RE.sub("", text) if _ends_with_stray_quote(text) else text


def _ends_with_stray_quote(text: str) -> bool:
    """A double quote ending the text that closes nothing (single quotes end words: models’)."""
    stripped = text.rstrip()
    if not stripped or stripped[-1] not in '"“”':
        return False
    if stripped[-1] in '"“':
        return True
    return stripped.count(OPEN_DOUBLE) < stripped.count(CLOSE_DOUBLE)


def _open_unopened_quotes(text: str) -> str:
    """Give a closing ” that has no opening “ one before its word ("Canada''" -> “Canada”)."""
    out: list[str] = []
    depth = 0
    for i, ch in enumerate(text):
        if ch == OPEN_DOUBLE:
            depth += 1
        elif ch == CLOSE_DOUBLE:
            if depth == 0:
                start = len(out)
                while start > 0 and (out[start - 1].isalnum() or out[start - 1] in "-'’"):
                    start -= 1
                if start < len(out) and i > 0:
                    out.insert(start, OPEN_DOUBLE)
                    depth += 1
            depth = max(0, depth - 1)
        out.append(ch)
    return "".join(out)


def _mend_decimal(match: re.Match[str]) -> str:
    whole = match.group(1)
    # "in 2018. 5 models": a year ending a sentence, not a decimal.
    if len(whole) == 4 and 1800 <= int(whole) <= 2100:
        return match.group(0)
    return f"{whole}.{match.group(2)}"


def mend_decimals(text: str) -> str:
    """Rejoin decimals broken by a space: "2. 89%" -> "2.89%", "56. 3" -> "56.3"."""
    return BROKEN_DECIMAL_RE.sub(_mend_decimal, text) if MAY_BREAK_DECIMAL_RE.search(text) else text


def drop_footnote_markers(text: str) -> str:
    """Remove footnote numbers glued to punctuation ("checkpoints,1 which", "data.¹")."""
    text = FOOTNOTE_RE.sub(r"\1", text)
    if any(mark in text for mark in SUPERSCRIPT_DIGITS):  # rare: a scan per digit is cheaper
        text = SUPERSCRIPT_MARK_RE.sub(r"\1", text)
    return text


@lru_cache(maxsize=16384)
def _zipf(word: str) -> float:
    return zipf_frequency(word, "en")


@cache
def _hyphen_evidence() -> tuple[frozenset[str], frozenset[str]]:
    """Words of the domain, and compounds written with their hyphen (loaded on first use)."""
    data = resources.files("pipelines").joinpath("data/hyphenation.json").read_text("utf-8")
    evidence = json.loads(data)
    return frozenset(evidence["words"]), frozenset(evidence["compounds"])


# Words that follow a suspended hyphen: "zero- and few-shot", "pre- or post-training".
SUSPENDED_BEFORE = frozenset(("and", "or", "to", "nor", "vs", "versus", "as"))


def _join_hyphenated(match: re.Match[str], seen: frozenset[str]) -> str:
    left, space, right = match.group(1), match.group(2), match.group(3)
    kept = match.group(0) if not space else f"{left}-{right}"
    if space and right in SUSPENDED_BEFORE:
        return match.group(0)
    joined = f"{left}{right}".lower()
    words, compounds = _hyphen_evidence()
    if f"{left.lower()}-{right}" in compounds:
        return kept  # a compound real authors write with its hyphen ("multi-lingual")
    zipf = _zipf(joined)
    if (
        joined in seen
        or joined in words
        or zipf >= COMMON_ZIPF
        or (zipf >= JOINED_MIN_ZIPF and zipf > _zipf(f"{left.lower()} {right}"))
    ):
        return f"{left}{right}"
    return kept


def join_hyphenation(text: str) -> str:
    """Join words a line break hyphenated ("algo-rithmic", "opti- mization"), keeping real
    compounds.

    Decided by evidence: the joined word written whole elsewhere in the same text, or in
    the domain's vocabulary (``pipelines/data/hyphenation.json``, from real abstracts),
    or common in general English and more common than its two parts as a phrase; a
    compound that real abstracts write with its hyphen is kept ("hand-crafted",
    "multi-lingual", "co-training", "state-of-the-art").
    """
    if not MAY_BREAK_WORD_RE.search(text):
        return text
    seen = frozenset(w.lower() for w in WHOLE_WORD_RE.findall(text))
    return HYPHEN_BREAK_RE.sub(lambda m: _join_hyphenated(m, seen), text)


def tidy_punctuation(text: str) -> str:
    """No space before punctuation: "et al. , 2018" -> "et al., 2018"."""
    if not MAY_SPACE_PUNCT_RE.search(text):
        return text
    return SPACE_BEFORE_COLON_RE.sub(":", SPACE_BEFORE_PUNCT_RE.sub(r"\1", text))


RULES: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("entities", decode_entities),
    ("site junk", strip_site_junk),
    ("latex", latex_to_text),
    ("quotes", fix_quotes),
    ("decimals", mend_decimals),
    ("footnotes", drop_footnote_markers),
    ("hyphenation", join_hyphenation),
    ("punctuation", tidy_punctuation),
)


def clean_abstract(raw: str | None) -> tuple[str | None, Counter[str]]:
    """The clean abstract (paragraphs kept, one per line) and the rules that changed it."""
    text, rules = abstract_repairs(raw)
    return text, Counter(rules)


def abstract_repairs(raw: str | None) -> tuple[str | None, tuple[str, ...]]:
    """The clean abstract and the names of the rules that changed it, sorted."""
    return (None, ()) if raw is None else _clean_abstract(raw)


# A paper is shown on the cluster page of each of its authors and again on every re-crawl:
# the same raw abstract comes back often, and cleaning is a pure function of it.
@lru_cache(maxsize=2048)
def _clean_abstract(raw: str) -> tuple[str | None, tuple[str, ...]]:
    repairs: set[str] = set()
    paragraphs = []
    for paragraph in raw.splitlines():
        text = normalize_space(paragraph)
        # Rules feed each other ("''" becomes a stray quote once its partner is gone), so
        # they run until nothing changes: that is what makes cleaning idempotent.
        for _ in range(MAX_PASSES):
            before = text
            for name, rule in RULES:
                fixed = rule(text)
                if fixed != text:
                    fixed = normalize_space(fixed)
                if fixed != text:
                    repairs.add(name)
                    text = fixed
            if text == before:
                break
        if text:
            paragraphs.append(text)
    return "\n".join(paragraphs) or None, tuple(sorted(repairs))
