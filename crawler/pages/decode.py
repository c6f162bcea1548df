"""Bytes to text, honouring BOM, HTTP header and in-document charset declarations."""

from __future__ import annotations

import re

from w3lib.encoding import (
    html_body_declared_encoding,
    http_content_type_encoding,
    read_bom,
    resolve_encoding,
)

# Control characters (but tab, newline, carriage return and form feed): no page shows them,
# and NUL is refused by PostgreSQL's text columns. Removed from every decoded page.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
# The same characters in UTF-8 bytes: the C0 ones and DEL are their own bytes (no multi-byte
# sequence holds a byte below 0x80), and the C1 ones are 0xC2 0x80..0x9F. Looking for them in
# the bytes is several times faster than the pattern above over the decoded text.
C0_BYTES = bytes((*range(0x09), 0x0B, *range(0x0E, 0x20), 0x7F))
C1_UTF8_RE = re.compile(rb"\xc2[\x80-\x9f]")
# Browsers read an undeclared or mis-declared Latin page as windows-1252; so do we.
FALLBACK_ENCODING = "cp1252"
SINGLE_BYTE_LATIN = frozenset(("cp1252", "iso8859-15", "cp1250", "iso8859-2"))


def _is_utf8_with_non_ascii(body: bytes) -> bool:
    if body.isascii():
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def decode_body(body: bytes, content_type: str | None = None) -> str:
    """Decode ``body`` as a browser would (``_decode``), without control characters."""
    text, encoding = _decode(body, content_type)
    if encoding == "utf-8" and not _has_utf8_controls(body):
        return text
    return CONTROL_RE.sub("", text) if CONTROL_RE.search(text) else text


def _has_utf8_controls(body: bytes) -> bool:
    """Whether UTF-8 ``body`` holds a character ``CONTROL_RE`` removes."""
    if len(body.translate(None, C0_BYTES)) != len(body):
        return True
    return b"\xc2" in body and C1_UTF8_RE.search(body) is not None


# Size: the order of evidence for a page's encoding (BOM, header, meta, UTF-8, fallback)
# is the rule itself.
def _decode(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode ``body`` the way a browser would.

    Order: byte-order mark, the HTTP ``Content-Type`` charset, a ``<meta>`` declaration,
    then UTF-8. A declared charset that does not fit the bytes is not trusted: UTF-8 and
    then windows-1252 are tried, and windows-1252 never fails. A Latin declaration over
    a body that is valid, non-ASCII UTF-8 is taken to be stale: the body is UTF-8. Returns
    the text and the codec that read all of ``body`` ("" when bytes had to be replaced or
    a byte-order mark was cut off).
    """
    bom_encoding, bom = read_bom(body)
    if bom_encoding and bom:
        return body[len(bom) :].decode(bom_encoding, errors="replace"), ""
    candidates: list[str] = []
    for declared in (
        http_content_type_encoding(content_type or ""),
        html_body_declared_encoding(body),
    ):
        resolved = resolve_encoding(declared) if declared else None
        if resolved:
            # Like browsers: a declared UTF-16/32 without a byte-order mark means UTF-8.
            candidates.append("utf-8" if resolved.startswith(("utf-16", "utf-32")) else resolved)
    if candidates and candidates[0] in SINGLE_BYTE_LATIN and _is_utf8_with_non_ascii(body):
        # Saved pages often keep a Latin declaration over a body re-encoded as UTF-8;
        # Latin text with accents is almost never valid UTF-8, so the bytes decide.
        candidates.insert(0, "utf-8")
    candidates += ["utf-8", FALLBACK_ENCODING]
    for encoding in candidates:
        try:
            return body.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError):
            continue
    return body.decode(FALLBACK_ENCODING, errors="replace"), ""
