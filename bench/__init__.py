"""Benchmarks: synthetic cluster pages and the measurements run on them."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable


def main_quietly(main: Callable[[], None]) -> None:
    """Run a benchmark's ``main``; a reader of its output that went away (``| head``) ends
    it quietly, as Unix tools do, instead of with a traceback."""
    try:
        main()
    except BrokenPipeError:
        from crawler.cli import quiet_broken_pipe

        quiet_broken_pipe()
