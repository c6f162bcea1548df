"""RIS: one tagged record per paper (``TY  - CONF`` ... ``ER  - ``), as EndNote, Zotero,
Mendeley and most reference managers import it. Lines end in CR LF, as the format's
specification says; a value never spans lines."""

from __future__ import annotations

from typing import Any, ClassVar

from pipelines.exporters.base import Exporter, Record
from pipelines.exporters.citation import (
    INCOMPLETE_NOTE,
    Kind,
    PersonName,
    authors_incomplete,
    cited_authors,
    container,
    date_parts,
    paper_id,
    paper_kind,
    split_name,
)

RIS_TYPES = {
    Kind.CONFERENCE: "CONF",
    Kind.JOURNAL: "JOUR",
    # RIS has no preprint type; Zotero writes preprints as unpublished work, the
    # repository as publisher.
    Kind.PREPRINT: "UNPB",
    Kind.OTHER: "GEN",
}
CONTAINER_TAGS = {Kind.CONFERENCE: "T2", Kind.JOURNAL: "T2", Kind.PREPRINT: "PB", Kind.OTHER: "T2"}


def ris_name(name: PersonName) -> str:
    """``Family, Given`` (``Family, Given, Suffix``), the particle with the family name;
    a one-word name as written."""
    if name.single:
        return name.family
    family = " ".join(p for p in (name.particle, name.family) if p)
    return ", ".join(p for p in (family, name.given, name.suffix) if p)


def ris_date(parts: list[int]) -> str:
    """RIS's ``YYYY/MM/DD/``, the parts not known left empty (``2025/03//``)."""
    written = [f"{parts[0]:04d}", *(f"{n:02d}" for n in parts[1:])]
    return "/".join(written + [""] * (3 - len(written))) + "/"


def ris_lines(record: Record) -> list[tuple[str, Any]]:
    """The (tag, value) lines of a paper's RIS record, ``TY`` first and ``ER`` last."""
    kind = paper_kind(record)
    lines: list[tuple[str, Any]] = [("TY", RIS_TYPES[kind]), ("ID", paper_id(record))]
    lines.append(("TI", record.get("title")))
    lines += [("AU", ris_name(split_name(str(a["name"])))) for a in cited_authors(record)]
    lines.append((CONTAINER_TAGS[kind], container(record)))
    if kind is Kind.JOURNAL and record.get("venue") != container(record):
        lines.append(("J2", record.get("venue")))
    lines.append(("PY", record.get("year")))
    parts = date_parts(record)
    if len(parts) > 1:  # a year alone is PY's
        lines.append(("DA", ris_date(parts)))
    lines += [
        ("AB", record.get("abstract")),
        ("DO", record.get("doi")),
        ("UR", record.get("url")),
        ("L1", record.get("pdf_url")),
    ]
    if authors_incomplete(record):
        lines.append(("N1", INCOMPLETE_NOTE))
    lines.append(("ER", ""))
    return [(tag, value) for tag, value in lines if value not in (None, "") or tag == "ER"]


class RisExporter(Exporter):
    extensions: ClassVar[tuple[str, ...]] = (".ris",)
    tables: ClassVar[frozenset[str] | None] = frozenset({"papers"})
    description = "RIS records for reference managers (papers only)"

    def write(self, record: Record) -> None:
        lines = (f"{tag}  - {' '.join(str(value).split())}\r\n" for tag, value in ris_lines(record))
        self.out.write(("".join(lines) + "\r\n").encode("utf-8"))
