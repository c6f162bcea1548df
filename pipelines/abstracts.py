"""Abstract rules: strip site junk, decode entities and LaTeX, mend quotes, numbers, words.

Each rule is a pure ``str -> str`` function listed in ``RULES`` in the order they run;
``clean_abstract`` applies them all and reports which ones changed the text. Cleaning is
idempotent: ``clean(clean(x)) == clean(x)``.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from functools import cache
from typing import TYPE_CHECKING

from pylatexenc.latex2text import LatexNodes2Text
from wordfreq import zipf_frequency

from pipelines.text import normalize_space

if TYPE_CHECKING:
    from collections.abc import Callable

# Site chrome appended to abstracts: "[abs] [ pdf ][ bib ]", "&copy JMLR 2024.", "( edit, beta )".
LINK_BADGES_RE = re.compile(
    r"(?:\s*\[\s*(?:abs|pdf|bib|html|code|supp|slides|video|poster|doi|arxiv|url)\s*\])+", re.I
)
COPYRIGHT_TAIL_RE = re.compile(
    r"\s*(?:©|\(c\)|copyright\b)\s*(?:[A-Z][\w&.\- ]{0,40}?\s+)?(?:19|20)\d\d\b\.?"
    r"(?:\s*[A-Z][\w&\- ]{0,40}\.?)??(?:\s*all rights reserved\.?)?\s*$",
    re.I,
)
EDIT_BADGE_RE = re.compile(r"\s*\(\s*edit\s*(?:,\s*beta\s*)?\)", re.I)
# "&copy", "&amp" without their semicolons; html.unescape knows the legacy ones, these not.
BARE_ENTITY_RE = re.compile(r"&(copy|amp|lt|gt|quot|nbsp|reg|ndash|mdash|hellip)(?![;\w])", re.I)

LATEX_COMMAND_RE = re.compile(
    r"\\(?:[a-zA-Z]+\*?)(?:\s*\[[^\]\n]{0,80}\])?(?:\s*\{[^{}\n]{0,300}\})*"
    r"|\$[^$\n]{1,200}\$"
)
LATEX_ACCENT_RE = re.compile(r"\\[`'^\"~=.]\{?[A-Za-z]\}?|\\[uvHcdbtk]\{[A-Za-z]\}")
_LATEX = LatexNodes2Text(math_mode="text", strict_latex_spaces=True)

OPEN_DOUBLE, CLOSE_DOUBLE, OPEN_SINGLE, CLOSE_SINGLE = "“", "”", "‘", "’"

BROKEN_DECIMAL_RE = re.compile(r"(?<![\d.])(\d{1,3})\. (\d+)(?=[%\-\w,;:)\]]|\s|$)")
FOOTNOTE_RE = re.compile(r"(?<=[^\W\d_])([,.;:])\d{1,2}(?=\s)")
SPACE_BEFORE_PUNCT_RE = re.compile(r"(?<=[\w.)\]%”’])\s+([,;:!?]|\.(?!\.))(?=\s|$)")
HYPHEN_BREAK_RE = re.compile(r"\b([^\W\d_]{2,})-(\s?)([a-z]{2,})\b")
JOINED_MIN_ZIPF = 2.0
MAX_PASSES = 4
WEAK_PART_ZIPF = 3.0


def strip_site_junk(text: str) -> str:
    """Remove link badges, copyright tails and "( edit, beta )" the site appends."""
    text = LINK_BADGES_RE.sub("", text)
    text = EDIT_BADGE_RE.sub("", text)
    return COPYRIGHT_TAIL_RE.sub("", text)


def decode_entities(text: str) -> str:
    """Decode HTML entities, including legacy ones written without a semicolon."""
    text = BARE_ENTITY_RE.sub(lambda m: f"&{m.group(1)};", text)
    return html.unescape(text) if "&" in text else text


def _latex_segment(match: re.Match[str]) -> str:
    converted: str = _LATEX.latex_to_text(match.group(0))
    return converted.replace("\u00a0", " ")


def latex_to_text(text: str) -> str:
    """Turn LaTeX commands and inline math into text; the rest (a "%", say) is left alone."""
    if "\\" not in text and "$" not in text:
        return text
    text = LATEX_ACCENT_RE.sub(_latex_segment, text)
    return LATEX_COMMAND_RE.sub(_latex_segment, text)


def fix_quotes(text: str) -> str:
    """LaTeX and straight quotes to typographic ones; a stray quote at the end goes."""
    text = text.replace("``", OPEN_DOUBLE).replace("''", CLOSE_DOUBLE)
    text = re.sub(r"`([^`'\n]{1,80})'", rf"{OPEN_SINGLE}\1{CLOSE_SINGLE}", text)
    text = text.replace("`", OPEN_SINGLE)
    # A straight double quote opens before a word and closes after one.
    text = re.sub(r'(^|[\s(\[])"(?=\w)', rf"\1{OPEN_DOUBLE}", text)
    text = re.sub(r'(?<=[\w.,!?%)])"', CLOSE_DOUBLE, text)
    text = _open_unopened_quotes(text)
    return re.sub(r'\s*["“”‘’]\s*$', "", text) if _ends_with_stray_quote(text) else text


def _ends_with_stray_quote(text: str) -> bool:
    stripped = text.rstrip()
    if not stripped or stripped[-1] not in '"“”‘’':
        return False
    if stripped[-1] in '"“':
        return True
    opening = OPEN_DOUBLE if stripped[-1] == CLOSE_DOUBLE else OPEN_SINGLE
    return stripped.count(opening) < stripped.count(stripped[-1])


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


def mend_decimals(text: str) -> str:
    """Rejoin decimals broken by a space: "2. 89%" -> "2.89%", "56. 3" -> "56.3"."""
    return BROKEN_DECIMAL_RE.sub(r"\1.\2", text)


def drop_footnote_markers(text: str) -> str:
    """Remove footnote numbers glued to punctuation ("checkpoints,1 which")."""
    return FOOTNOTE_RE.sub(r"\1", text)


@cache
def _zipf(word: str) -> float:
    return zipf_frequency(word, "en")


def _join_hyphenated(match: re.Match[str]) -> str:
    left, space, right = match.group(1), match.group(2), match.group(3)
    joined = f"{left}{right}"
    weakest = min(_zipf(left.lower()), _zipf(right))
    if space:
        # "algo- rithmic": only when the right part is no word at all ("zero- and few-shot").
        weakest = _zipf(right) if _zipf(right) < 1.0 else WEAK_PART_ZIPF
    score = _zipf(joined.lower())
    if score >= JOINED_MIN_ZIPF and weakest < WEAK_PART_ZIPF and score > weakest:
        return joined
    return match.group(0)


def join_hyphenation(text: str) -> str:
    """Join words a line break hyphenated ("algo-rithmic"), keeping real compounds.

    Decided by word frequency: the joined word must be a common word and one part must
    not be ("hand-crafted", "co-training" and "state-of-the-art" stay as they are).
    """
    return HYPHEN_BREAK_RE.sub(_join_hyphenated, text) if "-" in text else text


def tidy_punctuation(text: str) -> str:
    """No space before punctuation: "et al. , 2018" -> "et al., 2018"."""
    return SPACE_BEFORE_PUNCT_RE.sub(r"\1", text)


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
    repairs: Counter[str] = Counter()
    if raw is None:
        return None, repairs
    paragraphs = []
    for paragraph in raw.splitlines():
        text = normalize_space(paragraph)
        # Rules feed each other ("''" becomes a stray quote once its partner is gone), so
        # they run until nothing changes: that is what makes cleaning idempotent.
        for _ in range(MAX_PASSES):
            before = text
            for name, rule in RULES:
                fixed = normalize_space(rule(text))
                if fixed != text:
                    repairs[name] += 1
                    text = fixed
            if text == before:
                break
        if text:
            paragraphs.append(text)
    return "\n".join(paragraphs) or None, +Counter(dict.fromkeys(repairs, 1))
