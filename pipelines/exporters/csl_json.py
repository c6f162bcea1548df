"""CSL-JSON: one JSON array of CSL items (the input of citeproc processors: Zotero,
Pandoc, citeproc-js), valid against the CSL-JSON schema (csl-data.json).

The schema allows no fields beyond its own, and CSL has no way to say that an author list
is cut: such an item gets a ``note`` (the same sentence on every such item, so that a program
can tell too). The PDF link has no CSL field and is left out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

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
from pipelines.exporters.json import JsonExporter

if TYPE_CHECKING:
    from pipelines.exporters.base import Record

CSL_TYPES = {
    Kind.CONFERENCE: "paper-conference",
    Kind.JOURNAL: "article-journal",
    # CSL's type for "a preprint, working paper, or other type of academic paper that is not
    # formally published"; the repository is its publisher, as Zotero writes preprints.
    Kind.PREPRINT: "article",
    Kind.OTHER: "document",
}


def csl_name(name: PersonName) -> dict[str, str]:
    """A CSL name: family, given, particle, suffix; a one-word name as a literal."""
    if name.single:
        return {"literal": name.family}
    parts = {
        "family": name.family,
        "given": name.given,
        "non-dropping-particle": name.particle,
        "suffix": name.suffix,
    }
    return {k: v for k, v in parts.items() if v}


# Size: one branch per optional CSL field.
def csl_item(record: Record) -> dict[str, Any]:
    """The CSL-JSON item of a paper record."""
    kind = paper_kind(record)
    item: dict[str, Any] = {
        "id": paper_id(record),
        "type": CSL_TYPES[kind],
        "title": record.get("title"),
        "author": [csl_name(split_name(str(a["name"]))) for a in cited_authors(record)],
        "issued": {"date-parts": [date_parts(record)]},
    }
    venue = container(record)
    if venue:
        item["publisher" if kind is Kind.PREPRINT else "container-title"] = venue
    if kind is not Kind.PREPRINT and record.get("venue") and record["venue"] != venue:
        item["container-title-short"] = record["venue"]
    for field, name in (("DOI", "doi"), ("URL", "url"), ("abstract", "abstract")):
        if record.get(name):
            item[field] = record[name]
    if authors_incomplete(record):
        item["note"] = INCOMPLETE_NOTE
    return {k: v for k, v in item.items() if v is not None and v != []}


class CslJsonExporter(JsonExporter):
    extensions: ClassVar[tuple[str, ...]] = (".csl.json",)
    tables: ClassVar[frozenset[str] | None] = frozenset({"papers"})
    description = "CSL-JSON items for citation processors (papers only)"

    def convert(self, record: Record) -> Any:
        return csl_item(record)
