"""The JSON array: valid JSON whatever the count, the records as given, streamed."""

from __future__ import annotations

import json

import pytest

from tests.exporter_samples import TABLES, export, samples


@pytest.mark.parametrize("table", TABLES)
def test_an_array_of_the_records(table: str) -> None:
    records = samples(table)
    assert json.loads(export("json", records, table)) == records


@pytest.mark.parametrize("count", [0, 1, 2])
def test_valid_whatever_the_count(count: int) -> None:
    records = samples("papers")[:count]
    text = export("json", records).decode("utf-8")
    assert json.loads(text) == records
    assert text.endswith("]\n")


def test_one_record_a_line_and_utf8() -> None:
    text = export("json", samples("papers")).decode("utf-8")
    lines = text.splitlines()
    assert lines[0] == "[" and lines[-1] == "]"
    assert len(lines) == len(samples("papers")) + 2
    assert "Tomáš" in text
