"""Bytes to text, honouring BOM, HTTP header and in-document charset declarations."""

from __future__ import annotations

from w3lib.encoding import (
    html_body_declared_encoding,
    http_content_type_encoding,
    read_bom,
    resolve_encoding,
)

# Browsers read an undeclared or mis-declared Latin page as windows-1252; so do we.
FALLBACK_ENCODING = "cp1252"


def decode_body(body: bytes, content_type: str | None = None) -> str:
    """Decode ``body`` the way a browser would.

    Order: byte-order mark, the HTTP ``Content-Type`` charset, a ``<meta>`` declaration,
    then UTF-8. A declared charset that does not fit the bytes is not trusted: UTF-8 and
    then windows-1252 are tried, and windows-1252 never fails.
    """
    bom_encoding, bom = read_bom(body)
    if bom_encoding and bom:
        return body[len(bom) :].decode(bom_encoding, errors="replace")
    candidates: list[str] = []
    for declared in (
        http_content_type_encoding(content_type or ""),
        html_body_declared_encoding(body),
    ):
        resolved = resolve_encoding(declared) if declared else None
        if resolved:
            candidates.append(resolved)
    candidates += ["utf-8", FALLBACK_ENCODING]
    for encoding in candidates:
        try:
            return body.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    return body.decode(FALLBACK_ENCODING, errors="replace")
