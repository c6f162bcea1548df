"""RIS, read back with rispy (a real client)."""

from __future__ import annotations

from typing import Any

import pytest
import rispy

from pipelines.exporters.base import ExportError
from pipelines.exporters.citation import INCOMPLETE_NOTE
from pipelines.exporters.ris import ris_date
from tests.exporter_samples import export, samples

PAPERS = samples("papers")


def entries() -> dict[str, dict[str, Any]]:
    text = export("ris", PAPERS).decode("utf-8")
    return {e["id"]: e for e in rispy.loads(text)}


def test_every_paper_is_one_record_of_its_type() -> None:
    read = entries()
    assert list(read) == [p["id"] for p in PAPERS]
    assert {i: e["type_of_reference"] for i, e in read.items()} == {
        "a1b2c3d4e5f60718": "CONF",
        "0f0e0d0c0b0a0908": "JOUR",
        "f00dfeed12345678": "CONF",
        "7c6b5a4938271605": "UNPB",  # a preprint: unpublished work, repository as publisher
        "5e4d3c2b1a000fed": "CONF",
        "9a8b7c6d5e4f3a2b": "CONF",
        "1234567890abcdef": "CONF",
        "deadbeef00000001": "GEN",
    }


def test_fields() -> None:
    read = entries()
    icml = read["a1b2c3d4e5f60718"]
    assert icml["title"] == PAPERS[0]["title"]
    assert icml["authors"] == ["Raman, Priya", "Watanabe, Kenji", "Novák, Tomáš"]
    assert icml["secondary_title"] == "International Conference on Machine Learning"
    assert icml["year"] == "2025"
    assert icml["date"] == "2025/07/13/"
    assert icml["abstract"] == PAPERS[0]["abstract"]
    assert icml["doi"] == "10.5555/nq.2025_01"
    assert icml["urls"] == ["https://arrow.example/paper/a1b2c3d4e5f60718"]
    assert icml["file_attachments1"] == "https://arrow.example/pdf/a1b2c3d4e5f60718.pdf"
    assert "notes" not in icml
    jmlr = read["0f0e0d0c0b0a0908"]
    assert jmlr["secondary_title"] == "Journal of Machine Learning Research"
    assert jmlr["alternate_title1"] == "JMLR"  # J2, the abbreviation
    assert jmlr["date"] == "2025/03//"
    assert "abstract" not in jmlr
    preprint = read["7c6b5a4938271605"]
    assert preprint["publisher"] == "arXiv"
    assert preprint["authors"] == ["van der Berg, Ludmila", "de la Fuente, María José", "Sutrisno"]
    assert "date" not in preprint  # a year alone is PY's
    assert read["9a8b7c6d5e4f3a2b"]["authors"][1] == "Ode, Martin, Jr."
    assert "urls" not in read["9a8b7c6d5e4f3a2b"]


def test_incomplete_author_lists_are_noted() -> None:
    read = entries()
    cut = read["5e4d3c2b1a000fed"]
    assert len(cut["authors"]) == 9
    assert cut["authors"][-1] == "Raman, Priya"  # known only from the cluster: last
    assert cut["notes"] == [INCOMPLETE_NOTE]
    assert read["9a8b7c6d5e4f3a2b"]["notes"] == [INCOMPLETE_NOTE]


def test_values_stay_on_one_line_and_lines_end_in_crlf() -> None:
    record = dict(PAPERS[0], abstract="one\ntwo\r\nthree")
    text = export("ris", [record]).decode("utf-8")
    assert "AB  - one two three\r\n" in text
    assert text.startswith("TY  - CONF\r\n")
    assert text.endswith("ER  - \r\n\r\n")
    assert "\n" not in text.replace("\r\n", "")


@pytest.mark.parametrize(
    ("parts", "written"),
    [([2025], "2025///"), ([2025, 3], "2025/03//"), ([2025, 3, 9], "2025/03/09/")],
)
def test_ris_dates(parts: list[int], written: str) -> None:
    assert ris_date(parts) == written


def test_papers_only() -> None:
    with pytest.raises(ExportError, match="papers only"):
        export("ris", samples("venues"), table="venues")
