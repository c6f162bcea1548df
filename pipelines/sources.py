"""Saved pages on disk as a source of page records: the replay's walk, without Scrapy.

Pages are read in sorted order, recursively; a page's ``rel="next"`` link to another saved
file inside the replay root is followed, and that page is read as the continuation of the
cluster that linked to it, whichever of the two comes first.
"""

from __future__ import annotations

import logging
import mimetypes
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse
from urllib.request import url2pathname

from pipelines.model import Fetch
from pipelines.process import process_fetch, refused

if TYPE_CHECKING:
    from collections.abc import Iterator

    from pipelines.model import PageRecord
    from pipelines.process import CleanSettings

logger = logging.getLogger(__name__)

PAGE_SUFFIXES = frozenset({".html", ".htm", ".txt"})


def find_pages(root: Path) -> list[Path]:
    """Saved pages at ``root`` (a file, or a directory searched recursively), sorted."""
    if root.is_file():
        return [root]
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in PAGE_SUFFIXES)


def content_type_of(path: Path) -> str | None:
    """The content type a saved page's name implies (a ``.txt`` file is plain text)."""
    if path.suffix.lower() == ".txt":
        return "text/plain"
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed


def saved_fetch(path: Path) -> Fetch:
    """A saved page as a fetch, stamped with the file's modification time."""
    body = path.read_bytes()
    fetched_at = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    return Fetch(str(path), body, fetched_at, content_type_of(path))


class SavedPages:
    """The records of every saved page under ``root``, then of the local pages they link to
    with ``rel="next"``, each parsed and cleaned with ``settings``."""

    def __init__(self, root: Path, settings: CleanSettings) -> None:
        if not root.exists():
            msg = f"no such file or directory: {root}"
            raise FileNotFoundError(msg)
        self.root = root
        self.settings = settings
        self.scope = (root if root.is_dir() else root.parent).resolve()

    def __iter__(self) -> Iterator[PageRecord]:
        return self.walk_from(find_pages(self.root), {})

    def walk_from(self, queue: list[Path], continues: dict[Path, str]) -> Iterator[PageRecord]:
        """The records of the pages in ``queue``, then of the local pages they link to;
        ``continues`` maps a page to the cluster of a page that links to it."""
        queue = list(queue)
        seen = {p.resolve() for p in queue}
        # A later page of a cluster may not repeat the cluster's heading: it is read as the
        # continuation of the page linking to it, whichever of the two comes first.
        deferred: list[Path] = []
        while queue:
            path = queue.pop(0)
            record = self.read(path, continues.get(path.resolve()))
            if record.page is None and path.resolve() not in continues:
                deferred.append(path)
            else:
                yield record
            following = self.local_next(record)
            if isinstance(following, str):
                yield refused(Fetch(following, b"", record.fetch.fetched_at), self.outside)
                continue
            if following is not None and record.cluster_name is not None:
                continues[following.resolve()] = record.cluster_name
                if following.resolve() not in seen:
                    seen.add(following.resolve())
                    queue.append(following)
        for path in deferred:
            yield self.read(path, continues.get(path.resolve()))

    def read(self, path: Path, continues: str | None = None) -> PageRecord:
        """One saved page's record; links resolve against the file's own location. A file
        that cannot be read is refused with the reason, and the walk goes on."""
        try:
            fetch = saved_fetch(path)
        except OSError as exc:
            reason = f"cannot read the file: {exc.strerror or type(exc).__name__}"
            return refused(Fetch(str(path), b"", datetime.now(UTC)), reason)
        uri = path.resolve().as_uri()
        return process_fetch(fetch, self.settings, base_url=uri, continues=continues)

    @property
    def outside(self) -> str:
        """Why a link out of the root is not followed."""
        return f"next link outside the replay root {self.root} refused; nothing read from it"

    def local_next(self, record: PageRecord) -> Path | str | None:
        """The saved file a page's ``rel="next"`` link names (None: no local page to read).

        A replay reads only what it was given: a link to a file outside the root is
        refused (returned as the link, for the caller to record), a link of another scheme
        (the live site's next page, say) is not followed.
        """
        next_url = record.next_url
        if not next_url:
            return None
        if urlparse(next_url).scheme != "file":
            logger.info(
                "%s: next link %s is not a saved file; not followed", record.source, next_url
            )
            return None
        candidate = Path(url2pathname(urlparse(next_url).path))
        if not candidate.resolve().is_relative_to(self.scope):
            logger.warning("%s: %s: %s", record.source, next_url, self.outside)
            return next_url
        return candidate if candidate.is_file() else None
