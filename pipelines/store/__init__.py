"""The store: one owner (``Store``) of the database, its schema and everything asked of it.

Imports the pure core, never Scrapy; the Scrapy shell reaches the database only through
this package's names: ``Store`` and what its methods take and give.
"""

from pipelines.exporters import FORMATS, format_for_path
from pipelines.exporters.base import ExportError
from pipelines.store.archive import DETAIL, ArchivedPage
from pipelines.store.export import TABLES, Selection
from pipelines.store.reread import ParallelArchive, archived_record
from pipelines.store.schedules import MAX_INTERVAL_SECONDS, parse_interval
from pipelines.store.store import Store, StoreError, database_url, safe_url

__all__ = [
    "DETAIL",
    "FORMATS",
    "MAX_INTERVAL_SECONDS",
    "TABLES",
    "ArchivedPage",
    "ExportError",
    "ParallelArchive",
    "Selection",
    "Store",
    "StoreError",
    "archived_record",
    "database_url",
    "format_for_path",
    "parse_interval",
    "safe_url",
]
