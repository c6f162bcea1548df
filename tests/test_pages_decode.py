"""Bytes to text: declared charsets are honoured, and wrong declarations survived."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crawler.pages.decode import decode_body

TEXT = "Tomás Mikolov · Hervé Jégou – “Air Canada”"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (f'<meta charset="utf-8"><p>{TEXT}</p>'.encode(), None),
        (f'<meta charset="windows-1252"><p>{TEXT}</p>'.encode("cp1252"), None),
        (
            f'<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">{TEXT}'.encode(
                "cp1252"
            ),
            None,
        ),
        (f"<p>{TEXT}</p>".encode("cp1252"), "text/html; charset=windows-1252"),
        (f"<p>{TEXT}</p>".encode(), "text/html; charset=utf-8"),
        (("\ufeff<p>" + TEXT + "</p>").encode("utf-16-le"), None),
        (b"\xef\xbb\xbf" + f"<p>{TEXT}</p>".encode(), "text/html; charset=iso-8859-1"),
        (f"<p>{TEXT}</p>".encode(), None),
        (f"<p>{TEXT}</p>".encode("cp1252"), None),
        (f'<meta charset="utf-8"><p>{TEXT}</p>'.encode("cp1252"), None),
        (f'<meta charset="windows-1252"><p>{TEXT}</p>'.encode(), None),
        (f"<p>{TEXT}</p>".encode(), "text/html; charset=ISO-8859-1"),
    ],
    ids=[
        "meta-utf8",
        "meta-cp1252",
        "http-equiv-cp1252",
        "header-cp1252",
        "header-utf8",
        "bom-utf16",
        "bom-beats-header",
        "undeclared-utf8",
        "undeclared-cp1252",
        "utf8-declared-but-cp1252",
        "cp1252-declared-but-utf8",
        "latin1-header-but-utf8",
    ],
)
def test_decode_body(body: bytes, content_type: str | None) -> None:
    assert TEXT in decode_body(body, content_type)


def test_latin1_declaration_reads_as_windows_1252_like_browsers() -> None:
    body = '<meta charset="iso-8859-1"><p>“quoted” – dash</p>'.encode("cp1252")
    assert "“quoted” – dash" in decode_body(body)


RAW = "a\x00b\x01c\x1bd\x7fe\x85f\x9fg\x0bh"


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (f"<p>{RAW}</p>".encode(), None, "abcdefgh"),
        (f"<p>{RAW} · é</p>".encode(), "text/html; charset=utf-8", "abcdefgh · é"),
        # Windows-1252, as browsers read Latin-1: 0x85 and 0x9F are "…" and "Ÿ" there.
        (f"<p>{RAW}</p>".encode("latin-1"), "text/html; charset=latin-1", "abcde…fŸgh"),
        (f"<p>{RAW}</p>".encode("utf-16"), None, "abcdefgh"),
    ],
    ids=["utf8-ascii", "utf8-declared", "latin1", "utf16-bom"],
)
def test_control_characters_are_removed_whatever_the_encoding(
    body: bytes, content_type: str | None, expected: str
) -> None:
    assert decode_body(body, content_type) == f"<p>{expected}</p>"


@pytest.mark.parametrize("text", ["tab\tnew\nline\rform\ffeed", "plain ascii", "ünïcödé · –"])
def test_allowed_whitespace_and_text_are_kept(text: str) -> None:
    assert decode_body(f"<p>{text}</p>".encode()) == f"<p>{text}</p>"


@given(
    st.binary(max_size=16)
    | st.lists(st.sampled_from(list(b" \t\n\r\x0b\x0c\x00\xa0\x1ca"))).map(bytes)
)
def test_a_page_is_empty_exactly_when_stripping_leaves_nothing(body: bytes) -> None:
    from crawler.pages import PageError, parse_page

    try:
        parse_page(body, "page.html")
    except PageError as exc:
        assert (exc.reason == "empty page") == (not body.strip())
    else:
        assert body.strip()
