"""CSV with a header row: list cells joined by "; ", objects as JSON, booleans as true/false.

A text cell that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return) gets a leading ``'``, as OWASP advises against CSV
injection; numbers stay numbers (``-0.5``). ``csv_formulas=true`` writes text as it is.
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Any, ClassVar

from pipelines.cells import csv_cell, safe_cell
from pipelines.exporters.base import Exporter, Record

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import IO


class CsvExporter(Exporter):
    extensions: ClassVar[tuple[str, ...]] = (".csv",)
    description = "comma-separated values with a header row"
    option_help: ClassVar[dict[str, str]] = {
        "csv_formulas": "true: write text cells starting with = + - @ as they are (default "
        "false: prefixed with ' so that spreadsheets do not run them as formulas)",
    }

    def __init__(
        self,
        out: IO[bytes],
        table: str,
        columns: Sequence[str],
        *,
        options: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(out, table, columns, options=options)
        self.cell = csv_cell if self.option_bool("csv_formulas", False) else safe_cell
        self.text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
        self.writer = csv.DictWriter(
            self.text, fieldnames=self.columns, lineterminator="\n", extrasaction="ignore"
        )

    def start(self) -> None:
        self.writer.writeheader()

    def write(self, record: Record) -> None:
        self.writer.writerow({k: self.cell(v) for k, v in record.items()})

    def finish(self) -> None:
        self.text.flush()
        self.text.detach()  # the caller owns the binary stream
        super().finish()
