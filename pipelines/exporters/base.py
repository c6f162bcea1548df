"""What every export format implements (the shape of Scrapy's ``BaseItemExporter``)."""

from __future__ import annotations

import json
import tempfile
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping, Sequence

Record = dict[str, Any]


class ExportError(ValueError):
    """An export that cannot be made as asked: a table the format does not write, an unknown
    option, a record the format's declared schema refuses. The message says which."""


class Exporter:
    """Writes records of one table to a binary stream: ``start``, ``write`` each, ``finish``.

    ``extensions`` are the file name endings that choose the format; ``tables`` the tables
    it can write (None: every table; a citation format writes papers only). ``columns`` are
    the table's fields in their documented order, for formats with a header or a schema.
    ``options`` holds format options by name, each documented in ``option_help``; a value
    may be given as its type or as the text a command line passes ("true", "5000").
    """

    extensions: ClassVar[tuple[str, ...]] = ()
    tables: ClassVar[frozenset[str] | None] = None
    description: ClassVar[str] = ""
    option_help: ClassVar[dict[str, str]] = {}

    def __init__(
        self,
        out: IO[bytes],
        table: str,
        columns: Sequence[str],
        *,
        options: Mapping[str, Any] | None = None,
    ) -> None:
        name = type(self).__name__
        if self.tables is not None and table not in self.tables:
            msg = f"{name} writes {', '.join(sorted(self.tables))} only, not {table!r}"
            raise ExportError(msg)
        self.options = dict(options or {})
        unknown = sorted(set(self.options) - set(self.option_help))
        if unknown:
            takes = ", ".join(sorted(self.option_help)) or "none"
            msg = f"{name} has no option {', '.join(map(repr, unknown))} (it takes: {takes})"
            raise ExportError(msg)
        self.out = out
        self.table = table
        self.columns = list(columns)
        self.count = 0

    def option_bool(self, name: str, default: bool) -> bool:
        """The boolean option ``name``: a bool, or "true"/"false", "1"/"0", "yes"/"no"."""
        value = self.options.get(name, default)
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in {"true", "1", "yes", "on"}:
            return True
        if text in {"false", "0", "no", "off"}:
            return False
        msg = f"option {name!r} takes true or false, not {value!r}"
        raise ExportError(msg)

    def option_int(self, name: str, default: int, minimum: int = 1) -> int:
        """The integer option ``name`` (at least ``minimum``)."""
        value = self.options.get(name, default)
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = minimum - 1
        if isinstance(value, bool) or number < minimum:
            msg = f"option {name!r} takes a whole number of at least {minimum}, not {value!r}"
            raise ExportError(msg)
        return number

    def start(self) -> None:
        """Write what comes before the first record (a header, an opening bracket)."""

    def write(self, record: Record) -> None:
        """Write one record."""
        raise NotImplementedError

    def finish(self) -> None:
        """Write what comes after the last record and flush."""
        self.out.flush()

    def export(self, records: Iterable[Record]) -> int:
        """Write every record of ``records``; returns how many were written.

        ``records`` is iterated once here; a format that needs to see every record before
        writing (BibTeX's citation keys) may iterate it twice: the store hands a re-iterable
        that runs its query again, and ``reiterable`` makes any other iterable one.
        """
        self.start()
        for record in records:
            self.write(record)
            self.count += 1
        self.finish()
        return self.count


class _Spooled:
    """Records spooled as JSON lines to a temporary file, read back from its start each
    time they are iterated."""

    def __init__(self, file: IO[bytes]) -> None:
        self.file = file

    def __iter__(self) -> Iterator[Record]:
        self.file.seek(0)
        for line in self.file:
            record: Record = json.loads(line)
            yield record


@contextmanager
def reiterable(records: Iterable[Record]) -> Iterator[Iterable[Record]]:
    """``records``, iterable as often as needed: itself when iterating it again starts over
    (a list, the store's query); a one-shot iterator (a generator) is spooled to an anonymous
    temporary file first, so memory stays flat; the file goes when the block ends."""
    if iter(records) is not records:
        yield records
        return
    with tempfile.TemporaryFile() as file:
        for record in records:
            file.write(json.dumps(record, ensure_ascii=False).encode("utf-8"))
            file.write(b"\n")
        yield _Spooled(file)
