"""BibTeX: one entry per paper, with citation keys unique within an export and stable
across exports.

A key is the first author's family name, the year and the title's first significant word,
folded to ASCII (``dean2025matryoshka``). Papers whose keys would clash all take a suffix
decided by their ids, in id order (``-a``, ``-b``, ...), never by the order they come in, so
the same papers give the same keys from any store. Finding the clashes takes a first pass
over the records that keeps 16 bytes a paper (a hash of its key, its id as a number), then
8 bytes a clashing paper; the second pass writes.
"""

from __future__ import annotations

import hashlib
import re
from array import array
from bisect import bisect_left
from collections import defaultdict
from typing import TYPE_CHECKING, Any, ClassVar

from pipelines.exporters.base import Exporter, Record, reiterable
from pipelines.exporters.citation import (
    Kind,
    PersonName,
    ascii_fold,
    authors_incomplete,
    cited_authors,
    container,
    paper_id,
    paper_kind,
    split_name,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from typing import IO

ENTRY_TYPES = {
    Kind.CONFERENCE: "inproceedings",
    Kind.JOURNAL: "article",
    # As arXiv's own BibTeX export: @misc, the repository in howpublished.
    Kind.PREPRINT: "misc",
    Kind.OTHER: "misc",
}
CONTAINER_FIELDS = {
    Kind.CONFERENCE: "booktitle",
    Kind.JOURNAL: "journal",
    Kind.PREPRINT: "howpublished",
    Kind.OTHER: "howpublished",
}

# Entry field <- record field, written verbatim.
URL_FIELDS = (("doi", "doi"), ("url", "url"), ("pdf", "pdf_url"))

LATEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
LATEX_SPECIALS_RE = re.compile("|".join(re.escape(c) for c in LATEX_SPECIALS))


# BibTeX counts every brace, escaped or not: braces that do not pair up in a text are
# written as commands without braces of their own.
UNPAIRED_BRACES = {"{": r"\textbraceleft{}", "}": r"\textbraceright{}"}


def braces_pair(text: str) -> bool:
    """Whether every ``}`` of ``text`` closes an earlier ``{`` and every ``{`` is closed."""
    depth = 0
    for char in text:
        depth += (char == "{") - (char == "}")
        if depth < 0:
            return False
    return depth == 0


def latex_escape(text: str, paired: bool | None = None) -> str:
    """``text`` with LaTeX's special characters escaped and line breaks made spaces;
    non-ASCII characters are kept (the file is UTF-8). ``paired`` says whether the braces
    of the whole text (of which ``text`` may be a word) pair up; by default, of ``text``."""
    flat = " ".join(text.split())
    specials = LATEX_SPECIALS
    if not (braces_pair(text) if paired is None else paired):
        specials = LATEX_SPECIALS | UNPAIRED_BRACES
    return LATEX_SPECIALS_RE.sub(lambda m: specials[m.group()], flat)


def _needs_protection(word: str) -> bool:
    # Capitals a style must not lower-case: inside a word (BERT, DataRater, Q-Learning) or
    # a capital letter standing alone (Plan B); a capitalized ordinary word is left to the
    # style, which may sentence-case the title.
    letters = [c for c in word if c.isalpha()]
    if len(letters) == 1:
        return letters[0].isupper() and letters[0] != "A"
    return any(c.isupper() for c in letters[1:])


def bibtex_title(title: str) -> str:
    """The title escaped, its acronyms and inner capitals protected with braces."""
    paired = braces_pair(title)
    escaped = [(latex_escape(w, paired), _needs_protection(w)) for w in title.split()]
    return " ".join(f"{{{text}}}" if protect else text for text, protect in escaped)


def bibtex_name(name: PersonName) -> str:
    """``von Last, Jr, First`` as BibTeX reads it; a one-word name as written."""
    if name.single:
        return _protect_and(latex_escape(name.family))
    family = " ".join(p for p in (name.particle, name.family) if p)
    parts = [family, name.suffix, name.given] if name.suffix else [family, name.given]
    return _protect_and(", ".join(latex_escape(p) for p in parts))


def _protect_and(text: str) -> str:
    # A name word "and" would split the author list.
    return re.sub(r"(?i)\band\b", lambda m: "{" + m.group() + "}", text)


def bibtex_url(url: str) -> str:
    """A URL or DOI as written (styles read these fields verbatim), with the characters that
    could unbalance the entry's braces percent-encoded."""
    return url.replace("{", "%7B").replace("}", "%7D").replace("\\", "%5C")


STOP_WORDS = frozenset({
    "a", "an", "the", "on", "of", "in", "for", "to", "and", "or", "with", "without", "towards",
    "toward", "via", "from", "by", "at", "as", "is", "are", "be", "do", "does", "can", "we",
    "our", "what", "when", "where", "which", "who", "how", "why", "into", "about", "beyond",
    "through", "using", "under", "over", "not", "no",
})  # fmt: skip


def base_key(record: Record) -> str:
    """``dean2025matryoshka``: the first author's family name (with its particle), the year,
    the first title word that is not a stop word, in lower-case ASCII letters and digits."""
    authors = cited_authors(record)
    family = ""
    if authors:
        name = split_name(str(authors[0]["name"]))
        family = _key_word(f"{name.particle}{name.family}")
    words = re.findall(r"[a-z0-9]+", ascii_fold(str(record.get("title") or "")).lower())
    word = next((w for w in words if w not in STOP_WORDS), words[0] if words else "")
    return f"{family or 'anon'}{record.get('year') or ''}{word}"


def _key_word(text: str) -> str:
    return "".join(re.findall(r"[a-z0-9]+", ascii_fold(text).lower()))


def _hash64(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big")


HEX_ID_RE = re.compile(r"[0-9a-f]{16}")


def id_hash(record: Record) -> int:
    """The paper's id as 8 bytes, in the ids' order: a 16-hex-digit id is its own number,
    any other id is hashed."""
    identifier = paper_id(record)
    if HEX_ID_RE.fullmatch(identifier):
        return int(identifier, 16)
    return _hash64(identifier)


def letter_suffix(index: int) -> str:
    """a, b, ..., z, aa, ab, ...: the ``index``-th (from 0)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


HASH_BUCKETS = 16


def _duplicates(hashes: array[int]) -> set[int]:
    """The values found more than once in ``hashes``. One bucket of values at a time is
    held in a set, so the extra memory is a sixteenth of a plain set of them all."""
    found: set[int] = set()
    for bucket in range(HASH_BUCKETS):
        seen: set[int] = set()
        for value in hashes:
            if value % HASH_BUCKETS == bucket:
                if value in seen:
                    found.add(value)
                seen.add(value)
    return found


class Clashes:
    """The papers of an export whose base keys clash: per clashing key (its hash), the
    clashing ids (``id_hash``) sorted, 8 bytes each. Found in one pass over the records that
    keeps 16 bytes a paper."""

    def __init__(self, records: Iterable[Record]) -> None:
        keys: array[int] = array("Q")
        ids: array[int] = array("Q")
        for record in records:
            keys.append(_hash64(base_key(record)))
            ids.append(id_hash(record))
        clashing = _duplicates(keys)
        groups: dict[int, array[int]] = defaultdict(lambda: array("Q"))
        for key, number in zip(keys, ids, strict=True):
            if key in clashing:
                groups[key].append(number)
        self.groups = {key: array("Q", sorted(group)) for key, group in groups.items()}

    def suffix(self, key: str, record: Record) -> str:
        """ "-a", "-b", ... by the paper's place among the ids clashing on ``key``; "" when
        no other paper has its key."""
        group = self.groups.get(_hash64(key))
        if group is None:
            return ""
        return "-" + letter_suffix(bisect_left(group, id_hash(record)))


class BibtexExporter(Exporter):
    extensions: ClassVar[tuple[str, ...]] = (".bib", ".bibtex")
    tables: ClassVar[frozenset[str] | None] = frozenset({"papers"})
    description = "BibTeX entries (papers only)"

    def __init__(
        self,
        out: IO[bytes],
        table: str,
        columns: Sequence[str],
        *,
        options: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(out, table, columns, options=options)
        self.clashes = Clashes(())

    def export(self, records: Iterable[Record]) -> int:
        """Two passes over ``records``: the clashing keys first, then the entries."""
        with reiterable(records) as again:
            self.clashes = Clashes(again)
            return super().export(again)

    def key(self, record: Record) -> str:
        """The paper's citation key: its base key, with its suffix on a clash."""
        base = base_key(record)
        return base + self.clashes.suffix(base, record)

    def write(self, record: Record) -> None:
        kind = paper_kind(record)
        fields = self.fields(record, kind)
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        entry = f"@{ENTRY_TYPES[kind]}{{{self.key(record)},\n{body}\n}}\n\n"
        self.out.write(entry.encode("utf-8"))

    def fields(self, record: Record, kind: Kind) -> list[tuple[str, str]]:
        """The entry's fields, in the order written."""
        fields = [("title", bibtex_title(str(record.get("title") or "")))]
        names = [bibtex_name(split_name(str(a["name"]))) for a in cited_authors(record)]
        if names and authors_incomplete(record):
            names.append("others")
        if names:
            fields.append(("author", " and ".join(names)))
        venue = container(record)
        if venue:
            fields.append((CONTAINER_FIELDS[kind], latex_escape(venue)))
        fields.append(("year", str(record.get("year"))))
        if record.get("abstract"):
            fields.append(("abstract", latex_escape(str(record["abstract"]))))
        for name, source in URL_FIELDS:
            if record.get(source):
                fields.append((name, bibtex_url(str(record[source]))))
        return fields
