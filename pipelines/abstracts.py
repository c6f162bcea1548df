"""Abstract rules: strip site junk, decode entities and LaTeX, mend quotes, numbers, words.

Each rule is a pure ``str -> str`` function listed in ``RULES`` in the order they run;
``clean_abstract`` applies them all and reports which ones changed the text. Cleaning is
idempotent: ``clean(clean(x)) == clean(x)``.
"""

from __future__ import annotations

import html
import json
import logging
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import cache, lru_cache, partial
from importlib import resources
from typing import TYPE_CHECKING

from pylatexenc.latex2text import LatexNodes2Text, get_default_latex_context_db
from pylatexenc.latexwalker import get_default_latex_context_db as get_default_macro_db

from pipelines.text import normalize_space

# pylatexenc warns, on every abstract that meets one, of a macro its own table cannot
# substitute ("\\widehat" outside a formula); the segment is then kept as written
# (``_latex_segment_text``), so the warning is noise in a crawl's log.
logging.getLogger("pylatexenc.latex2text").setLevel(logging.ERROR)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

# Raw abstracts remembered per process, with what cleaning made of them (and, for
# line-break hyphens, their candidate words): 16,384 of each held 36 MiB more per replay
# worker once a long replay had filled them, memory that grew with the replay's length;
# on 6,000 generated pages 2,048 cost no measurable time (best of two, interleaved).
ABSTRACT_MEMO = 2048

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
    r"(?:(?<=[.!?”\"])\s+|^)(?:©|\(c\)\s*(?=\d{4})|Copyright\s*(?:©|\(c\))?\s*(?=\d{4}"
    r"|(?:held\s+)?by\s+(?:the\s+)?(?:authors?|owners?)\b|the\s+authors?\b|\(c\))"
    r"|This article is protected by copyright|Published by\s+[A-Z])[^©]{0,220}$"
)
# "&copy", "&amp" without their semicolons; others (html.unescape's legacy "&not") stay.
BARE_ENTITY_RE = re.compile(
    r"&(copy|amp|lt|gt|quot|nbsp|reg|ndash|mdash|hellip)(?![;a-zA-Z])", re.I
)
ENTITY_RE = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});")

_BRACED = r"\{(?:[^{}\n]|\{[^{}\n]*\}){0,300}\}"
LATEX_COMMAND_RE = re.compile(rf"\\(?:[a-zA-Z]+\*?)(?:\s*\[[^\]\n]{{0,80}}\])?(?:\s*{_BRACED})*")
LATEX_ACCENT_RE = re.compile(r"\\[`'^\"~=.]\{?[A-Za-z]\}?|\\[uvHcdbtk]\{[A-Za-z]\}")
# References and labels: the command's name is group 1, its argument group 2.
LATEX_DROP_RE = re.compile(
    r"~?\\(cite[a-zA-Z]*|ref|eqref|autoref|cref|Cref|label)\*?(?:\[[^\]]*\])*"
    r"\{((?:[^{}\n]|\{[^{}\n]*\}){0,300})\}"
)
# A reference stands for a noun after these words ("the model of \\cite{x} to", "proposed
# by Butman in \\cite{x}."): dropped, it would leave "model of to"; it is kept as its keys
# in brackets ("[x]"). Elsewhere it is an aside ("GPT-4~\\cite{x} and") and goes.
_NOUN_BEFORE = "of in by from to with than and or as see cf e.g i.e on at for via like following"
REFERENCE_NOUN_AFTER = frozenset(
    f"{_NOUN_BEFORE} including unlike versus vs between among into onto under over per also".split()
)
# Cross-references: after a part's name they are the part's number ("Table~\\ref{t}").
REFERENCES = frozenset(("ref", "eqref", "autoref", "cref", "Cref"))
# Citations that are always part of the sentence: "as shown by \\citet{x}".
TEXTUAL_CITATIONS = frozenset({"citet", "Citet", "citeauthor", "Citeauthor", "citealt"})
# A footnote is words of the abstract: kept, as an aside in parentheses.
FOOTNOTE_COMMAND_RE = re.compile(
    r"\s*\\footnote\*?(?:\[[^\]]*\])*\{((?:[^{}\n]|\{[^{}\n]*\}){0,300})\}"
)
# A colour is no text: "\\textcolor{red}{Warning}" and "{\\color{red} Warning}" are "Warning".
_COLOR = r"\\(?:textcolor|color)\s*\{[^{}\n]{0,40}\}"
_GROUP_TEXT = r"((?:[^{}\n]|\{[^{}\n]*\}){0,300})"
COLOR_RES = (
    re.compile(_COLOR + r"\s*\{" + _GROUP_TEXT + r"\}"),
    re.compile(r"\{\s*" + _COLOR + r"\s*" + _GROUP_TEXT + r"\}"),
    re.compile(_COLOR + "()"),
)
# A symbol in braces ("{\\tau} =0.3", "{\\S}") is the symbol.
BRACED_MACRO_RE = re.compile(r"\{(\\[a-zA-Z]+)\s*\}")
LATEX_KEEP_RE = re.compile(
    r"\\(?:(?:href|hyperlink)"
    + _BRACED
    + r"|url|nolinkurl|texttt|textsf|textup|textrm|textnormal|textmd"
    r"|mbox|hbox|text|textsc|underline|uline|mathrm|mathsf|mathtt|operatorname"
    r"|tiny|scriptsize|footnotesize|small|normalsize|large|Large|LARGE|huge|Huge)"
    r"\s*\{((?:[^{}]|\{[^{}]*\})*)\}"
)
# Text-mode scripts: "R\\textsuperscript{2}" is "R²", "4\\textsuperscript{th}" "4th".
TEXT_SCRIPT_RE = re.compile(r"\\text(super|sub)script\s*\{([^{}]*)\}")
# Abbreviations papers define as macros (CVPR's style and many after it): "\\eg," is
# "e.g.,", and a full stop after one is its own ("\\etc." is "etc.").
ABBREVIATIONS = {
    "eg": "e.g.",
    "Eg": "E.g.",
    "ie": "i.e.",
    "Ie": "I.e.",
    "etal": "et al.",
    "etc": "etc.",
    "wrt": "w.r.t.",
    "Wrt": "W.r.t.",
    "vs": "vs.",
    "cf": "cf.",
    "Cf": "Cf.",
    "aka": "a.k.a.",
    "iid": "i.i.d.",
    "dof": "d.o.f.",
    "resp": "resp.",
}
ABBREVIATION_RE = re.compile(r"\\(" + "|".join(ABBREVIATIONS) + r")(?![a-zA-Z])(?:\{\})?(\.?)")
# Markup tags in abstracts (JATS, HTML). Block tags are a space, inline ones nothing.
# A tag's attributes each have a value (class="x", xml:lang='en', id=a1): "<p \\leq 2$ the
# ... $p>" in a formula, or "0<p and p>1/2" in prose, is no tag.
_ATTRIBUTE = r"""\s+[\w:.-]+\s*=\s*(?:"[^"<>]{0,200}"|'[^'<>]{0,200}'|[^\s"'<>=]{1,80})"""
_TAG_END = rf"(?:{_ATTRIBUTE}){{0,10}}\s*/?>"
MARKUP_TITLE_RE = re.compile(r"<(?:jats:)?title" + _TAG_END + r"([^<>]{0,80})</(?:jats:)?title>\s*")
MARKUP_SCRIPT_RE = re.compile(r"<(?:jats:)?(sub|sup)>([^<>]{1,20})</(?:jats:)?\1>", re.I)
MARKUP_BLOCK_RE = re.compile(
    r"</?(?:jats:)?(?:p|br|div|sec|list|list-item|abstract|li|ul|ol)" + _TAG_END, re.I
)
# A section's title and the paragraph that opens it: one paragraph, "Methods: We ...".
TITLED_BLOCK_RE = re.compile(
    r"<(?:jats:)?title"
    + _TAG_END
    + r"([^<>]{0,80})</(?:jats:)?title>\s*(?:<(?:jats:)?p"
    + _TAG_END
    + ")?"
)
# A record laid out by its markup: a block closed ("</p>", "</jats:p>", "</li>").
MARKUP_CLOSED_BLOCK_RE = re.compile(
    r"</(?:jats:)?(?:p|div|sec|list|list-item|abstract|li|ul|ol)\s*>", re.I
)
MARKUP_ITEM_RE = re.compile(r"<(?:jats:)?(?:li|list-item)" + _TAG_END, re.I)
MARKUP_BREAK_RE = re.compile(r"<br\s*/?>", re.I)
# Layout a pretty-printer put before a script: "H\n  <jats:sub>2</jats:sub>" is H₂.
SPACE_BEFORE_SCRIPT_RE = re.compile(r"\s+(?=<(?:jats:)?su[bp]>)")
MARKUP_INLINE_RE = re.compile(
    r"</?(?:jats:[a-z][\w-]*|mml:[a-z][\w-]*|i|b|u|em|strong|span|sc|italic|bold|underline"
    r"|monospace|sub|sup|small|tt|code|a)" + _TAG_END,
    re.I,
)
# A link is its text, or its address where the text only stands for it ("this https URL",
# as arXiv's listings write a link, or the address itself).
MARKUP_LINK_RE = re.compile(
    r"<a\s[^<>]*?\bhref\s*=\s*[\"']([^\"'<>]+)[\"'][^<>]*>([^<>]*)</a>", re.I
)
PLACEHOLDER_LINK_RE = re.compile(
    r"\s*(?:this\s+)?(?:https?\s+)?(?:url|link|here)?\s*|https?://\S*", re.I
)
ABSTRACT_LABELS = frozenset({"abstract", "summary"})
# "Abstract:", "ABSTRACT." or "ABSTRACT We ..." opening the text is a label, not words, as
# is "Abstract" before a word that opens sentences, not names ("Abstract We show", as
# Crossref's records write it); "Abstract interpretation is ..." and "Abstract Meaning
# Representation ..." are words.
_OPENERS = (
    "We|This|These|In|The|Our|An?|Here|It|As|For|To|Although|Despite|With|Recent|Recently"
    "|Many|Most|Existing|Current|Background|Objectives?|Purpose|Aims?|Introduction"
    "|Motivation|Context"
)
ABSTRACT_LABEL_RE = re.compile(
    r"\s*(?:(?:Abstract|ABSTRACT|Summary|SUMMARY)\s*(?:[:.—–]|-\s)|(?:ABSTRACT|SUMMARY)\s+(?=[A-Z])"
    rf"|(?:Abstract|Summary)\s+(?=(?:{_OPENERS})\b))\s*"
)
# Layout: spacing and breaks are a space ("\\vspace{2mm}" is no "2mm" in the text).
_SPACING = r"(?:[vh]space|vskip|hskip)"  # these take a length: "\\vspace{2mm}"
_BREAKS = (
    r"(?:big|med|small)skip|noindent|newline|linebreak|par|newpage|clearpage|centering|hfill"
    r"|vfill"
)
LAYOUT_RE = re.compile(rf"\s*\\(?:{_SPACING}\*?\s*\{{[^{{}}]*\}}|{_BREAKS})(?![a-zA-Z])\s*")
# The same commands, literal-led: whether ``LAYOUT_RE`` (which starts with spaces) can match.
MAY_LAYOUT_RE = re.compile(rf"\\(?:{_SPACING}|{_BREAKS})(?![a-zA-Z])")
# "\\deg" after a number is the degree sign its authors defined ("6.03\\deg{}"); in a
# formula it stays the operator "deg".
DEGREE_RE = re.compile(r"(?<=\d)\s*\\deg(?![a-zA-Z])(?:\{\})?")
# LNCS keywords: "\\keywords{A \\and B}" is "Keywords: A, B".
KEYWORDS_RE = re.compile(r"\\[kK]eywords\s*\{((?:[^{}]|\{[^{}]*\})*)\}")
AND_RE = re.compile(r"\s*\\and(?![a-zA-Z])\s*")
# Spacing commands in prose ("10\\,000", "3\\;GB") are spaces.
LATEX_ESCAPES = (
    *(("\\%", "%"), ("\\&", "&"), ("\\_", "_"), ("\\#", "#"), ("\\ ", " ")),
    *(("\\,", " "), ("\\;", " "), ("\\:", " "), ("\\!", "")),
)
ESCAPED_PRICE_RE = re.compile(r"\\\$(?=\d)")
# "\\textbackslash" is a backslash in the text ("C:\\textbackslash{}Users" is "C:\\Users"):
# TeX takes the spaces after the command's name with it. The word after it is group 1.
TEXT_BACKSLASH_RE = re.compile(r"\\textbackslash(?![a-zA-Z])(?:\{\}|[ \t]*)([a-zA-Z]*)")
# Symbols of text mode pylatexenc does not know ("35 U.S.C \\S 112", "\\textless EOS\\textgreater").
TEXT_SYMBOLS = {"S": "§", "P": "¶", "textless": "<", "textgreater": ">", "textbar": "|"}
TEXT_SYMBOL_RE = re.compile(r"\\(S|P|textless|textgreater|textbar)(?![a-zA-Z])(?:\{\}| ?)")
# A group in prose that is part of a word ("Allo{SR}") or holds one symbol ("{§}").
# Or right after a formula ("$(1+\\epsilon)${are}", as PMLR writes it; "\x03" ends the
# formula's placeholder).
PROSE_GROUP_RE = re.compile(
    r"(?:(?<=[^\W_])|(?<=\x03))\{([^\W_]{1,40})\}|\{([^\W_]{1,40})\}(?=[^\W_])"
    r"|\{([^\w\s{}\\])\}"
)
KEPT_RE = re.compile("\x02(\\d+)\x03")
LATEX_NAMED = {"\\LaTeX": "LaTeX", "\\TeX": "TeX"}
# A tie after a word, an abbreviation's full stop, a group or a formula, before a word, a
# command or a formula ("Fig.~3", "Table~\\ref", "$\\ell_1$~norm"); never between digits ("a
# 2~3$\\times$ speedup") or after a single letter ("z~N(0, I)"): those are the reader's tilde.
TIE_RE = re.compile(
    r"(?:(?<=[^\W\d_]{2})|(?<=[.}\x03]))~(?=[^\W\d_]|[\\\x02]|\d(?![\d.]*~))|(?<=\.)~(?=\()"
)
DASHES = (
    (re.compile(r"\s---\s|(?<=\w)---(?=\w)"), " — "),
    (re.compile(r"\s--\s"), " – "),
    (re.compile(r"(?<=\d)--(?=\d)"), "–"),
    (re.compile(r"(?<=[^\W\d_])--(?=[^\W\d_])"), "–"),  # "vision--language"
)
_LATEX = LatexNodes2Text(math_mode="text", strict_latex_spaces=False)
# Old-style font switches inside a group: "{\\em Causal Anonymous Walks}" is its text.
FONT_GROUP_RE = re.compile(
    r"\{\\(?:em|bf|it|sl|sc|tt|rm|sf|bfseries|itshape|scshape|ttfamily|rmfamily|sffamily"
    r"|mdseries|upshape|normalfont|small|footnotesize|large|Large|normalsize)(?![a-zA-Z])\s*"
    r"([^{}]*)\}"
)
# Formulas: "$...$", "$$...$$", "\\(...\\)" and "\\[...\\]", found before any other LaTeX rule
# runs, so no rule for prose reaches inside one. "\\$" is a dollar, not a formula's edge.
_FORMULA_BODY = r"(?:[^$\\\n]|\\[^\n]){1,300}?"
# A display environment written in prose, without dollars ("we show \\begin{align*} x \\leq
# 1 \\end{align*} where"), is a display formula too: its body is group "body".
DISPLAY_ENVIRONMENTS = "equation|align|gather|multline|eqnarray|displaymath|math|flalign"
FORMULA_RE = re.compile(
    rf"\$\${_FORMULA_BODY}\$\$|\\\[[^\n]{{1,300}}?\\\]|\\\([^\n]{{1,300}}?\\\)"
    rf"|(?<!\\)\$(?!\$){_FORMULA_BODY}\$"
    rf"|\\begin\{{(?P<env>(?:{DISPLAY_ENVIRONMENTS})\*?)\}}(?P<body>[^\n]{{1,300}}?)\\end\{{(?P=env)\}}"
)
MACRO_NAME_RE = re.compile(r"\\([a-zA-Z]+)")
MATH_TOKEN_RE = re.compile(r"\\([a-zA-Z]+)|\\(.)|(\s+)|(.)", re.S)
# Symbols pylatexenc lacks, and LaTeX's own operator names (set upright, as words).
MATH_SYMBOLS = {
    "ne": "≠",
    "lt": "<",
    "gt": ">",
    "iff": "⟺",
    "implies": "⟹",
    "impliedby": "⟸",
    "lesssim": "≲",
    "gtrsim": "≳",
    "coloneqq": "≔",
    "eqqcolon": "≕",
    "triangleq": "≜",
    "colon": ":",
    "vert": "|",
    "Vert": "‖",
}
OPERATOR_NAMES = frozenset(
    (
        *("arccos", "arcsin", "arctan", "arg", "cos", "cosh", "cot", "coth", "csc", "deg"),
        *("det", "dim", "exp", "gcd", "hom", "inf", "ker", "lg", "lim", "liminf", "limsup"),
        *("ln", "log", "max", "min", "Pr", "sec", "sin", "sinh", "sup", "tan", "tanh"),
    )
)
# Sizing and style commands are nothing but what follows them ("\\left(" is "(", "{\\rm cm}"
# is "cm").
LAYOUT_MACROS = frozenset(
    (
        *("left", "right", "middle", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl"),
        *("Bigr", "biggl", "biggr", "Biggl", "Biggr", "bigm", "Bigm", "displaystyle"),
        *("textstyle", "scriptstyle", "limits", "nolimits", "rm", "it", "sf", "tt", "bf"),
    )
)
DELIMITER_MACROS = frozenset(("left", "right", "middle")) | {
    m for m in LAYOUT_MACROS if m.lower().startswith("big")
}
SPACING = {"quad": " ", "qquad": " ", ",": " ", ";": " ", ":": " ", ">": " ", " ": " ", "!": ""}
# Escaped characters; an escaped dollar is none of them, so that no formula's text holds one.
ESCAPED = {"{": "{", "}": "}", "|": "‖", "%": "%", "_": "_", "#": "#", "&": "&"}
# Fonts that are letters of their own in Unicode ("\\mathbb{R}" is ℝ, "\\mathbf{x}" 𝐱).
SYMBOL_FONTS = {
    "mathbb": "mathbb",
    "mathbbm": "mathbb",
    "mathcal": "mathcal",
    "mathscr": "mathscr",
    "mathfrak": "mathfrak",
    "mathbf": "mathbf",
    "bm": "mathbf",
    "boldsymbol": "mathbf",
}
# Commands whose argument is text: rendered where the argument is the whole formula or the
# whole of a sub- or superscript ("$\\textbf{GPSToken}$", "$x_{\\text{max}}$"), or one letter
# ("\\mathrm{d}x"); longer text inside a longer formula ("$\\dim\\operatorname{Hull}(C)$")
# keeps the formula's source.
TEXT_MACROS = frozenset(
    (
        *("text", "textrm", "textbf", "textit", "texttt", "textsf", "textnormal", "textup"),
        *("textmd", "mbox", "hbox", "emph", "mathrm", "mathit", "mathsf", "mathtt"),
        *("mathnormal", "operatorname"),
    )
)
_PLAIN_ARGUMENT = r"[\w .,:;'’\-+/*=()!?]{1,80}"
# A formula that is nothing but text in a font ("$\\textbf{GPSToken}$"): its text; a bold
# letter alone ("$\\mathbf{x}$") is a symbol, not text.
TEXT_FORMULA_RE = re.compile(
    r"\s*\\(?:" + "|".join(sorted(TEXT_MACROS)) + rf")\s*\{{({_PLAIN_ARGUMENT})\}}\s*"
    rf"|\s*\\(?:mathbf|bm|boldsymbol)\s*\{{([^\W_]{{2,80}})\}}\s*"
)
LINK_FORMULA_RE = re.compile(r"\s*\\(?:href\{[^{}\s]*\}|url)\{([^{}\s]+)\}\s*")
# Accents over one letter, as combining marks ("\\hat{x}" is x̂).
MATH_ACCENTS = {
    "hat": "\u0302",
    "widehat": "\u0302",
    "tilde": "\u0303",
    "widetilde": "\u0303",
    "bar": "\u0304",
    "overline": "\u0305",
    "vec": "\u20d7",
    "dot": "\u0307",
    "ddot": "\u0308",
    "check": "\u030c",
    "breve": "\u0306",
    "acute": "\u0301",
    "grave": "\u0300",
}
FRACTIONS = frozenset(("frac", "dfrac", "tfrac"))
# Scripts in Unicode; a minus sign is a minus (Crossref writes "km s<sup>−1</sup>": "s⁻¹").
SUPERSCRIPTS = str.maketrans("0123456789+-−=()ni", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ⁿⁱ")
SUBSCRIPTS = str.maketrans("0123456789+-−=()", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎")
# Characters a formula's plain-text rendering may not carry: an alignment, a parameter. A
# "%" is a percent sign: abstracts are read, not compiled ("$54.5%$").
UNSAFE_MATH_CHARS = frozenset("&#")
# What may follow a formula ending in a script without reading as part of it ("x_q,", but
# "𝔽_(q)-linear", "M^(a)CoT").
GLUE_SAFE = frozenset(" \t\n.,;:!?)]}'\"”’")
WORD_CATEGORIES = frozenset(("Lu", "Ll", "Lt", "Lm", "Lo", "Nd"))
# A formula kept as written is shifted into the Private Use planes while the other rules run,
# so no rule for prose changes it ("$f''(x)$" keeps its primes); shifted back at the end.
SHIFT = 0xF0000
SHIFTABLE = 0x20000
SHIFTED_RE = re.compile("[\U000f0000-\U0010fffd]")
SHIFTED_DOLLAR = chr(SHIFT + ord("$"))
SHIFTED_BACKSLASH = chr(SHIFT + ord("\\"))

OPEN_DOUBLE, CLOSE_DOUBLE, OPEN_SINGLE, CLOSE_SINGLE = "“", "”", "‘", "’"
STRAY_END_QUOTE_RE = re.compile(r'\s*["“”]\s*$')
DOUBLE_QUOTE_RE = re.compile("[“”]")
STRAIGHT_QUOTE_RE = re.compile('"')
OPENING_TEX_RE = re.compile(r"(^|[\s(\[/])''(?=\w)")
# `x' (LaTeX) and `x` (Markdown) are single-quoted; an apostrophe inside stays one.
BACKTICK_QUOTED_RE = re.compile(r"`([^`\n]{1,80}?)['`](?![^\W\d_])")
# A straight double quote opens before a word and closes after one.
OPENING_STRAIGHT_RE = re.compile(r'(^|[\s(\[])"(?=\w)')
CLOSING_STRAIGHT_RE = re.compile(r'(?<=[\w.,:;!?%)])"')

BROKEN_DECIMAL_RE = re.compile(r"(?<![\d.])(\d{1,4})\. (\d+)")
# The punctuation comes first in each pattern so the engine can skip ahead to it.
FOOTNOTE_RE = re.compile(r"([,;])(?<=[^\W\d_]{3}[,;])\d{1,2}(?=\s+[a-z])")
SUPERSCRIPT_DIGITS = "¹²³⁴⁵⁶⁷⁸⁹⁰"
SUPERSCRIPT_MARK_RE = re.compile(rf"([,.;:])[{SUPERSCRIPT_DIGITS}]+")
SPACE_BEFORE_PUNCT_RE = re.compile(r"(?<=[\w.)\]%”’])\s+([,;!?]|\.(?!\.))(?=[\s)\]”’]|$)")
# A colon after a word, not in a ratio ("3 : 2").
SPACE_BEFORE_COLON_RE = re.compile(r"(?<=[^\W\d_])\s+:(?=\s)")
# "(?<!\w)" is "\b" before a letter, and lets the engine fail fast inside words.
# Not a part of a longer compound ("just-in-time", "ahead-of-time").
HYPHEN_BREAK_RE = re.compile(r"(?<![\w-])([^\W\d_]{2,})-(\s?)([a-z]{2,})\b(?!-)")
# Cheap tests that a rule may apply: a literal first lets the engine skip ahead to it.
MAY_BREAK_DECIMAL_RE = re.compile(r"\. (?<=\d\. )\d")
MAY_BREAK_WORD_RE = re.compile(r"-(?<=[^\W\d_]{2}-)\s?[a-z]{2}")
MAY_SPACE_PUNCT_RE = re.compile(r"\s[,;!?.:]")
JOINED_MIN_ZIPF = 2.0
# A joined word this common is a word, whatever its halves: "frame-work", "net-works".
COMMON_ZIPF = 3.0
WHOLE_WORD_RE = re.compile(r"(?<![\w\-])[^\W\d_]{4,}(?![\w\-])")
MAX_PASSES = 4
MAX_READINGS = 4


COPYRIGHT_MARKS = ("©", "(c)", "Copyright", "This article is protected", "Published by")


def _sub_from(
    pattern: re.Pattern[str], repl: str | Callable[[re.Match[str]], str], text: str, start: int
) -> str:
    """``pattern.sub(repl, text)`` for a pattern no match of which can start before
    ``start``: the scan begins there, and the text before it is copied as it is.

    Most of a rule's cost is the regex engine trying every position of the text; where a
    cheap ``str.find`` or a literal-led pattern tells where the first match can start, the
    positions before it are not tried. Lookbehinds still see the text before ``start``
    (``finditer``'s ``pos`` is not a slice), so the result is ``pattern.sub``'s exactly.
    """
    if start <= 0:
        return pattern.sub(repl, text)
    pieces = [text[:start]]
    last = start
    for match in pattern.finditer(text, start):
        pieces.append(text[last : match.start()])
        pieces.append(repl(match) if callable(repl) else match.expand(repl))
        last = match.end()
    if last == start:
        return text
    pieces.append(text[last:])
    return "".join(pieces)


def _run_start(text: str, at: int, *, spaces: bool) -> int:
    """Where the run of whitespace (``spaces``) or of other characters that ends just
    before ``at`` starts."""
    while at > 0 and text[at - 1].isspace() is spaces:
        at -= 1
    return at


def _markup_title(match: re.Match[str]) -> str:
    title = match.group(1).strip().rstrip(":").strip()  # "Methods:" is "Methods: ", once
    return "" if title.rstrip(".").lower() in ABSTRACT_LABELS else f"{title}: "


def _markup_link(match: re.Match[str]) -> str:
    address, text = match.group(1).strip(), match.group(2).strip()
    web = address.lower().startswith(("http://", "https://"))
    return address if web and PLACEHOLDER_LINK_RE.fullmatch(text) else text


def _tag_script(match: re.Match[str]) -> str:
    return _script_or_text(match.group(1).lower() == "sup", match.group(2))


def strip_markup(text: str) -> str:
    """Markup that records carry into abstracts (JATS from Crossref and Semantic Scholar,
    HTML): a section title is a label ("<jats:title>Methods</jats:title>" -> "Methods: ";
    "Abstract" goes), scripts are Unicode where they have it, other tags of the list go
    and their text stays. A "<" that is no such tag ("x < y", "<3") is text."""
    text = MARKUP_TITLE_RE.sub(_markup_title, text)
    text = MARKUP_LINK_RE.sub(_markup_link, text)
    text = MARKUP_SCRIPT_RE.sub(_tag_script, text)
    text = MARKUP_BLOCK_RE.sub(" ", text)
    return MARKUP_INLINE_RE.sub("", text)


def markup_paragraphs(raw: str) -> str:
    """A text laid out by its markup's blocks (JATS from Crossref, HTML), one paragraph a
    line: its own line breaks are a pretty-printer's layout, whitespace like any other
    (a JATS record indents every inline element on a line of its own); a list's item is a
    line of its own ("- ..."); a line break inside a block is a space."""
    text = " ".join(raw.split())
    text = SPACE_BEFORE_SCRIPT_RE.sub("", text)
    text = TITLED_BLOCK_RE.sub(lambda m: "\n" + _markup_title(m), text)
    text = MARKUP_ITEM_RE.sub("\n- ", text)
    text = MARKUP_BREAK_RE.sub(" ", text)
    text = MARKUP_BLOCK_RE.sub("\n", text)
    return "\n".join(line.strip() for line in text.split("\n") if line.strip())


# Words of the abstract's own sentences, never of a copyright notice ("© 2019 Getty images,
# which our detector finds"); a notice says "which permits" (a licence) and "US" (a name).
NOT_A_NOTICE_RE = re.compile(r"\b(?:[Ww]e|[Oo]ur|us)\b")


def _notice(match: re.Match[str]) -> str:
    """A copyright notice goes; but not the sentences of an abstract that speak of one, nor
    a list's item "(c)" after its "(b)"."""
    notice = match.group(0)
    if NOT_A_NOTICE_RE.search(notice):
        return notice
    if notice.lstrip().startswith("(c)") and "(b)" in match.string[: match.start()]:
        return notice
    return ""


def strip_site_junk(text: str) -> str:
    """Remove link badges, "( edit, beta )" and copyright notices the site adds, wherever
    they sit (a notice ending the text need not follow a full stop), markup tags a record
    carried in (``strip_markup``), and an "Abstract:" label opening the text."""
    # Each pattern runs only where its mark is present: scanning is most of the cost.
    if "<" in text:
        text = strip_markup(text)
    while text[:1] in "AS" and (label := ABSTRACT_LABEL_RE.match(text)):
        text = text[label.end() :]  # every label opening the text ("Abstract: Abstract:")
    # A badge match starts with the whitespace before its bracket: none starts before the
    # whitespace that precedes the first "[" (or "(").
    if (bracket := text.find("[")) >= 0:
        text = _sub_from(LINK_BADGES_RE, "", text, _run_start(text, bracket, spaces=True))
    if "edit" in text and (parenthesis := text.find("(")) >= 0:
        start = _run_start(text, parenthesis, spaces=True)
        text = _sub_from(EDIT_BADGE_RE, "", text, start)
    if any(mark in text for mark in COPYRIGHT_MARKS):
        text = COPYRIGHT_TAIL_RE.sub(_notice, text)
        text = COPYRIGHT_NOTICE_RE.sub(_notice, text)
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


# A font command around plain text, the commonest command in abstracts ("\\textbf{71.1}"):
# its text, as pylatexenc gives it (a property test holds the two together), without
# pylatexenc's cost (about 150 us a command). Characters pylatexenc reads (dash ligatures,
# quotes, ties, escapes) and commands inside go the long way, as does an empty argument.
PLAIN_FONT_RE = re.compile(
    r"\\(?:textbf|textit|emph|textsc|textrm|textsl|underline)"
    r"\{([^\\{}$%&#^_~'`\"\n]*)\}"
)


def _latex_segment(match: re.Match[str]) -> str:
    plain = PLAIN_FONT_RE.fullmatch(match.group(0))
    if plain and plain.group(1) and not plain.group(1).isspace() and "--" not in plain.group(1):
        return plain.group(1)
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
    # A "%" here was written "\\%" (escapes are undone first): to pylatexenc it would start
    # a comment and take the rest of the segment with it ("\\textbf{71.1\\%}").
    converted = _convert(segment.replace("%", "\\%"))
    if "%s" in converted:
        return segment  # a broken substitution of pylatexenc's ("R\\widehat" as "R%s")
    if not converted.strip() and "{" in segment:
        converted = _braced_text(segment)
    return converted


class _Unfaithful(Exception):
    """A formula whose plain-text rendering would not keep its meaning."""


# One piece of a rendered formula and its kind, on which the joins depend ("\\log x" is
# "log x"; a one-character script before a letter is set apart: "x^a b").
Piece = tuple[str, str]


# Size: the symbol table is built from three sources in order of trust.
@cache
def _math_symbols() -> dict[str, str]:
    """Argument-free math macros as text: the symbols pylatexenc renders ("alpha" -> "α"),
    those it lacks ("ne" -> "≠") and LaTeX's operator names ("log"); built on first use."""
    walker = get_default_macro_db()
    texts = get_default_latex_context_db()
    table: dict[str, str] = {}
    for name in _known_macros():
        spec = walker.get_macro_spec(name)
        repl = getattr(texts.get_macro_spec(name), "simplify_repl", None)
        if (spec is not None and getattr(spec.args_parser, "argspec", None)) or (
            isinstance(repl, str) and "%" in repl
        ):
            continue  # takes arguments
        text = _convert(f"${chr(92)}{name}$")
        if len(text) == 1 or (1 < len(text) <= 3 and not any(c.isascii() for c in text)):
            table[name] = text
    table.update(MATH_SYMBOLS)
    table.update((name, name) for name in OPERATOR_NAMES)
    return table


class _FormulaReader:
    """Reads the tokens of one formula into pieces of plain text; raises ``_Unfaithful``
    where the text would not keep the formula's meaning (a fraction or root of more than one
    token, an environment, an unknown macro, text inside a longer formula, an alignment)."""

    def __init__(self, body: str) -> None:
        self.tokens: list[tuple[str, str]] = []
        for name, escaped, space, char in MATH_TOKEN_RE.findall(body):
            if name:
                self.tokens.append(("macro", name))
            elif escaped:
                self.tokens.append(("escaped", escaped))
            elif space:
                self.tokens.append(("space", " "))
            else:
                self.tokens.append(("char", char))
        self.at = 0

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def _next(self) -> tuple[str, str]:
        token = self._peek()
        if token is None:
            raise _Unfaithful
        self.at += 1
        return token

    def _skip_spaces(self) -> None:
        while self._peek() == ("space", " "):
            self.at += 1

    def sequence(self, *, closing: bool) -> list[Piece]:
        """Atoms and their scripts up to the closing brace (``closing``) or the end."""
        pieces: list[Piece] = []
        while (token := self._peek()) is not None:
            self.at += 1
            kind, value = token
            if token == ("char", "}"):
                if not closing:
                    raise _Unfaithful
                return pieces
            if kind == "char" and value in "^_":
                pieces.append(self._script(value))
            elif token == ("char", "{"):
                group = self.sequence(closing=True)
                if self._peek() in (("char", "^"), ("char", "_")):
                    text = _join(group, glued_after=False).strip()
                    group = [(text if len(text) < 2 else f"({text})", "plain")]
                pieces += group
            else:
                pieces += self._atom(kind, value)
        if closing:
            raise _Unfaithful
        return pieces

    def _atom(self, kind: str, value: str) -> list[Piece]:
        if kind == "space":
            return [(" ", "space")]
        if kind == "char":
            if value in UNSAFE_MATH_CHARS or value in '`"':
                raise _Unfaithful
            return [(" ", "space")] if value == "~" else [("′" if value == "'" else value, "plain")]
        if kind == "escaped":
            if value in SPACING:
                return [(SPACING[value], "space")]
            if value in ESCAPED:
                return [(ESCAPED[value], "plain")]
            raise _Unfaithful
        return self._macro(value)

    def _macro(self, name: str) -> list[Piece]:
        if name in SPACING:
            return [(SPACING[name], "space")]
        if name in LAYOUT_MACROS:
            self._skip_spaces()  # as TeX does after a command's name ("{\\rm ALO}")
            if name in DELIMITER_MACROS and self._peek() == ("char", "."):
                self.at += 1  # "\\right." closes nothing visible
            return []
        structure = self._structure(name)
        if structure is not None:
            return [structure]
        text = _math_symbols().get(name)
        if text is None:
            raise _Unfaithful
        return [(text, "operator" if name in OPERATOR_NAMES else "plain")]

    def _structure(self, name: str) -> Piece | None:
        """A macro with arguments, rendered where each argument is one token."""
        if name in FRACTIONS:
            top = self._single_argument()
            return f"{top}/{self._single_argument()}", "fraction"
        if name == "sqrt":
            self._skip_spaces()
            if self._peek() == ("char", "["):
                raise _Unfaithful
            return f"√{self._single_argument()}", "root"
        if name in MATH_ACCENTS:
            return self._single_argument() + MATH_ACCENTS[name], "plain"
        if name == "not":
            return unicodedata.normalize("NFC", self._single_argument() + "\u0338"), "plain"
        if name in SYMBOL_FONTS:
            argument = self._argument()
            if not argument.isalnum():
                raise _Unfaithful
            return _font_text(SYMBOL_FONTS[name], argument), "plain"
        if name in TEXT_MACROS:
            return self._single_argument(), "plain"  # "\\mathrm{d}x"; longer text: kept
        return None

    def _argument(self) -> str:
        """A macro's argument as text: a group, one character or one symbol."""
        self._skip_spaces()
        kind, value = self._next()
        if (kind, value) == ("char", "{"):
            return _join(self.sequence(closing=True), glued_after=False).strip()
        if kind == "char" and value.isalnum():
            return value
        if kind == "macro" and value not in OPERATOR_NAMES and value in _math_symbols():
            return _math_symbols()[value]
        raise _Unfaithful

    def _single_argument(self) -> str:
        text = self._argument()
        if len(text) != 1 and not text.isdigit():
            raise _Unfaithful
        return text

    def _script(self, mark: str) -> Piece:
        """A sub- or superscript with its grouping kept: exact Unicode where every character
        has one ("10⁻³", "n²"), else the mark and the operand, in parentheses when it is more
        than one character ("n^(k/4)", "x_(ij)")."""
        self._skip_spaces()
        if self._peek() == ("char", "{"):
            start = end = self.at
            depth = 0
            for end in range(start, len(self.tokens)):
                depth += {("char", "{"): 1, ("char", "}"): -1}.get(self.tokens[end], 0)
                if depth == 0:
                    break
            raw = "".join(_token_source(t) for t in self.tokens[start + 1 : end])
            text_only = TEXT_FORMULA_RE.fullmatch(raw)
            if text_only:
                self.at = end + 1
                text = normalize_space(text_only[1] or text_only[2])
            else:
                text = self._argument()
        else:
            text = self._argument()
        if not text.strip():
            return "", "plain"  # "\\widetilde{O}_{}(...)": an empty script shows nothing
        return _script_text(mark, text), "script"


def _token_source(token: tuple[str, str]) -> str:
    kind, value = token
    return {"macro": f"\\{value} ", "escaped": f"\\{value}"}.get(kind, value)


def _font_text(font: str, letters: str) -> str:
    return "".join(_convert(f"$\\{font}{{{c}}}$") or c for c in letters)


def _script_text(mark: str, text: str) -> str:
    if mark == "^" and text in ("∘", "°"):
        return "°"
    if text and set(text) <= {"′", "″"}:
        return text
    mapped = text.translate(SUPERSCRIPTS if mark == "^" else SUBSCRIPTS)
    if text and all(m != c for m, c in zip(mapped, text, strict=True)):
        return mapped
    return f"{mark}{text}" if len(text) == 1 else f"{mark}({text})"


def _starts_word(text: str) -> bool:
    """Whether ``text`` starts with a letter or a digit (a script's own digits are not)."""
    return bool(text) and unicodedata.category(text[0]) in WORD_CATEGORIES


# Size: one branch per kind of formula piece and its spacing rule.
def _join(pieces: list[Piece], *, glued_after: bool) -> str:
    """The pieces as one text: an operator name apart from what it applies to and from
    what comes before it ("n log n"), a one-character script apart from a letter after it
    ("x^a b"), a fraction or a root glued to a letter in parentheses ("(1/2)x", "√(2)x"), so
    nothing reads as grouped that was not."""
    out: list[str] = []
    for i, (text, kind) in enumerate(pieces):
        following = next((t for t, _ in pieces[i + 1 :] if t), "")
        glued = _starts_word(following) if following else glued_after
        before = out[-1][-1:] if out and out[-1] else ""
        piece = text
        if kind == "operator" and (before.isalnum() or before in ")]}|‖"):
            piece = f" {piece}"  # "d log d", not "dlog d"
        if kind == "operator" and glued:
            piece = f"{piece} "
        elif kind == "script" and glued and len(text) == 2 and text[0] in "^_":
            # Inside the formula a space ends the script ("∑_i α_i"); glued to the word
            # after the formula, parentheses do ("M^(a)CoT").
            piece = f"{text} " if following else f"{text[0]}({text[1]})"
        elif kind == "fraction" and (_binds(following, glued) or _starts_word(before)):
            piece = f"({text})"
        elif kind == "root" and glued:
            piece = f"√({text[1:]})"
        out.append(piece)
    return "".join(out)


# What may follow a fraction without reading as grouped with it: a space, a mark, a
# relation or an operator ("1/2 + x", "1/ϵ≫ln d"); but a bracket, a bar, a factorial, a word,
# a root, a sum or a derivative binds to it ("(1/2)(D-∂²)", "(1/2)|x|", "(1/2)√π").
APART_FROM_FRACTION = frozenset(" +-,;:.?)]}/")
BINDING_SYMBOLS = frozenset("√∛∜∑∏∫∮∂∇|‖")


def _binds(following: str, glued: bool) -> bool:
    """Whether what follows a fraction would read as multiplied by its denominator."""
    if not following:
        return glued
    first = following[0]
    if first in APART_FROM_FRACTION:
        return False
    return first in BINDING_SYMBOLS or unicodedata.category(first) != "Sm"


@lru_cache(maxsize=4096)
def _render_formula(body: str, glued_after: bool) -> str | None:
    """A formula's body as plain text that keeps its meaning, or None where it cannot be
    rendered so (then the formula keeps its source, dollars and all)."""
    link = LINK_FORMULA_RE.fullmatch(body)
    if link:
        return link[1]
    text_only = TEXT_FORMULA_RE.fullmatch(body)
    if text_only:
        return normalize_space(text_only[1] or text_only[2])
    if PROSE_IN_FORMULA_RE.search(MATH_TEXT_ARG_RE.sub(" ", body)):
        return None  # prose between two dollars that do not pair ("... $ (i.e. how $F$")
    try:
        text = _join(_FormulaReader(body).sequence(closing=False), glued_after=glued_after)
    except _Unfaithful:
        return None
    text = " ".join(text.split())
    if not text or "$" in text or "\\" in text:
        return None
    return unicodedata.normalize("NFC", text)


# Three words in a row, outside a text command's argument, are prose, not a formula: a
# source's missing dollar pairs the next two across a sentence.
PROSE_IN_FORMULA_RE = re.compile(r"(?<![\\\w])[A-Za-z]{2,}\s+[A-Za-z]{3,}\s+[A-Za-z]{3,}(?!\w)")
# Two words in a row, outside a text command: no environment's formula holds them.
PROSE_WORDS_RE = re.compile(r"(?<![\\\w])[A-Za-z]{2,}\s+[A-Za-z]{2,}(?!\w)")
MATH_TEXT_ARG_RE = re.compile(r"\\(?:text\w*|mathrm|operatorname|mbox|hbox)\s*\{[^{}]*\}")


def _shift(text: str) -> str:
    return "".join(chr(SHIFT + ord(c)) for c in text)


def unshift(text: str) -> str:
    """Formulas kept as written, shifted back from the Private Use planes."""
    if text.isascii() or not SHIFTED_RE.search(text):  # isascii: a flag, no scan
        return text
    return SHIFTED_RE.sub(lambda m: chr(ord(m.group(0)) - SHIFT), text)


def _formula(match: re.Match[str], rendered: list[str]) -> str:
    """A formula as a mark standing for its text until the prose around it is converted:
    its rendering, or its source shifted out of reach of the other rules."""
    formula = match.group(0)
    delimiter = 2 if formula[:2] in ("$$", "\\[", "\\(") else 1
    body = match.group("body") or formula[delimiter:-delimiter]
    if match.group("env") and _prose_between(body):
        return _as_written(formula)
    after = match.string[match.end() : match.end() + 1]
    if formula[0] == "$" and body[:1].isdigit() and after.isdigit():
        return formula  # "$5 and $6": prices, not a formula
    text = _render_formula(body, bool(after) and after not in GLUE_SAFE)
    rendered.append((text or _as_written(formula)) + _after_display(formula, after))
    return f"\x02{len(rendered) - 1}\x03"


def _as_written(formula: str) -> str:
    """A formula kept as its source, shifted out of reach of the other rules (see SHIFT)."""
    return _shift(formula) if max(formula) < chr(SHIFTABLE) else formula


def _prose_between(body: str) -> bool:
    """Whether an environment's body is prose ("The command \\begin{equation} is used in
    LaTeX, and \\end{equation} ends it"): kept as written, never read as a formula."""
    return PROSE_WORDS_RE.search(MATH_TEXT_ARG_RE.sub(" ", body)) is not None


def _tie(match: re.Match[str]) -> str:
    """A tie as a space, but "z~N(0, 1)" or "$x_i$~P(x)" (a reader's "distributed as"): a
    tilde before a capital and "(" stays, unless a part's name comes before it
    ("Section~A(ii)")."""
    text, end = match.string, match.end()
    if (
        text[end : end + 1].isupper()
        and text[end + 1 : end + 2] == "("
        and _word_before(text, match.start()).lower().rstrip(".") not in PART_NAMES
    ):
        return "~"
    return " "


# Words that name a part of a paper, before a tie and its letter ("Section~A(ii)").
PART_NAMES = frozenset(
    (
        *("section", "sec", "appendix", "app", "table", "tab", "figure", "fig", "lemma"),
        *("theorem", "thm", "eq", "equation", "chapter", "corollary", "proposition"),
        *("definition", "algorithm", "alg", "step", "case", "part", "claim", "remark"),
        *("example", "assumption"),
    )
)


def _after_display(formula: str, after: str) -> str:
    """A display formula is a block of its own: "$$a>0$$and" reads "a>0 and"."""
    display = formula[:2] in ("$$", "\\[") or (
        formula.startswith("\\begin") and not formula.startswith("\\begin{math}")
    )
    return " " if display and after.isalnum() else ""


# "$n${th}": an ordinal's ending stays on its number.
ORDINAL_SUFFIXES = frozenset(("th", "st", "nd", "rd", "s"))


def _apart(word: str | None) -> bool:
    """Whether a word braced right after a formula is a word of its own (not an ordinal's
    ending, "$n${th}", nor a mark, "$n${-}gram")."""
    return bool(word) and word not in ORDINAL_SUFFIXES


def _ungroup(match: re.Match[str]) -> str:
    """A group of prose without its braces, unless it is the argument of a macro kept as
    written ("\\ours{x}" stays)."""
    text = match.string
    start = match.start()
    while start > 0 and text[start - 1].isalpha():
        start -= 1
    if start > 0 and text[start - 1] == "\\":
        return match.group(0)
    if start > 0 and text[start - 1] == "\x03" and _apart(match.group(1)):
        return f" {match.group(1)}"  # a word its braces kept apart from a formula
    return match.group(1) or match.group(2) or match.group(3)


def _reference(match: re.Match[str]) -> str:
    """A citation or reference: its keys in brackets where it stands for a noun, else
    nothing (see REFERENCE_NOUN_AFTER); a label is always nothing."""
    command, keys = match.group(1), match.group(2)
    if command == "label":
        return ""
    before = _word_before(match.string, match.start()).lower().strip(".,;:(~")
    if (
        command not in TEXTUAL_CITATIONS
        and before not in REFERENCE_NOUN_AFTER
        and (command not in REFERENCES or before not in PART_NAMES)  # "Table~\\ref{t} shows"
    ):
        return ""
    named = ", ".join(key.strip() for key in keys.split(",") if key.strip())
    return f" [{named}]" if named else ""


# A word is looked for this far back: a citation must not read all the text before it
# (each one did: quadratic in a text's citations).
WORD_BEFORE_CHARS = 64


def _word_before(text: str, at: int) -> str:
    """The word that ends before ``at`` (spaces between), or "" where there is none or it is
    longer than ``WORD_BEFORE_CHARS``, which no word a rule looks for is."""
    start = max(0, at - WORD_BEFORE_CHARS)
    window = text[start:at]
    words = window.split()
    if not words or (start > 0 and len(words) == 1 and not window[0].isspace()):
        return ""
    return words[-1]


def _kept_text(match: re.Match[str]) -> str:
    """A command whose argument is its text (a link's, a font's, a box's); LaTeX inside
    it is read too ("\\texttt{\\textbf{ZipCal}}" is "ZipCal")."""
    inner = match.group(1)
    if not inner:
        return _braced_text(match.group(0)).split(" ")[-1]
    return latex_to_text(inner) if "\\" in inner or "{" in inner else inner


def _script_or_text(superscript: bool, text: str) -> str:
    """A script in Unicode where every character has a script form ("²", "CO₂"), else as
    plain text ("4th")."""
    text = text.strip()
    mapped = text.translate(SUPERSCRIPTS if superscript else SUBSCRIPTS)
    if text and all(m != c for m, c in zip(mapped, text, strict=True)):
        return mapped
    return text


def _text_script(match: re.Match[str]) -> str:
    """``\\textsuperscript{x}``, ``\\textsubscript{x}``: see ``_script_or_text``."""
    return _script_or_text(match.group(1) == "super", match.group(2))


def _text_backslash(match: re.Match[str]) -> str:
    """A written backslash, as a backslash no later rule reads as a command (see SHIFT),
    where what it makes reads as itself when the text is cleaned again: "\\Users" does (no
    such command); "\\cite", "\\%" or "\\ " would not, and there the source is kept as written
    ("\\texttt{\\textbackslash cite}"): no word is lost, and cleaning stays idempotent."""
    word = match.group(1)
    after = match.string[match.end() : match.end() + 1]
    made = "\\" + word + after
    # Before a mark or a space, a backslash is an escape ("\\%", "\\ ", "\\\\"); before
    # the end of the text, nothing.
    if (word or after) and (not word or latex_to_text(made) != made):
        source = match.group(0).rstrip(" \t")  # spaces after it stay spaces, to be folded
        return _shift(source) + match.group(0)[len(source) :]
    return SHIFTED_BACKSLASH + word


def _latex_commands(text: str) -> str:
    """The commands of prose (after formulas, escapes and dashes): references, notes,
    colours, fonts, symbols, layout, abbreviations and the commands pylatexenc reads."""
    for color in COLOR_RES:
        text = color.sub(r"\1", text)
    if "\\footnote" in text:
        text = FOOTNOTE_COMMAND_RE.sub(r" (\1)", text)
    text = LATEX_DROP_RE.sub(_reference, text)
    text = BRACED_MACRO_RE.sub(r"\1{}", text)
    text = FONT_GROUP_RE.sub(r"\1", text)
    text = TEXT_SYMBOL_RE.sub(lambda m: TEXT_SYMBOLS[m.group(1)], text)
    if MAY_LAYOUT_RE.search(text):
        text = LAYOUT_RE.sub(" ", text)
    if "\\deg" in text:
        text = DEGREE_RE.sub("°", text)
    text = ABBREVIATION_RE.sub(lambda m: ABBREVIATIONS[m.group(1)], text)
    text = KEYWORDS_RE.sub(lambda m: f"Keywords: {m.group(1)}", text)
    if "\\and" in text:
        text = AND_RE.sub(", ", text)
    text = TEXT_SCRIPT_RE.sub(_text_script, text)
    text = LATEX_KEEP_RE.sub(_kept_text, text)
    text = LATEX_ACCENT_RE.sub(_latex_segment, text)
    return LATEX_COMMAND_RE.sub(_latex_segment, text)


# Size: the conversion's steps in order (protect, convert, restore, tidy); each is one line.
def latex_to_text(text: str) -> str:
    """Turn LaTeX into text: formulas, commands, accents, escapes, dashes and ties.

    Formulas are read first, so no rule for prose reaches inside one; a formula is rendered
    only where the text keeps its meaning, else kept as written. Only LaTeX-looking segments
    of prose are converted, so a "%" or "~5%" in prose is left alone. Citations and
    references are dropped; links keep their text; an unknown macro is kept as written.
    """
    if "\\" not in text and "$" not in text and "--" not in text:
        return text
    # A tie is LaTeX's only in a text that writes LaTeX ("Fig.~3 ... 50\\%", "\\LaTeX.~The");
    # elsewhere "x~N(0, 1)" is a reader's "distributed as".
    ties = "~" in text and "\\" in text
    rendered: list[str] = []
    if "$" in text or "\\(" in text or "\\[" in text or "\\begin" in text:
        text = FORMULA_RE.sub(lambda m: _formula(m, rendered), text)
    # A dollar before a number is a price ("\\$5"); other escaped dollars stay as written,
    # so that no two of them read as a formula when the text is cleaned again.
    text = ESCAPED_PRICE_RE.sub(SHIFTED_DOLLAR, text)
    if "\\textbackslash" in text:
        text = TEXT_BACKSLASH_RE.sub(_text_backslash, text)
    for escaped, plain in LATEX_ESCAPES:
        text = text.replace(escaped, plain)
    for named, plain in LATEX_NAMED.items():
        text = re.sub(re.escape(named) + r"(?:\{\})?(?![a-zA-Z])", plain, text)
    if ties:
        text = TIE_RE.sub(_tie, text)  # outside formulas: each is a placeholder by now
    # A pattern that starts with a space or a lookbehind is tried at every position of the
    # text: those whose matches hold a literal run only where the literal is.
    if "--" in text:
        for pattern, dash in DASHES:
            text = pattern.sub(dash, text)
    if "\\" in text:
        text = _latex_commands(text)
    if "{" in text:
        text = PROSE_GROUP_RE.sub(_ungroup, text)
    return KEPT_RE.sub(lambda m: rendered[int(m.group(1))], text) if rendered else text


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
        text = _pair_glued_quotes(text)
        text = OPENING_STRAIGHT_RE.sub(rf"\1{OPEN_DOUBLE}", text)
        text = CLOSING_STRAIGHT_RE.sub(CLOSE_DOUBLE, text)
    if CLOSE_DOUBLE in text:
        text = _open_unopened_quotes(text)
    # Stray quotes in a row at the end ("a ") go together: one a pass would leave
    # the last to the next cleaning.
    while _ends_with_stray_quote(text):
        dropped = STRAY_END_QUOTE_RE.sub("", text)
        if dropped == text:
            break
        text = dropped
    return text


def _pair_glued_quotes(text: str) -> str:
    """Straight double quotes a record glued to the words around them ('the
    conventional"decisive AI x-risk hypothesis"with an'), opened and closed in turn with a
    space outside each pair, where one is glued on both sides and every quote agrees with
    that order (none opens before a space, none closes after one); else as they are."""
    at = [m.start() for m in STRAIGHT_QUOTE_RE.finditer(text)]
    if len(at) % 2 or "„" in text or not _glued_openers(text, at):
        return text
    out, last = [], 0
    for n, i in enumerate(at):
        mark = _paired_mark(text[i - 1 : i] if i else "", text[i + 1 : i + 2], n % 2 == 0)
        if mark is None:
            return text  # a quote that this order would turn the wrong way
        out += [text[last:i], mark]
        last = i + 1
    return "".join([*out, text[last:]])


def _paired_mark(before: str, after: str, opening: bool) -> str | None:
    """The typographic quote (and a space where the record glued it to a word) for a
    straight one between ``before`` and ``after``; None where it cannot be ``opening``."""
    if opening:
        if after in ("", " "):
            return None
        return f" {OPEN_DOUBLE}" if before.isalnum() or before in ",;:" else OPEN_DOUBLE
    if before in ("", " "):
        return None
    return f"{CLOSE_DOUBLE} " if after.isalnum() or after == "(" else CLOSE_DOUBLE


def _glued_openers(text: str, at: list[int]) -> bool:
    """Whether the straight quotes at ``at`` read as a record's quotes glued to the words
    around them: one that opens (the first of a pair) has no space on either side ('the
    conventional"decisive hypothesis"', 'wrote,"We', 'the maxim that"(perceived)'); none is
    a unit's mark after a number
    (12" wide, 39°54'30"N) or sits in code beside a brace, a bracket, a colon or "="
    ('{"a":1}'). A quote after a space that closes before a suffix ('"yes"es') is none."""
    if any(text[i - 1 : i].isdigit() for i in at if i):
        return False
    if any(text[i - 1 : i] in CODE_MARKS or text[i + 1 : i + 2] in CODE_MARKS for i in at):
        return False
    return any(
        0 < i < len(text) - 1 and not text[i - 1].isspace() and not text[i + 1].isspace()
        for i in at[0::2]
    )


# Characters a quote sits beside in code and data, never in prose.
CODE_MARKS = frozenset("{}[]:=\\")


def _ends_with_stray_quote(text: str) -> bool:
    """A double quote ending the text that closes nothing (single quotes end words: models’)."""
    stripped = text.rstrip()
    if not stripped or stripped[-1] not in '"“”':
        return False
    if stripped[-1] in '"“':
        return True
    return stripped.count(OPEN_DOUBLE) < stripped.count(CLOSE_DOUBLE)


def _opens_at(text: str, at: int) -> bool:
    """Whether the closing mark at ``at`` stands where a quote opens, before its word
    ("the ”rich” regime")."""
    return text[at + 1 : at + 2].isalnum() and (at == 0 or text[at - 1] in " ([{")


def _open_unopened_quotes(text: str) -> str:
    """Give a closing ” that has no opening “ one before its word ("Canada''" -> “Canada”);
    a closing ” where a quote opens, before a word, is the opening one ("”rich”")."""
    out: list[str] = []
    last = depth = 0
    for match in DOUBLE_QUOTE_RE.finditer(text):  # only the quotes, not every character
        at = match.start()
        if text[at] == OPEN_DOUBLE:
            depth += 1
            continue
        if depth == 0 and _opens_at(text, at):
            out += [text[last:at], OPEN_DOUBLE]
            last = at + 1
            depth += 1
            continue
        if depth == 0:
            start = at
            while start > last and (text[start - 1].isalnum() or text[start - 1] in "-'’"):
                start -= 1
            if start < at:
                out += [text[last:start], OPEN_DOUBLE]
                last = start
                depth += 1
        depth = max(0, depth - 1)
    out.append(text[last:])
    return "".join(out)


def _mend_decimal(match: re.Match[str]) -> str:
    whole = match.group(1)
    # "in 2018. 5 models": a year ending a sentence, not a decimal; "1. 3D scene graphs"
    # opening a paragraph: a list's item (numbered from 1: "0. 5 mg/kg" is a decimal).
    if (len(whole) == 4 and 1800 <= int(whole) <= 2100) or (match.start() == 0 and whole != "0"):
        return match.group(0)
    return f"{whole}.{match.group(2)}"


def mend_decimals(text: str) -> str:
    """Rejoin decimals broken by a space: "2. 89%" -> "2.89%", "56. 3" -> "56.3"."""
    first = MAY_BREAK_DECIMAL_RE.search(text)
    if first is None:
        return text
    # A broken decimal has at most four digits before the point that the first candidate's is.
    return _sub_from(BROKEN_DECIMAL_RE, _mend_decimal, text, max(0, first.start() - 4))


def drop_footnote_markers(text: str) -> str:
    """Remove footnote numbers glued to punctuation ("checkpoints,1 which", "data.¹")."""
    text = FOOTNOTE_RE.sub(r"\1", text)
    if any(mark in text for mark in SUPERSCRIPT_DIGITS):  # rare: a scan per digit is cheaper
        text = SUPERSCRIPT_MARK_RE.sub(r"\1", text)
    return text


@lru_cache(maxsize=16384)
def _zipf(word: str) -> float:
    # Imported when first needed: wordfreq's import walks the call stack to find its data
    # (0.2 s), which a process that never joins a hyphen (a replay's writer) need not pay.
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en")


# Inflections a compound keeps its hyphen through: "time-scale" is a compound, so
# "time-scales" is one; "re-defines", so "re-defined" and "re-define".
INFLECTION_RE = re.compile(r"(?:ing|ed|es|s)$")


def compound_stem(compound: str) -> str:
    """``compound`` (lower case) without its inflection: "time-scales" -> "time-scal",
    "re-defined" -> "re-defin"."""
    return INFLECTION_RE.sub("", compound, count=1).removesuffix("e")


@cache
def _hyphen_evidence() -> tuple[frozenset[str], frozenset[str]]:
    """Words of the domain, and the stems of compounds written with their hyphen (loaded on
    first use)."""
    data = resources.files("pipelines").joinpath("data/hyphenation.json").read_text("utf-8")
    evidence = json.loads(data)
    return frozenset(evidence["words"]), frozenset(map(compound_stem, evidence["compounds"]))


# Words that follow a suspended hyphen: "zero- and few-shot", "pre- or post-training".
SUSPENDED_BEFORE = frozenset(("and", "or", "to", "nor", "vs", "versus", "as"))
# Other languages' "and" and "or" (German, French, Italian, Dutch, Scandinavian): they follow
# a suspended hyphen too, unless the halves make a word ("mark- et" is "market").
OTHER_CONJUNCTIONS = frozenset(
    ("und", "oder", "bzw", "sowie", "bis", "et", "ou", "ed", "en", "og", "och", "eller")
)
# What a link's text holds before a word in it: a scheme, "www.", or a domain and a slash.
LINK_DOMAIN_RE = re.compile(r"\.[a-z]{2,6}/")


# A link is looked for this far back from a word in it (a longer one is no link a reader
# follows; the bound keeps a hostile run of hyphenated words without a space linear).
MAX_LINK_CHARS = 2000


def _in_link(text: str, at: int) -> bool:
    """Whether the word at ``at`` is part of a link ("https://github.com/x/mario-gpt"): what
    precedes it up to a space (a paragraph's only whitespace) holds a link's start."""
    if at == 0 or text[at - 1].isspace():
        return False
    reach = max(0, at - MAX_LINK_CHARS)
    window = text[text.rfind(" ", reach, at) + 1 or reach : at]
    if "://" in window or window.startswith("www."):
        return True
    return "/" in window and "." in window and LINK_DOMAIN_RE.search(window) is not None


# Size: each kind of evidence for joining a line-break hyphen, in order of trust.
def _join_hyphenated(match: re.Match[str], seen: frozenset[str]) -> str:
    left, space, right = match.group(1), match.group(2), match.group(3)
    # "Bau- und Bautechnikgeschichte", "pré- et post-": another language's suspended hyphen
    # where the two halves make no word.
    kept = match.group(0) if not space or right in OTHER_CONJUNCTIONS else f"{left}-{right}"
    if (space and right in SUSPENDED_BEFORE) or not left.isalpha():
        return match.group(0)  # "zero- and few-shot"; "C⁰-continuous", "T₁-weighted"
    if _in_link(match.string, match.start()):
        return match.group(0)  # "https://github.com/shyamsn97/mario-gpt"
    joined = f"{left}{right}".lower()
    words, compounds = _hyphen_evidence()
    if compound_stem(f"{left}-{right}".lower()) in compounds:
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


def join_hyphenation(text: str, seen_on_page: frozenset[str] = frozenset()) -> str:
    """Join words a line break hyphenated ("algo-rithmic", "opti- mization"), keeping real
    compounds.

    Decided by evidence: the joined word written whole elsewhere in the same text or, in
    ``seen_on_page``, elsewhere on the page; or in the domain's vocabulary
    (``pipelines/data/hyphenation.json``, from real abstracts); or common in general
    English and more common than its two parts as a phrase. A compound that real abstracts
    write with its hyphen is kept ("hand-crafted", "multi-lingual", "co-training",
    "state-of-the-art").
    """
    first = MAY_BREAK_WORD_RE.search(text)
    if first is None:
        return text
    seen = frozenset(WHOLE_WORD_RE.findall(text.lower())) | seen_on_page
    start = _run_start(text, first.start(), spaces=False)
    return _sub_from(HYPHEN_BREAK_RE, lambda m: _join_hyphenated(m, seen), text, start)


@dataclass(frozen=True, slots=True)
class PageText:
    """The titles and abstracts of one page, as evidence for line-break hyphens: a word
    written whole on the page tells how its authors spell it."""

    texts: tuple[str, ...]
    lowered: str


def page_words(texts: Iterable[str | None]) -> PageText:
    """The evidence of a page's titles and abstracts (``texts``) for line-break hyphens."""
    kept = tuple(text for text in texts if text)
    return PageText(kept, "\n".join(kept).lower())


@lru_cache(maxsize=ABSTRACT_MEMO)
def _break_candidates(raw: str) -> tuple[str, ...]:
    """Each word of ``raw`` a line break may have hyphenated, joined and in lower case
    ("frame-work": "framework")."""
    first = MAY_BREAK_WORD_RE.search(raw)
    if first is None:
        return ()
    # A broken word is the letters before a hyphen the first candidate's is, or a later one.
    start = _run_start(raw, first.start(), spaces=False)
    joined = (f"{m.group(1)}{m.group(3)}".lower() for m in HYPHEN_BREAK_RE.finditer(raw, start))
    return tuple(dict.fromkeys(joined))


def _page_evidence(raw: str, page: PageText) -> frozenset[str]:
    """The words ``raw`` may have broken that ``page`` writes whole (the page's text holds
    ``raw`` too, and what ``raw`` writes whole its own text already tells)."""
    found = []
    for word in _break_candidates(raw):
        if word in page.lowered and re.search(  # the substring test first, at C speed
            rf"(?<![\w\-]){re.escape(word)}(?![\w\-])", page.lowered
        ):
            found.append(word)
    return frozenset(found)


def tidy_punctuation(text: str) -> str:
    """No space before punctuation: "et al. , 2018" -> "et al., 2018"."""
    first = MAY_SPACE_PUNCT_RE.search(text)
    if first is None:
        return text
    # Both patterns match a run of spaces before a mark, which the first candidate starts
    # or follows; the first rule leaves the text before that run as it was.
    start = _run_start(text, first.start(), spaces=True)
    text = _sub_from(SPACE_BEFORE_PUNCT_RE, r"\1", text, start)
    return _sub_from(SPACE_BEFORE_COLON_RE, ":", text, start)


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


def clean_abstract(
    raw: str | None, page: PageText | None = None
) -> tuple[str | None, Counter[str]]:
    """The clean abstract (paragraphs kept, one per line) and the rules that changed it;
    ``page`` (the page's titles and abstracts, ``page_words``) is evidence for its line-break
    hyphens."""
    text, rules = abstract_repairs(raw, page)
    return text, Counter(rules)


def abstract_repairs(
    raw: str | None, page: PageText | None = None
) -> tuple[str | None, tuple[str, ...]]:
    """The clean abstract and the names of the rules that changed it, sorted."""
    if raw is None:
        return None, ()
    return _clean_abstract(raw, _page_evidence(raw, page) if page else frozenset())


def _rules(evidence: frozenset[str]) -> tuple[tuple[str, Callable[[str], str]], ...]:
    if not evidence:
        return RULES
    join = partial(join_hyphenation, seen_on_page=evidence)
    return tuple((name, join if rule is join_hyphenation else rule) for name, rule in RULES)


def _clean_paragraph(
    text: str, rules: tuple[tuple[str, Callable[[str], str]], ...], repairs: set[str]
) -> str:
    """One paragraph through every rule, adding the names of those that changed it."""
    # Rules feed each other ("''" becomes a stray quote once its partner is gone), so they
    # run until nothing changes: that is what makes cleaning idempotent. A rule is pure: one
    # that left a text as it was is not run on that same text again (on the last pass, all
    # but the rules after the last change).
    kept_as: list[str | None] = [None] * len(rules)
    for _ in range(MAX_PASSES):
        before = text
        for index, (name, rule) in enumerate(rules):
            if kept_as[index] is text:
                continue
            fixed = rule(text)
            if fixed != text:
                fixed = normalize_space(fixed)
            if fixed != text:
                if unshift(fixed) != unshift(text):
                    repairs.add(name)
                text = fixed
            else:
                kept_as[index] = text
        if text == before:
            break
    return unshift(text)


# A text hard-wrapped at a fixed width (arXiv's listings and API at about 80 characters,
# some proceedings at 70-100): its longest line within these bounds, and at least
# ``WRAP_MIN_LINES`` lines, and half of them, within ``WRAP_SLACK`` of it.
WRAP_MIN, WRAP_MAX, WRAP_SLACK, WRAP_MIN_LINES = 50, 110, 25, 2
WRAP_WIDTH_SHARE = 80  # percent of the lines a wrap could cut that are no longer than it
# A paragraph's last line ends a sentence and is followed by an indented or blank line.
PARAGRAPH_END = (".", "!", "?", ":", ")", '"', "\u201d")


def _spaced_after_hyphen(line: str, following: str) -> bool:
    """Whether a wrap between ``line`` and ``following`` stands for a space: always, but
    after a hyphen ending a word ("frame-", "state-of-the-", "Bradley--"), unless a
    suspended compound's conjunction follows."""
    stem = line.rstrip("-")
    if stem == line or not stem[-1:].isalnum():
        return True
    return following.split(maxsplit=1)[0].lower() in SUSPENDED_BEFORE


# A line that starts an item of a list ("- We show", "2. A model"; "(ii)" and "2)" count
# off items inside sentences too): never the rest of the line before it.
ITEM_START_RE = re.compile(r"(?:[-*•‣◦▪·]|\d{1,2}\.)\s")


# Size: the wrap's evidence, then one decision a line.
def unwrap(raw: str) -> list[str]:
    """The paragraphs of ``raw``: its lines, except that a text hard-wrapped at a fixed
    width has its lines rejoined (a word broken after a hyphen is joined at it, the hyphen
    kept for the line-break hyphen rules to judge). In a wrapped text a line goes on the one
    before unless it opens an item of a list ("- ", "2. ", where two or more do), or follows
    a sentence's end and either is indented where lines are not all indented (arXiv's new
    paragraph) or would have fit on the line before (no wrap cut that one); a blank line
    always ends a paragraph. A text is wrapped when most of its lines reach one width and
    end inside a sentence."""
    lines = [line.rstrip() for line in raw.splitlines()]
    width = _wrap_width(lines)
    if width is None:
        return _join_broken_sentences(lines)
    # Where every line after the first is indented (arXiv's API), indenting says nothing.
    indented = [line[:1].isspace() for line in lines[1:] if line.strip()]
    indents_paragraphs = sum(indented) * 2 <= len(indented)
    # A list shows two items or more at the starts of lines; one "(1)" there is a wrap's.
    lists = sum(ITEM_START_RE.match(line.strip()) is not None for line in lines[1:]) >= 2
    out: list[_Paragraph] = []
    previous = ""
    for line in lines:
        stripped = line.strip()
        if not stripped:
            previous = ""
            continue
        if (
            previous
            and not (lists and ITEM_START_RE.match(stripped))
            and not (previous.endswith(PARAGRAPH_END) and LABEL_RE.match(stripped))
        ):
            # A label ("Keywords: ...") opens its line after a sentence's end; a wrap can set
            # "methods:" at a line's start inside one.
            ended = previous.endswith(PARAGRAPH_END) and not previous.endswith(ABBREVIATION_ENDS)
            # Inside a sentence a line goes on, but after a heading (a short line standing
            # alone); after a sentence's end, only where a wrap cut the line before (this
            # line's first word would not have fit on it).
            cut = len(previous.strip()) + 1 + len(stripped.split(maxsplit=1)[0]) > width
            last = out[-1]
            heading = last.whole and _is_heading(last.view)
            if (not ended and (cut or not heading)) or (
                ended and cut and not (indents_paragraphs and line[:1].isspace())
            ):
                # "state-of-the-\nart", "frame-\nwork": the hyphen stays and the words
                # meet, as a hyphen inside a line, which the line-break hyphen rules judge.
                last.add(stripped, " " if _spaced_after_hyphen(last.tail, stripped) else "")
                previous = line
                continue
        out.append(_Paragraph(stripped))
        previous = line
    return [paragraph.text for paragraph in out]


# A display formula on a line of its own belongs to the sentence around it.
DISPLAY_STARTS = ("\\[", "$$", "\\begin{")
# An item of a list, numbered or lettered ("(ii) ...", "b) ...", "3. ..."), or a bullet.
ANY_ITEM_RE = re.compile(r"(?:[-*•‣◦▪·]|\d{1,2}[.)]|\(?(?:[ivx]{1,4}|[a-z])\))\s")
# A label opening a line: "Keywords: ...", "methods: ...", "Index Terms— ...".
LABEL_RE = re.compile(
    r"(?:(?i:keywords|key words|index terms)|Background|Objectives?|Purpose|Aims?|Methods?"
    r"|Results?|Conclusions?|Motivation|Significance|Code|Data|Availability|Contact"
    r"|Supplementary information)\s?(?::|—)\s"
)
# A line shorter than this that does not end a sentence is a heading ("Background").
HEADING_CHARS = 40
# A full stop that ends an abbreviation, not a sentence ("etc." may end one too).
ABBREVIATION_ENDS = (" e.g.", " i.e.", " et al.", " vs.", " cf.", " resp.", " viz.")
# A line that goes on in lower case, a command or a bracket aside ("\\textit{agents ...").
GOES_ON_RE = re.compile(r"(?:\\[a-zA-Z]+\s*)?[{(\[\"'`]*([^\W\d_])")


def _join_broken_sentences(lines: list[str]) -> list[str]:
    """Lines of a text that is not wrapped, with a sentence an author broke by hand rejoined:
    a line that ends inside a sentence and one that goes on in lower case ("... datasets,\n
    where we ...")."""
    out: list[_Paragraph] = []
    for line in lines:
        stripped = line.strip()
        last = out[-1] if out else None
        if last and last.tail and _joins(last, stripped):
            last.add(stripped, " ")
        else:
            out.append(_Paragraph(stripped if stripped else line))
    return [paragraph.text for paragraph in out]


def _joins(paragraph: _Paragraph, line: str) -> bool:
    """Whether ``line`` goes on ``paragraph``: not an item after a sentence's end, and
    carrying on the sentence the paragraph stops inside."""
    if ANY_ITEM_RE.match(line) and paragraph.tail.endswith((*PARAGRAPH_END, ";")):
        return False
    return _carries_on(paragraph.view, line, paragraph.whole)


class _Paragraph:
    """A paragraph being joined from lines, in pieces (joining a string again for each line
    took time quadratic in the paragraph's length): what the join rules read of it is its
    last line, and the whole only while it is short enough to be a heading."""

    def __init__(self, first: str) -> None:
        self.pieces, self.length = [first], len(first)

    def add(self, line: str, glue: str) -> None:
        self.pieces += [glue, line]
        self.length += len(glue) + len(line)

    @property
    def tail(self) -> str:
        return self.pieces[-1]

    @property
    def whole(self) -> bool:
        """Whether ``view`` is the whole paragraph (else its last line, and no heading)."""
        return self.length < HEADING_CHARS

    @property
    def view(self) -> str:
        return self.text if self.whole else self.tail

    @property
    def text(self) -> str:
        return "".join(self.pieces)


def _goes_on(line: str) -> bool:
    """Whether ``line`` carries on a sentence: in lower case, a command or a bracket aside
    ("\\textit{agents ..."), or a formula set on a line of its own; never an item of a list
    ("(ii) ...", "b) ...") nor a label ("keywords: ...", "methods: ...")."""
    if line.startswith(DISPLAY_STARTS):
        return True
    if LABEL_RE.match(line):
        return False
    first = GOES_ON_RE.match(line)
    return first is not None and first.group(1).islower()


def _carries_on(line: str, following: str, whole: bool = True) -> bool:
    """Whether ``following`` carries on the sentence ``line`` stops inside: it goes on
    (``_goes_on``), or ``line`` ends on a word no sentence ends on ("in the years 1968 to"
    and "1974 led ...") and ``following`` is no label. ``whole``: ``line`` is all of its
    paragraph (else its last line, which is no heading)."""
    if not _cut_inside_sentence(line, whole):
        return False
    if _goes_on(following):
        return True
    if not following or LABEL_RE.match(following) or ANY_ITEM_RE.match(following):
        return False  # "... by one agent, and" then "3. arbitrary changes": a list's item
    return line.rsplit(maxsplit=1)[-1] in CLAUSE_WORDS


def _cut_inside_sentence(line: str, whole: bool = True) -> bool:
    """Whether ``line`` stops inside a sentence: no sentence's end (an abbreviation's full
    stop is none: "e.g.", "et al."), no heading (a short line), no link ending it."""
    if (whole and _is_heading(line)) or line.rsplit(None, 1)[-1].startswith(
        ("http://", "https://")
    ):
        return False
    return not line.endswith(PARAGRAPH_END) or line.endswith(ABBREVIATION_ENDS)


def _is_heading(line: str) -> bool:
    """A short line that stands alone, a title ("Background", "Deep Learning for Graphs"),
    not a clause ("In this paper,", "We propose a new method")."""
    if len(line) >= HEADING_CHARS or line.endswith((",", ";", "-")):
        return False
    words = line.split()
    if words[-1].lower() in CLAUSE_WORDS:
        return False
    # A title: every word but the small ones capitalised ("Background", "Deep Learning for
    # Graphs"; not "We minimise").
    content = [w for w in words if w.lower() not in CLAUSE_WORDS]
    return all(w[:1].isupper() or not w[:1].isalpha() for w in content)


# Words a heading does not end on: a clause goes on after them.
CLAUSE_WORDS = frozenset(
    (
        *("and", "or", "but", "of", "the", "a", "an", "to", "in", "for", "with", "on", "by"),
        *("that", "which", "we", "is", "are", "as", "from", "at", "into", "between", "this"),
        *("our", "its"),
    )
)


def _wrap_width(lines: list[str]) -> int | None:
    """The width ``lines`` were wrapped at, or None when they do not read as wrapped.

    It is read off lines a wrap could have cut (not the last; not a single unbreakable word,
    a link, longer than the width), as the length most of them reach: a line an author
    lengthened by hand does not set it."""
    lengths = sorted(len(line.strip()) for line in lines[:-1] if " " in line.strip())
    if len(lengths) < WRAP_MIN_LINES:
        return None
    width = lengths[(len(lengths) - 1) * WRAP_WIDTH_SHARE // 100]
    if not WRAP_MIN <= width <= WRAP_MAX:
        return None
    near = sum(width - WRAP_SLACK <= n for n in lengths)
    if near < max(WRAP_MIN_LINES, len(lengths) // 2):
        return None
    # A wrap cuts lines anywhere, mostly inside a sentence; lines written one a sentence (a
    # structured abstract's "Methods: ...", a list) end theirs.
    ends = [line.rstrip().endswith(PARAGRAPH_END) for line in lines[:-1] if line.strip()]
    return width if sum(ends) * 2 <= len(ends) else None


def _paragraphs(raw: str) -> list[str]:
    """The paragraphs of a raw abstract: as its markup's blocks lay it out, or its lines
    (``unwrap``)."""
    if "<" in raw and MARKUP_CLOSED_BLOCK_RE.search(raw):
        raw = markup_paragraphs(raw)
    if "\n" not in raw:
        return [raw]
    # What a second cleaning reads: the paragraphs, one a line, where one that stops inside
    # a sentence and the next that carries it on meet ("exposed to\n\nBPA at ...").
    return _join_broken_sentences([p for p in unwrap(raw) if p.strip()])


# A paper is shown on the cluster page of each of its authors and again on every re-crawl:
# the same raw abstract comes back often, and cleaning is a pure function of it and of the
# few words of its page that bear on it (none, mostly).
@lru_cache(maxsize=ABSTRACT_MEMO)
def _clean_abstract(raw: str, evidence: frozenset[str]) -> tuple[str | None, tuple[str, ...]]:
    repairs: set[str] = set()
    paragraphs = []
    rules = _rules(evidence)
    # Formulas kept as written travel shifted into the Private Use planes (see SHIFT);
    # characters there that the text brought itself are no text anyone can read.
    if SHIFTED_RE.search(raw):
        raw = SHIFTED_RE.sub("", raw)
    for paragraph in _paragraphs(raw):
        text = normalize_space(paragraph)
        # A formula's dollars pair up afresh once the formulas around them are rendered
        # ("$a$b$c$" read again): the text is read again until nothing changes, which only
        # LaTeX that reads as nothing sensible ever needs.
        for _ in range(MAX_READINGS):
            cleaned = _clean_paragraph(text, rules, repairs)
            if cleaned == text or ("$" not in cleaned and "\\" not in cleaned):
                text = cleaned
                break
            text = cleaned
        if text:
            paragraphs.append(text)
    return "\n".join(paragraphs) or None, tuple(sorted(repairs))
