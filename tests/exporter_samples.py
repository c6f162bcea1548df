"""The hand-made sample records of the export format tests (tests/sample_data/exporters)
and a helper that exports them in a format to bytes."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipelines.exporters import exporter_class

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from pipelines.exporters.base import Record

SAMPLES = Path(__file__).parent / "sample_data" / "exporters"
TABLES = ("papers", "authors", "venues", "clusters", "runs", "rejects")


def samples(table: str) -> list[Record]:
    """The sample records of ``table``, in file order."""
    with (SAMPLES / f"{table}.jsonl").open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def columns(table: str) -> list[str]:
    """The fields of ``table``'s sample records, in their order."""
    return list(samples(table)[0])


def export(
    fmt: str,
    records: Iterable[Record],
    table: str = "papers",
    options: Mapping[str, Any] | None = None,
) -> bytes:
    """``records`` exported as ``fmt`` (a name of the formats registry)."""
    out = io.BytesIO()
    exporter_class(fmt)(out, table, columns(table), options=options).export(records)
    return out.getvalue()


def by_id(records: Iterable[Record]) -> dict[str, Record]:
    return {str(r["id"]): r for r in records}
