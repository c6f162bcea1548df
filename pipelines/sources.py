"""Saved pages on disk as a source of page records: the replay's walk, without Scrapy.

Pages are read in sorted order, recursively; a page's ``rel="next"`` link to another saved
file inside the replay root is followed, and that page is read as the continuation of the
cluster that linked to it, whichever of the two comes first.
"""

from __future__ import annotations

import logging
import mimetypes
import os
import stat
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
    return scan_pages(root)[0]


def scan_pages(root: Path) -> tuple[list[Path], list[tuple[Path, str]]]:
    """The saved pages at ``root`` (a file, or a directory searched recursively, links to
    directories not followed), sorted; and what looked like one or held some but cannot be
    read, with why: a link that leads nowhere (a loop, a missing file), a named pipe or a
    device (never opened: reading one would wait for ever), a directory not readable."""
    if root.is_file():
        return [root], []
    pages: list[Path] = []
    problems: list[tuple[Path, str]] = []

    def unreadable(error: OSError) -> None:
        where = Path(error.filename) if error.filename else root
        problems.append((where, f"cannot read the directory: {error.strerror or error}"))

    for folder, _dirs, files in os.walk(root, onerror=unreadable):
        for name in files:
            path = Path(folder, name)
            if path.suffix.lower() not in PAGE_SUFFIXES:
                continue
            why = _not_a_page_file(path)
            if why is None:
                pages.append(path)
            else:
                problems.append((path, why))
    return sorted(pages), sorted(problems)


def _not_a_page_file(path: Path) -> str | None:
    """Why ``path`` cannot be read as a saved page, or None."""
    try:
        mode = path.stat().st_mode  # through a link
    except OSError as exc:
        if path.is_symlink():
            return "a symbolic link that leads nowhere (a loop, or its file is gone)"
        return f"cannot read the file: {exc.strerror or type(exc).__name__}"
    if not stat.S_ISREG(mode):
        return "not a regular file (a named pipe, a socket or a device): not read"
    return None


def source_of(path: Path) -> str:
    """A saved page's source as text: its path, with the bytes of a name that is not UTF-8
    written as escapes ("caf\\xe9.html"), which a database and a terminal take and a user
    can find the file by; a name that is UTF-8 as it is."""
    text = str(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return text


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
    return Fetch(source_of(path), body, fetched_at, content_type_of(path))


def unreadable_records(problems: list[tuple[Path, str]]) -> Iterator[PageRecord]:
    """A refused record for each file or directory ``scan_pages`` could not read."""
    now = datetime.now(UTC)
    for path, why in problems:
        yield refused(Fetch(source_of(path), b"", now), why)


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
        pages, problems = scan_pages(self.root)
        yield from unreadable_records(problems)
        yield from self.walk_from(pages, {})

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
            return refused(Fetch(source_of(path), b"", datetime.now(UTC)), reason)
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
