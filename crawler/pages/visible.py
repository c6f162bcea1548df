"""Render the visible text of any HTML page as lines, the way a reader sees it.

Block elements start new lines, list items that hold only inline content become
bullet lines, and nothing a browser would not show (scripts, styles, hidden nodes,
navigation, cookie banners, footers) is ever read as content.
"""

from __future__ import annotations

import re

from lxml import html as lxml_html
from lxml.etree import ParserError, _Comment, _Element, _ProcessingInstruction

BULLET = "•"

BLOCK_TAGS = frozenset(
    (
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "caption",
        "center",
        "dd",
        "details",
        "dialog",
        "dir",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "html",
        "li",
        "main",
        "menu",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    )
)
NEVER_SHOWN_TAGS = frozenset(
    (
        "head",
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "canvas",
        "iframe",
        "object",
        "embed",
        "select",
        "option",
        "button",
        "input",
        "textarea",
        "nav",
        "dialog",
    )
)
PREFORMATTED_TAGS = frozenset(("pre", "listing", "plaintext", "xmp"))
HIDDEN_CLASSES = frozenset(
    ("hidden", "d-none", "invisible", "sr-only", "visually-hidden", "screen-reader-text")
)
CHROME_ROLES = frozenset({"navigation", "contentinfo", "dialog", "alertdialog", "search"})
CHROME_CLASS_RE = re.compile(r"cookie|consent|gdpr|skip-link|sr-only|visually-hidden", re.I)
FOOTER_CLASS_RE = re.compile(r"footer|colophon|copyright", re.I)
HIDDEN_STYLE_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
SPACE_RE = re.compile(r"[ \t\r\n\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
MARKDOWN_PREFIX_RE = re.compile(r"^(?:#{1,6}\s+|>\s*)+")
MARKDOWN_WRAP_RE = re.compile(r"^(?P<mark>\*\*|__|\*|_)(?P<inner>[^*_].*?)(?P=mark)$")
MARKDOWN_RULE_RE = re.compile(r"^(?:[-*_=]\s*){3,}$")
ZERO_WIDTH_RE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")


def parse_html(text: str) -> _Element | None:
    """The lxml tree of ``text``, or None when there is no markup to read."""
    try:
        return lxml_html.document_fromstring(text)
    except (ParserError, ValueError):
        return None


def _is_hidden(el: _Element) -> bool:
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag.lower() in NEVER_SHOWN_TAGS:
        return True
    attrib = el.attrib
    # A page footer is chrome; a footer inside a paper card (an article) is content.
    marks = f"{attrib.get('class', '')} {attrib.get('id', '')}"
    if (tag.lower() == "footer" or FOOTER_CLASS_RE.search(marks)) and not any(
        a.tag == "article" for a in el.iterancestors()
    ):
        return True
    if "hidden" in attrib or attrib.get("aria-hidden", "").lower() == "true":
        return True
    if attrib.get("role", "").lower() in CHROME_ROLES:
        return True
    if HIDDEN_STYLE_RE.search(attrib.get("style", "")):
        return True
    if HIDDEN_CLASSES.intersection(attrib.get("class", "").lower().split()):
        return True
    return bool(CHROME_CLASS_RE.search(marks))


def _has_block_child(el: _Element) -> bool:
    return any(
        isinstance(d.tag, str) and d.tag.lower() in BLOCK_TAGS and not _is_hidden(d)
        for d in el.iterdescendants()
    )


class _Lines:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.parts: list[str] = []
        self.prefix = ""
        self.preformatted = 0

    def text(self, value: str | None) -> None:
        if not value:
            return
        if not self.preformatted:
            self.parts.append(value)
            return
        # Inside <pre> a newline is a line break, as a browser shows it.
        first, *rest = value.split("\n")
        self.parts.append(first)
        for piece in rest:
            self.flush()
            self.parts.append(piece)

    def flush(self) -> None:
        line = SPACE_RE.sub(" ", ZERO_WIDTH_RE.sub("", "".join(self.parts))).strip()
        self.parts = []
        if line:
            self.lines.append(f"{self.prefix}{line}")
            self.prefix = ""


def _walk(el: _Element, out: _Lines) -> None:
    if isinstance(el, (_Comment, _ProcessingInstruction)) or _is_hidden(el):
        out.text(el.tail)
        return
    tag = el.tag.lower() if isinstance(el.tag, str) else ""
    block = tag in BLOCK_TAGS
    if block:
        out.flush()
    if tag == "li" and not _has_block_child(el):
        out.prefix = f"{BULLET} "
    if tag == "br":
        out.flush()
    elif tag == "img":
        out.text(el.attrib.get("alt"))
    out.preformatted += tag in PREFORMATTED_TAGS
    out.text(el.text)
    for child in el:
        _walk(child, out)
    out.preformatted -= tag in PREFORMATTED_TAGS
    if block:
        out.flush()
    out.text(el.tail)


def visible_lines(root: _Element) -> list[str]:
    """The non-empty visible lines of the document rooted at ``root``."""
    body = root.find(".//body")
    out = _Lines()
    _walk(body if body is not None else root, out)
    out.flush()
    return out.lines


def document_title(root: _Element) -> str | None:
    """The ``<title>`` text, whitespace collapsed."""
    title = root.find(".//title")
    return _element_text(title) if title is not None else None


def document_heading(root: _Element) -> str | None:
    """The first visible ``<h1>`` text, whitespace collapsed."""
    for heading in root.iter("h1"):
        if not _is_hidden(heading):
            return _element_text(heading)
    return None


def _element_text(el: _Element) -> str | None:
    text = "".join(t for t in el.itertext() if isinstance(t, str))
    return SPACE_RE.sub(" ", ZERO_WIDTH_RE.sub("", text)).strip() or None


def _plain(line: str) -> str:
    """A text line without Markdown dressing: heading marks, quote marks, bold wrapping."""
    line = SPACE_RE.sub(" ", ZERO_WIDTH_RE.sub("", line)).strip()
    line = MARKDOWN_PREFIX_RE.sub("", line)
    wrapped = MARKDOWN_WRAP_RE.match(line)
    return wrapped["inner"].strip() if wrapped else line


def text_lines(text: str) -> list[str]:
    """The non-empty lines of a plain-text snapshot, whitespace collapsed."""
    cleaned = (_plain(line) for line in text.splitlines())
    return [line for line in cleaned if line and not MARKDOWN_RULE_RE.match(line)]
