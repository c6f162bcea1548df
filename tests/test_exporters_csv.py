"""CSV: cells a spreadsheet would run as formulas are neutralized unless asked not to."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from pipelines.cells import neutralize
from pipelines.exporters.base import ExportError
from tests.exporter_samples import export, samples


def rows(options: dict[str, Any] | None = None) -> list[dict[str, str]]:
    text = export("csv", samples("papers"), options=options).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=SUM(A1:A3)", "'=SUM(A1:A3)"),
        ("+1", "'+1"),
        ("-0.5", "'-0.5"),  # text that looks like a number is still text
        ("@home", "'@home"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain", "plain"),
        ("", ""),
        (-0.5, -0.5),  # numbers stay numbers
        (-3, -3),
    ],
)
def test_neutralize(cell: Any, written: Any) -> None:
    assert neutralize(cell) == written


def test_formulas_are_neutralized_by_default() -> None:
    paper = next(r for r in rows() if r["id"] == "1234567890abcdef")
    assert paper["title"] == "'=SUM(A1:A3) Is Not a Title: Spreadsheet Injection in Citation Data"
    assert paper["abstract"] == "'-0.5 is text here; +1 and @home too."
    assert paper["year"] == "2021"


def test_negative_numbers_stay_numbers() -> None:
    record = {"name": "x", "declared_papers": -1, "author_rows": -0.5, "papers": 0, "id": "=1"}
    text = export("csv", [record], table="clusters").decode("utf-8")
    assert text.splitlines()[1] == "'=1,x,-1,-0.5,0"


@pytest.mark.parametrize("value", [True, "true", "1", "yes"])
def test_an_option_keeps_formulas(value: object) -> None:
    paper = next(r for r in rows({"csv_formulas": value}) if r["id"] == "1234567890abcdef")
    assert paper["title"].startswith("=SUM(A1:A3)")


def test_a_bad_option_value_or_name_is_refused() -> None:
    with pytest.raises(ExportError, match="csv_formulas"):
        rows({"csv_formulas": "maybe"})
    with pytest.raises(ExportError, match="no option 'formulas'"):
        rows({"formulas": True})
