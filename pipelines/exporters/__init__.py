"""Export formats: a registry from a format's name to the class that writes it.

Like Scrapy's ``FEED_EXPORTERS``, a format joins with one entry in ``FORMATS`` and one module
of its own. Every format takes the same plain records (dicts of JSON-ready values, in the
export contract's shape) one at a time, and writes them to a binary stream as they come, so
memory stays flat whatever the table's size. Formats are imported when first asked for: a
heavy writer (pyarrow for Parquet) costs nothing to the others.
"""

from __future__ import annotations

import importlib
from pathlib import PurePath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipelines.exporters.base import Exporter

# Format name -> "module:Class". The order is the order the help text lists them.
FORMATS: dict[str, str] = {
    "jsonl": "pipelines.exporters.jsonl:JsonLinesExporter",
    "json": "pipelines.exporters.json:JsonExporter",
    "csv": "pipelines.exporters.csv:CsvExporter",
    "parquet": "pipelines.exporters.parquet:ParquetExporter",
    "bibtex": "pipelines.exporters.bibtex:BibtexExporter",
    "csl-json": "pipelines.exporters.csl_json:CslJsonExporter",
    "ris": "pipelines.exporters.ris:RisExporter",
}


def exporter_class(name: str) -> type[Exporter]:
    """The exporter registered as ``name``; KeyError for a name not registered."""
    module, _, attribute = FORMATS[name].partition(":")
    found: type[Exporter] = getattr(importlib.import_module(module), attribute)
    return found


def format_for_path(path: str) -> str | None:
    """The format whose extension ``path`` ends with (the longest match wins, so that
    ``.csl.json`` is not ``.json``), or None."""
    name = PurePath(path).name.lower()
    best: tuple[int, str] | None = None
    for fmt in FORMATS:
        for extension in exporter_class(fmt).extensions:
            if name.endswith(extension) and (best is None or len(extension) > best[0]):
                best = (len(extension), fmt)
    return best[1] if best else None
