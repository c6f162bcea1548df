"""Render the visible text of any HTML page as lines, the way a reader sees it.

Block elements start new lines, list items that hold only inline content become bullet
lines, and nothing a browser would not show (scripts, styles, hidden nodes) or that is
page furniture (navigation, sidebars, cookie banners, page footers) is read as content.
Each line carries the path of block elements it came from, so that the grammar can tell
which lines belong to one paper's card.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

from lxml import etree
from lxml.etree import _Comment, _Element, _ProcessingInstruction

BULLET = "•"

BLOCK_TAGS = frozenset(
    [
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
        "footer",
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
        "nav",
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
    ]
)
NEVER_SHOWN_TAGS = frozenset(
    [
        "head",
        "script",
        "style",
        "noscript",
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
        "aside",
        "dialog",
    ]
)
PREFORMATTED_TAGS = frozenset(("pre", "listing", "plaintext", "xmp"))
# Inline elements a page lays out side by side with CSS alone: a word boundary between them.
SEPARATED_INLINE_TAGS = frozenset(("span", "a", "time", "label", "cite", "small", "strong", "em"))
ITEM_TAGS = frozenset(("a", "span"))
ITEM_SEPARATOR = " · "
WORD_RE = re.compile(r"\w")
NO_SPACE_BEFORE = ",.;:!?)]}’”'"
HIDDEN_CLASSES = frozenset(
    ("hidden", "d-none", "invisible", "sr-only", "visually-hidden", "screen-reader-text")
)
CHROME_ROLES = frozenset(
    ("navigation", "contentinfo", "complementary", "dialog", "alertdialog", "search")
)
# Class or id tokens of page furniture; checked token by token, on small elements only.
CHROME_TOKEN_RE = re.compile(
    r"^(?:cookie|consent|gdpr|cc)[-_]?(?:banner|bar|notice|consent|popup|modal|dialog|box)?$"
    r"|^(?:site|page|global)?[-_]?footer$|^colophon$|^copyright$|^skip[-_]?link$",
    re.I,
)
CHROME_MAX_CHARS = 1500
NEVER_CHROME_TAGS = frozenset(("html", "body", "main", "article"))
HIDDEN_STYLE_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
SPACE_RE = re.compile(r"[ \t\r\n\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
# Invisible format characters: zero widths, the soft hyphen, and the bidirectional marks,
# embeddings and isolates (an RTL mark inside a name is not part of the name).
ZERO_WIDTH_RE = re.compile(
    r"[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]"
)
XML_DECLARATION_RE = re.compile(r"^\s*<\?xml[^>]*\?>")
MARKDOWN_PREFIX_RE = re.compile(r"^(?:#{1,6}\s+|>\s*)+")
MARKDOWN_WRAP_RE = re.compile(r"^(?P<mark>\*\*|__|\*|_)(?P<inner>[^*_].*?)(?P=mark)$")
MARKDOWN_RULE_RE = re.compile(r"^(?:[-*_=]\s*){3,}$")

# lxml's plain elements: lxml.html's element classes cost a Python call per node visited.
_PARSER = etree.HTMLParser(huge_tree=True)
# Deeper than any page a person reads; a document nested deeper is refused, not rendered.
MAX_DEPTH = 1000


class VisibleLine(NamedTuple):
    """A line of visible text and the ids of the block elements it sits in, outermost first."""

    text: str
    path: tuple[int, ...]


# The ASCII characters str.split() splits on besides the space.
OTHER_ASCII_SPACES = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f"
# Below this length cutting a text into words and joining them costs less than checking.
SQUEEZE_CHECK_CHARS = 64


def squeeze_ascii(text: str) -> str:
    """``" ".join(text.split())`` of ASCII ``text``. A long text already in that form (an
    abstract on one line) is told so by searches in C and returned as it is: about a third
    of the time of cutting it into words and joining them again."""
    if (
        len(text) > SQUEEZE_CHECK_CHARS
        and text[0] != " "
        and text[-1] != " "
        and "  " not in text
        and not any(space in text for space in OTHER_ASCII_SPACES)
    ):
        return text
    return " ".join(text.split())


def clean_line(text: str) -> str:
    """NFC, no invisible format characters (zero widths, soft hyphens, bidi marks),
    whitespace collapsed."""
    if text.isascii():
        # Nothing invisible and nothing to compose; str.split() splits on ASCII whitespace
        # at C speed.
        return squeeze_ascii(text)
    text = SPACE_RE.sub(" ", ZERO_WIDTH_RE.sub("", text)).strip()
    return unicodedata.normalize("NFC", text)


def parse_html(text: str) -> _Element | None:
    """The lxml tree of ``text``, or None when there is no markup to read."""
    try:
        root = etree.fromstring(XML_DECLARATION_RE.sub("", text), parser=_PARSER)
    except (etree.ParserError, ValueError):
        return None
    return root if isinstance(root, _Element) else None


def _text_of(el: _Element) -> str:
    return "".join(t for t in el.itertext() if isinstance(t, str))


def _tag(el: _Element) -> str:
    return el.tag.lower() if isinstance(el.tag, str) else ""


def _is_chrome(el: _Element, tag: str) -> bool:
    if tag in NEVER_CHROME_TAGS:
        return False
    attrib = el.attrib
    if tag == "footer" and not any(_tag(a) == "article" for a in el.iterancestors()):
        return True
    tokens = f"{attrib.get('class', '')} {attrib.get('id', '')}".split()
    if not any(CHROME_TOKEN_RE.match(t) for t in tokens):
        return False
    # A wrapper that happens to carry such a class holds the page itself: keep it.
    return len(_text_of(el)) <= CHROME_MAX_CHARS


def _is_hidden(el: _Element) -> bool:
    tag = _tag(el)
    if tag in NEVER_SHOWN_TAGS:
        return True
    attrib = el.attrib
    if tag == "template" and "shadowrootmode" not in attrib:
        return True
    if "hidden" in attrib or HIDDEN_STYLE_RE.search(attrib.get("style", "")):
        return True
    if HIDDEN_CLASSES.intersection(attrib.get("class", "").lower().split()):
        return True
    if attrib.get("role", "").lower() in CHROME_ROLES:
        return True
    return _is_chrome(el, tag)


def _is_item_row(el: _Element) -> bool:
    """Links or spans side by side with nothing at all between them: items a stylesheet spaces.

    A flex row of author links shows as "Barret Zoph  Jeff Dean"; its text alone would read
    "Barret ZophJeff Dean". Such items are joined with a visible separator instead.
    """
    children = [c for c in el if isinstance(c.tag, str)]
    if len(children) < 2 or (el.text or "").strip():
        return False
    return all(
        _tag(c) in ITEM_TAGS and not c.tail and WORD_RE.search(_text_of(c)) for c in children
    )


def _has_block_child(el: _Element) -> bool:
    return any(
        _tag(d) in BLOCK_TAGS and not _is_hidden(d) for d in el.iterdescendants() if d is not None
    )


class _Lines:
    def __init__(self) -> None:
        self.lines: list[VisibleLine] = []
        self.parts: list[str] = []
        self.prefix = ""
        self.preformatted = 0
        self.pending_space = False
        self.path: list[int] = []
        self.next_id = 0

    def text(self, value: str | None) -> None:
        if not value:
            return
        if self.pending_space:
            self.pending_space = False
            if self.parts and not value[0].isspace() and value[0] not in NO_SPACE_BEFORE:
                self.parts.append(" ")
        if not self.preformatted:
            self.parts.append(value)
            return
        # Inside <pre> a newline is a line break, as a browser shows it.
        first, *rest = value.split("\n")
        self.parts.append(first)
        for piece in rest:
            self.flush()
            self.parts.append(piece)

    def boundary(self) -> None:
        """A word boundary between inline elements that CSS lays out apart, unless the
        next text is punctuation or brings its own space."""
        self.pending_space = bool(self.parts) and not self.parts[-1][-1:].isspace()

    def flush(self) -> None:
        line = clean_line("".join(self.parts))
        self.parts = []
        self.pending_space = False
        if line:
            self.lines.append(VisibleLine(f"{self.prefix}{line}", tuple(self.path)))
            self.prefix = ""

    def enter_block(self) -> None:
        self.flush()
        self.next_id += 1
        self.path.append(self.next_id)

    def leave_block(self) -> None:
        self.flush()
        self.path.pop()


class NestingError(ValueError):
    """A document nested deeper than any page a person reads (``MAX_DEPTH`` elements)."""


def _enter(el: _Element, out: _Lines) -> bool:
    """Open ``el``: its own text and what it starts; False when it is not shown at all."""
    if isinstance(el, (_Comment, _ProcessingInstruction)) or _is_hidden(el):
        out.text(el.tail)
        return False
    tag = _tag(el)
    if tag in BLOCK_TAGS:
        out.enter_block()
    elif tag in SEPARATED_INLINE_TAGS:
        out.boundary()
    if tag == "li" and not _has_block_child(el):
        out.prefix = f"{BULLET} "
    if tag == "br":
        out.flush()
    out.preformatted += tag in PREFORMATTED_TAGS
    out.text(el.text)
    return True


def _leave(el: _Element, out: _Lines) -> None:
    """Close ``el``, after its children: what it ends, then the text that follows it."""
    tag = _tag(el)
    out.preformatted -= tag in PREFORMATTED_TAGS
    if tag in BLOCK_TAGS:
        out.leave_block()
    elif tag in SEPARATED_INLINE_TAGS:
        out.boundary()
    out.text(el.tail)


OPEN, CLOSE, SEPARATE = 0, 1, 2


def _walk(top: _Element, out: _Lines) -> None:
    """Render ``top`` in document order, with a stack of its own rather than Python's, so
    that no nesting exhausts the interpreter's; a page nested deeper than MAX_DEPTH is
    refused (NestingError) rather than read: its lines' paths alone would be quadratic."""
    stack: list[tuple[int, _Element | None]] = [(OPEN, top)]
    depth = 0
    while stack:
        action, el = stack.pop()
        if action == SEPARATE:
            out.text(ITEM_SEPARATOR)
            continue
        assert el is not None
        if action == CLOSE:
            _leave(el, out)
            depth -= 1
            continue
        if not _enter(el, out):
            continue
        depth += 1
        if depth > MAX_DEPTH:
            msg = f"elements nested more than {MAX_DEPTH} deep"
            raise NestingError(msg)
        stack.append((CLOSE, el))
        children = list(el)
        itemized = _is_item_row(el)
        for i in range(len(children) - 1, -1, -1):
            stack.append((OPEN, children[i]))
            if itemized and i:
                stack.append((SEPARATE, None))


def visible_blocks(root: _Element) -> list[VisibleLine]:
    """The non-empty visible lines of the document rooted at ``root``, with their paths."""
    body = root.find(".//body")
    out = _Lines()
    _walk(body if body is not None else root, out)
    out.flush()
    return out.lines


def visible_lines(root: _Element) -> list[str]:
    """The non-empty visible lines of the document rooted at ``root``."""
    return [line.text for line in visible_blocks(root)]


def _element_text(el: _Element) -> str | None:
    return clean_line(_text_of(el)) or None


def document_title(root: _Element) -> str | None:
    """The ``<title>`` text, whitespace collapsed."""
    title = root.find(".//title")
    return _element_text(title) if title is not None else None


def document_heading(root: _Element) -> str | None:
    """The first visible ``<h1>`` text, whitespace collapsed."""
    for heading in root.iter("h1"):
        if not any(_is_hidden(e) for e in (heading, *heading.iterancestors())):
            return _element_text(heading)
    return None


def _plain(line: str) -> str:
    """A text line without Markdown dressing: heading marks, quote marks, bold wrapping."""
    line = MARKDOWN_PREFIX_RE.sub("", clean_line(line))
    wrapped = MARKDOWN_WRAP_RE.match(line)
    return wrapped["inner"].strip() if wrapped else line


# Size: the iterative, depth-bounded walk over every kind of element, without recursion.
def _unwrap(lines: list[str]) -> list[str]:
    """Rejoin lines a "save as text" hard-wrapped at a fixed width.

    Only when the text looks wrapped: the longest line between ``WRAP_MIN`` and
    ``WRAP_MAX`` characters and many lines close to it. A line that nearly fills the
    width continues on the next one, unless that one is blank or a bullet.
    """
    lengths = [len(line) for line in lines if line.strip()]
    if not lengths or not WRAP_MIN <= max(lengths) <= WRAP_MAX:
        return lines
    full = max(lengths) - WRAP_SLACK
    if sum(n >= full for n in lengths) < WRAP_MIN_LINES:
        return lines
    out: list[str] = []
    continues = False
    for line in lines:
        stripped = line.strip()
        if continues and stripped and stripped[0] not in BULLET_STARTS:
            out[-1] = f"{out[-1]} {stripped}"
        else:
            out.append(line)
        continues = bool(stripped) and len(line) >= full
    return out


WRAP_MIN = 60
WRAP_MAX = 100
WRAP_SLACK = 25
WRAP_MIN_LINES = 5
BULLET_STARTS = "•*-·◦▪‣\uf0b7"


def text_lines(text: str) -> list[str]:
    """The non-empty lines of a plain-text snapshot, whitespace collapsed."""
    raw = _unwrap([line.rstrip() for line in text.splitlines()])
    cleaned = (_plain(line) for line in raw)
    return [line for line in cleaned if line and not MARKDOWN_RULE_RE.match(line)]
