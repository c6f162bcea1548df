"""Give freed heap back to the operating system between batches.

A long crawl allocates and frees a batch's worth of pages, rows and parse trees over and over;
glibc's allocator keeps what was freed for reuse, so resident memory creeps up to the
largest batch seen and stays there. Trimming after each batch keeps a long-lived worker's
resident memory at what it is using. Elsewhere than glibc this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache
from typing import Any


@cache
def _libc() -> Any:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return libc if libc is not None and hasattr(libc, "malloc_trim") else None


def release_free_memory() -> bool:
    """Return freed heap pages to the OS (glibc's ``malloc_trim``); True when it could."""
    libc = _libc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    return True
