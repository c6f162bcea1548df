"""CSL-JSON: valid against the CSL schema (jsonschema), rendered by citeproc-py in a
standard style (Cite Them Right Harvard, bundled with citeproc-py)."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON

from pipelines.exporters.citation import INCOMPLETE_NOTE, split_name
from pipelines.exporters.csl_json import csl_name
from tests.exporter_samples import SAMPLES, export, samples

PAPERS = samples("papers")


def items(records: list[dict[str, Any]] = PAPERS) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(export("csl-json", records))
    return data


def test_valid_against_the_csl_schema() -> None:
    schema = json.loads((SAMPLES / "csl-data.json").read_text("utf-8"))
    jsonschema.validate(items(), schema)
    jsonschema.validate(items([]), schema)


def test_citeproc_renders_every_item() -> None:
    data = items()
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)
    bibliography = CitationStylesBibliography(style, CiteProcJSON(data), formatter.plain)
    for item in data:
        bibliography.register(Citation([CitationItem(item["id"])]))
    rendered = [str(entry) for entry in bibliography.bibliography()]
    assert len(rendered) == len(PAPERS)
    assert (
        "Raman, P., Watanabe, K. and Novák, T. (2025) “Nested Quantization: One Checkpoint for "
        "int8, int4 & int2 Weights”, International Conference on Machine Learning. Available "
        "at: https://doi.org/10.5555/nq.2025_01." in rendered
    )
    assert any(
        line.startswith("van der Berg, L., de la Fuente, M.J. and Sutrisno (2024)")
        for line in rendered
    )
    assert any(line.startswith("Brandt, H. et al. (2023)") for line in rendered)


def test_types_containers_and_dates() -> None:
    by_id = {item["id"]: item for item in items()}
    assert {i: item["type"] for i, item in by_id.items()} == {
        "a1b2c3d4e5f60718": "paper-conference",
        "0f0e0d0c0b0a0908": "article-journal",
        "f00dfeed12345678": "paper-conference",
        "7c6b5a4938271605": "article",  # a preprint
        "5e4d3c2b1a000fed": "paper-conference",
        "9a8b7c6d5e4f3a2b": "paper-conference",  # a workshop
        "1234567890abcdef": "paper-conference",  # a symposium
        "deadbeef00000001": "document",  # a technical report
    }
    icml = by_id["a1b2c3d4e5f60718"]
    assert icml["container-title"] == "International Conference on Machine Learning"
    assert icml["container-title-short"] == "ICML"
    assert icml["issued"] == {"date-parts": [[2025, 7, 13]]}  # published, to the day
    assert icml["DOI"] == "10.5555/nq.2025_01"
    assert icml["URL"] == "https://arrow.example/paper/a1b2c3d4e5f60718"
    assert icml["abstract"].startswith("Integer types nest")
    assert by_id["0f0e0d0c0b0a0908"]["issued"] == {"date-parts": [[2025, 3]]}  # to the month
    assert by_id["f00dfeed12345678"]["issued"] == {"date-parts": [[2025]]}  # the year
    preprint = by_id["7c6b5a4938271605"]
    assert preprint["publisher"] == "arXiv"
    assert "container-title" not in preprint
    assert by_id["1234567890abcdef"]["container-title"] == "SoCS"  # no full name: acronym
    assert "abstract" not in by_id["0f0e0d0c0b0a0908"]


def test_authors_in_order_with_incomplete_lists_noted() -> None:
    by_id = {item["id"]: item for item in items()}
    cut = by_id["5e4d3c2b1a000fed"]
    assert len(cut["author"]) == 9
    assert cut["author"][-1] == {"family": "Raman", "given": "Priya"}  # known from the cluster
    assert cut["note"] == INCOMPLETE_NOTE
    assert by_id["9a8b7c6d5e4f3a2b"]["note"] == INCOMPLETE_NOTE  # completeness unknown
    assert "note" not in by_id["a1b2c3d4e5f60718"]
    assert "author" not in by_id["deadbeef00000001"]


@pytest.mark.parametrize(
    ("name", "csl"),
    [
        ("Priya Raman", {"family": "Raman", "given": "Priya"}),
        ("Tomáš Novák", {"family": "Novák", "given": "Tomáš"}),
        ("Quoc V. Le", {"family": "Le", "given": "Quoc V."}),
        (
            "Ludmila van der Berg",
            {"family": "Berg", "given": "Ludmila", "non-dropping-particle": "van der"},
        ),
        (
            "María José de la Fuente",
            {"family": "Fuente", "given": "María José", "non-dropping-particle": "de la"},
        ),
        ("Martin Ode Jr.", {"family": "Ode", "given": "Martin", "suffix": "Jr."}),
        ("Jean-Luc Moreau", {"family": "Moreau", "given": "Jean-Luc"}),
        ("Sutrisno", {"literal": "Sutrisno"}),
        ("ilya sutskever", {"family": "sutskever", "given": "ilya"}),
        ("Dan de", {"family": "de", "given": "Dan"}),
        # a comma is a citation's: before a suffix, or after a family name written first
        ("Martin Ode, Jr.", {"family": "Ode", "given": "Martin", "suffix": "Jr."}),
        ("Ode, Martin", {"family": "Ode", "given": "Martin"}),
        ("Ode, Jr., Martin", {"family": "Ode", "given": "Martin", "suffix": "Jr."}),
        (
            "van der Maaten, Ludwig",
            {"family": "Maaten", "given": "Ludwig", "non-dropping-particle": "van der"},
        ),
        ("Name Trailing,", {"family": "Trailing", "given": "Name"}),
    ],
)
def test_names(name: str, csl: dict[str, str]) -> None:
    assert csl_name(split_name(name)) == csl


@pytest.mark.parametrize(
    "name", ["Martin Ode, Jr.", "José, María", "Name Trailing,", "A, B, C", "Ode,, Martin"]
)
def test_no_part_of_a_name_keeps_a_comma(name: str) -> None:
    # BibTeX, RIS and CSL readers split names at commas ("Ode,, Jr., Martin": pybtex refused
    # the whole file, "Too many commas").
    from pipelines.exporters.bibtex import bibtex_name
    from pipelines.exporters.ris import ris_name

    split = split_name(name)
    assert not any("," in part for part in split)
    assert bibtex_name(split).count(",") <= 2 and ",," not in bibtex_name(split)
    assert ris_name(split).count(",") <= 2 and ",," not in ris_name(split)
