"""Every format holds the same papers as the JSON-lines export of the same records, each
read back by a real client: title, year, authors (family names, in order), DOI and URL."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import rispy
from bibtexparser.entrypoint import parse_string
from bibtexparser.middlewares import LatexDecodingMiddleware, SeparateCoAuthors, SplitNameParts

from pipelines.exporters import FORMATS
from pipelines.exporters.citation import split_name
from tests.exporter_samples import export, samples

Paper = tuple[str, int, tuple[str, ...], str | None, str | None]


def family(name: str) -> str:
    return split_name(name).family


def from_jsonl() -> set[Paper]:
    lines = export("jsonl", samples("papers")).decode("utf-8").splitlines()
    return _papers([json.loads(line) for line in lines])


def _papers(records: list[dict[str, Any]]) -> set[Paper]:
    return {
        (r["title"], r["year"], tuple(family(a["name"]) for a in r["authors"]), r["doi"], r["url"])
        for r in records
    }


def from_json(data: bytes) -> set[Paper]:
    return _papers(json.loads(data))


def from_parquet(data: bytes) -> set[Paper]:
    # Not io.BytesIO: pyarrow reading a Python file object can abort at exit (arrow#33975).
    return _papers(pq.read_table(pa.BufferReader(data)).to_pylist())


def from_csv(data: bytes) -> set[Paper]:
    rows = csv.DictReader(io.StringIO(data.decode("utf-8")))
    papers = set()
    for r in rows:
        names = [n.split(" (")[0] for n in r["authors"].split("; ")] if r["authors"] else []
        title = r["title"].removeprefix("'")  # a formula neutralized
        papers.add(
            (title, int(r["year"]), tuple(map(family, names)), r["doi"] or None, r["url"] or None)
        )
    return papers


def from_csl(data: bytes) -> set[Paper]:
    return {
        (
            i["title"],
            i["issued"]["date-parts"][0][0],
            tuple(a.get("family", a.get("literal")) for a in i.get("author", [])),
            i.get("DOI"),
            i.get("URL"),
        )
        for i in json.loads(data)
    }


def from_ris(data: bytes) -> set[Paper]:
    return {
        (
            e["title"],
            int(e["year"]),
            tuple(_ris_family(a) for a in e.get("authors", [])),
            e.get("doi"),
            e.get("urls", [None])[0],
        )
        for e in rispy.loads(data.decode("utf-8"))
    }


def _ris_family(author: str) -> str:
    family = author.split(", ", maxsplit=1)[0]
    return family.split()[-1]  # without the particle


def from_bibtex(data: bytes) -> set[Paper]:
    text = data.decode("utf-8")
    decoded = parse_string(
        text,
        append_middleware=[LatexDecodingMiddleware(), SeparateCoAuthors(), SplitNameParts()],
    ).entries
    verbatim = {e.key: e for e in parse_string(text).entries}
    papers = set()
    for e in decoded:
        names: list[Any] = e.fields_dict["author"].value if "author" in e.fields_dict else []
        raw = verbatim[e.key].fields_dict
        papers.add(
            (
                e["title"].replace("{", "").replace("}", "").replace("ˆ", "^"),
                int(e["year"]),
                tuple(" ".join(n.last) for n in names if n.last != ["others"]),
                raw["doi"].value if "doi" in raw else None,
                raw["url"].value if "url" in raw else None,
            )
        )
    return papers


READERS = {
    "json": from_json,
    "csv": from_csv,
    "parquet": from_parquet,
    "bibtex": from_bibtex,
    "csl-json": from_csl,
    "ris": from_ris,
}


def _unbraced(papers: set[Paper]) -> set[Paper]:
    # BibTeX protects capitals with braces: literal braces of a title cannot be told apart.
    return {(p[0].replace("{", "").replace("}", ""), *p[1:]) for p in papers}


def test_every_format_is_read_here() -> None:
    assert set(READERS) | {"jsonl"} == set(FORMATS)


@pytest.mark.parametrize("fmt", sorted(READERS))
def test_same_papers_as_json_lines(fmt: str) -> None:
    expected = from_jsonl()
    assert len(expected) == len(samples("papers"))
    read = READERS[fmt](export(fmt, samples("papers")))
    if fmt == "bibtex":
        read, expected = _unbraced(read), _unbraced(expected)
    assert read == expected
