"""Visible-text rendering: what a reader sees, nothing a browser hides."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crawler.pages import HTML_END_RE, TAIL_CHARS, _closes_html
from crawler.pages.visible import (
    OTHER_ASCII_SPACES,
    clean_line,
    parse_html,
    squeeze_ascii,
    text_lines,
    visible_lines,
)


def lines(html: str) -> list[str]:
    root = parse_html(html)
    assert root is not None
    return visible_lines(root)


@pytest.mark.parametrize(
    ("html", "want"),
    [
        ("<p>One</p><p>Two</p>", ["One", "Two"]),
        ("<div>One<br>Two</div>", ["One", "Two"]),
        ("<p>A <b>bold</b> word</p>", ["A bold word"]),
        ("<ul><li>Jeff Dean</li><li>Quoc V. Le</li></ul>", ["• Jeff Dean", "• Quoc V. Le"]),
        ("<ol><li><p>Venue</p><h3>Title</h3></li></ol>", ["Venue", "Title"]),
        ("<p>Quoc&nbsp;V.&#32;Le &amp; co</p>", ["Quoc V. Le & co"]),
        ("<p>zero\u200bwidth</p>", ["zerowidth"]),
        ("<script>var x = 'Author name cluster';</script><p>Shown</p>", ["Shown"]),
        ("<style>p { color: red }</style><p>Shown</p>", ["Shown"]),
        ("<noscript>Enable JS</noscript><template><p>T</p></template><p>Shown</p>", ["Shown"]),
        ('<p hidden>No</p><p style="display: none">No</p><p>Yes</p>', ["Yes"]),
        # aria-hidden hides from screen readers only: a " · " separator is still seen.
        (
            '<p><a>A One</a><span aria-hidden="true"> · </span><a>Bea Two</a></p>',
            ["A One · Bea Two"],
        ),
        (
            "<p><span>ICML</span><span>Conference</span><span>2018</span></p>",
            ["ICML · Conference · 2018"],
        ),
        (
            "<p><span>Jeff</span> <span>Dean</span>, <em>et</em><em>al.</em></p>",
            ["Jeff Dean, et al."],
        ),
        ('<h3><a>ENAS</a> <img src="oa.svg" alt="Open access"></h3>', ["ENAS"]),
        ('<body class="page cookies-not-set"><p>Yes</p></body>', ["Yes"]),
        (
            '<div id="gdpr-wrapper"><p>Yes</p></div><div class="cookie-banner">We use cookies</div>',
            ["Yes"],
        ),
        ("<aside><h3>Related authors</h3><ul><li>Quoc V. Le</li></ul></aside><p>Yes</p>", ["Yes"]),
        (
            '<x-list><template shadowrootmode="open"><p>Yes</p></template></x-list><template><p>No</p></template>',
            ["Yes"],
        ),
        ("<p>Herve\u0301 Je\u0301gou</p>", ["Hervé Jégou"]),
        ('<nav><a href="/">Home</a></nav><div role="navigation">Menu</div><p>Yes</p>', ["Yes"]),
        (
            '<div class="cookie-banner">We use cookies</div><div id="gdpr-consent">OK</div><p>Yes</p>',
            ["Yes"],
        ),
        ("<main><p>Yes</p></main><footer>© 2026 Site</footer>", ["Yes"]),
        ('<p>Yes</p><div id="site-footer">Privacy</div>', ["Yes"]),
        (
            "<article><p>Yes</p><footer>Card footer stays</footer></article>",
            ["Yes", "Card footer stays"],
        ),
        ("<table><tr><td>One</td><td>Two</td></tr></table>", ["One", "Two"]),
        ("<!-- a comment --><p>Yes</p>", ["Yes"]),
        (
            "<pre>Author name cluster\n\nJeff Dean\n  • A. One</pre>",
            ["Author name cluster", "Jeff Dean", "• A. One"],
        ),
        (
            '<p class="sr-only">No</p><span class="d-none">No</span><p class="x hidden">No</p><p>Yes</p>',
            ["Yes"],
        ),
    ],
)
def test_visible_lines(html: str, want: list[str]) -> None:
    assert lines(f"<html><body>{html}</body></html>") == want


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("  a\u00a0 b \n\n\t  • c  \r\n", ["a b", "• c"]),
        (
            "# Jeff Dean\n## Possible papers\n**ICML Conference 2018 Conference Paper**",
            ["Jeff Dean", "Possible papers", "ICML Conference 2018 Conference Paper"],
        ),
        (
            "> quoted line\n---\n* Jeff Dean\n- Quoc V. Le\n_Title_",
            ["quoted line", "* Jeff Dean", "- Quoc V. Le", "Title"],
        ),
    ],
)
def test_text_lines(text: str, want: list[str]) -> None:
    assert text_lines(text) == want


# Long ASCII texts with every kind of whitespace str.split() knows, runs of it at either end
# and inside: squeeze_ascii returns a text as it is only when the slow way would too.
ASCII_TEXT = st.text(
    alphabet=st.sampled_from("ab. -" + OTHER_ASCII_SPACES), min_size=0, max_size=200
)


@given(ASCII_TEXT)
def test_squeeze_ascii_is_split_and_join(text: str) -> None:
    assert squeeze_ascii(text) == " ".join(text.split())


@pytest.mark.parametrize(
    "text",
    [
        "word " * 20 + "end",  # long and already squeezed: returned as it is
        "word " * 20 + "end ",
        " word" * 20,
        "word " * 10 + " word" * 10,
        "word " * 20 + "\x1c" + "end",
        "word " * 20 + "\x0cend",
        "short  one",
    ],
)
def test_squeeze_ascii_table(text: str) -> None:
    assert squeeze_ascii(text) == " ".join(text.split())
    assert clean_line(text) == " ".join(text.split())


@given(
    st.lists(
        st.sampled_from(["</html>", "</HTML >", "</html\n>", "</htm>", "<html>", "x", "\n"]),
        max_size=8,
    ),
    st.integers(min_value=0, max_value=TAIL_CHARS + 10),
)
def test_closing_html_is_found_as_the_pattern_finds_it(parts: list[str], pad: int) -> None:
    # Padding after the parts puts a closing tag inside the searched tail or before it.
    text = "".join(parts) + "p" * pad
    want = HTML_END_RE.search(text, max(0, len(text) - TAIL_CHARS)) is not None
    assert _closes_html(text) is want
