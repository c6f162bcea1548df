"""Where ``-o`` writes: a regular file atomically (no half file, never a temporary one left,
whatever ends the command); anything else as it is, never replaced."""

from __future__ import annotations

import os
import signal
import threading
from typing import TYPE_CHECKING

import pytest

from crawler.cli import EXIT_INTERRUPTED, one_line_errors
from crawler.commands.export import _write_atomically
from tests.cli import scrapy
from tests.fixture_pages import FIXTURES, ROOT

if TYPE_CHECKING:
    from pathlib import Path
    from typing import IO


def _write(data: bytes) -> object:
    def write(out: IO[bytes]) -> int:
        return out.write(data)

    return write


def test_a_file_is_replaced_and_a_link_keeps_pointing_at_it(tmp_path: Path) -> None:
    target = tmp_path / "papers.jsonl"
    target.write_bytes(b"old\n")
    link = tmp_path / "link.jsonl"
    link.symlink_to(target)
    _write_atomically(link, _write(b"new\n"))  # type: ignore[arg-type]
    assert link.is_symlink() and link.resolve() == target
    assert target.read_bytes() == b"new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.jsonl", "papers.jsonl"]


def test_a_pipe_is_written_to_not_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    _write_atomically(fifo, _write(b"a\nb\n"))  # type: ignore[arg-type]
    reader.join(10)
    assert got == [b"a\nb\n"]
    assert fifo.is_fifo()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fifo"]


def test_a_device_is_written_to_not_replaced(tmp_path: Path) -> None:
    link = tmp_path / "null"
    link.symlink_to(os.devnull)
    _write_atomically(link, _write(b"x\n"))  # type: ignore[arg-type]
    assert link.is_symlink() and link.resolve().is_char_device()


def test_sigterm_while_writing_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "papers.bib"

    def write(out: IO[bytes]) -> int:
        out.write(b"@article{a,}\n")
        os.kill(os.getpid(), signal.SIGTERM)
        return out.write(b"@article{b,}\n")  # pragma: no cover - the signal ends it

    with pytest.raises(SystemExit) as ended:
        _write_atomically(target, write)
    assert ended.value.code == 128 + signal.SIGTERM
    assert list(tmp_path.iterdir()) == []
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def test_ctrl_c_is_one_line_and_exit_130(capsys: pytest.CaptureFixture[str]) -> None:
    class Command:
        exitcode = 0

        @one_line_errors("export")
        def run(self) -> None:
            raise KeyboardInterrupt

    command = Command()
    command.run()
    assert command.exitcode == EXIT_INTERRUPTED
    assert capsys.readouterr().err == "scrapy export: error: interrupted\n"


def test_health_to_stdout_with_a_dash(tmp_path: Path) -> None:
    db = tmp_path / "arrow.db"
    assert scrapy(db, "crawl", "replay", "-a", f"path={FIXTURES}").returncode == 0
    run = scrapy(db, "health", "--format", "prometheus", "-o", "-")
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("# HELP arrow_")
    assert not (ROOT / "-").exists()
