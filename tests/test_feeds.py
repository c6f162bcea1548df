"""Scrapy's own outputs work: feed exports of paper items (-o, -O, FEEDS), and settings
from the environment, one rule for all."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from typing import TYPE_CHECKING

from tests.cli import CONTRACT, scrapy
from tests.fixture_pages import FIXTURES, ROOT

if TYPE_CHECKING:
    from pathlib import Path


def test_replay_feeds_one_item_per_paper_in_the_contract_shape(tmp_path: Path) -> None:
    out = tmp_path / "items.jsonl"
    done = scrapy(tmp_path / "f.db", "crawl", "replay", "-a", f"path={FIXTURES}", "-O", str(out))
    assert done.returncode == 0, done.stderr
    assert "Stored jsonl feed (33 items)" in done.stderr
    items = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert len(items) == 33  # the papers the pages show (26 distinct, some on two pages)
    for item in items:
        assert list(item)[: len(CONTRACT)] == CONTRACT
        assert "body" not in item and len(json.dumps(item)) < 10_000
        assert item["source"] and item["id"] and item["run"] == 1
    matq = next(i for i in items if i["title"] == "Matryoshka Quantization")
    assert matq["clusters"] == ["Jeff Dean"]
    assert matq["pdf_url"] == "https://arxiv.org/pdf/2502.06786"


def test_the_csv_feed_writes_cells_as_the_csv_export_does(tmp_path: Path) -> None:
    out = tmp_path / "items.csv"
    feeds = json.dumps({str(out): {"format": "csv"}})
    done = scrapy(
        tmp_path / "c.db", "crawl", "replay", "-a", f"path={FIXTURES}", "-s", f"FEEDS={feeds}"
    )
    assert done.returncode == 0, done.stderr
    with out.open(encoding="utf-8", newline="") as rows:
        items = list(csv.DictReader(rows))
    assert len(items) == 33
    matq = next(i for i in items if i["title"] == "Matryoshka Quantization")
    assert matq["authors"] == (
        "Pranav Ajit Nair; Puranjay Datta; Jeff Dean; Prateek Jain (0002); Aditya Kusupati"
    )
    assert matq["authors_complete"] == "true"
    assert not any(v.startswith("[{") or "'name':" in v for i in items for v in i.values())


def test_the_xml_feed_writes_nulls_as_absent_and_booleans_as_xml_does(tmp_path: Path) -> None:
    from xml.etree import ElementTree

    out = tmp_path / "items.xml"
    done = scrapy(tmp_path / "x.db", "crawl", "replay", "-a", f"path={FIXTURES}", "-O", str(out))
    assert done.returncode == 0, done.stderr
    items = ElementTree.parse(out).getroot().findall("item")
    assert len(items) == 33
    texts = [e.text for item in items for e in item.iter()]
    assert "None" not in texts and "True" not in texts and "False" not in texts
    assert {item.findtext("authors_complete") for item in items} <= {"true", "false", None}
    # a paper without an abstract has no <abstract>, one with it an element with its text
    abstracts = [item.find("abstract") for item in items]
    assert any(a is None for a in abstracts) and any(a is not None for a in abstracts)


def test_a_feed_to_stdout_ends_quietly_when_its_reader_goes(tmp_path: Path) -> None:
    """``-o -:jsonl | head -1``: one BrokenPipeError traceback per item was logged."""
    reader = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "scrapy",
            "crawl",
            "replay",
            *("-a", f"path={FIXTURES}", "-o", "-:jsonl"),
        ],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert reader.stdout is not None and reader.stderr is not None
    with reader.stderr:
        assert reader.stdout.readline().startswith(b'{"title"')
        reader.stdout.close()  # the reader goes, as head -1 does
        err = reader.stderr.read().decode("utf-8")
    assert reader.wait(120) == 0, err[-2000:]
    assert "Traceback" not in err and "BrokenPipeError" not in err
    assert "stdout's reader went away" in err


def _settings(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "scrapy", "settings", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def test_every_project_setting_can_come_from_the_environment() -> None:
    assert _settings({"REDIS_KEY_PREFIX": "x"}, "--get", "REDIS_KEY_PREFIX") == "x"
    assert _settings({"ARROW_SEARCH_URL": "http://h/s?q={name}"}, "--get", "ARROW_SEARCH_URL") == (
        "http://h/s?q={name}"
    )
    assert _settings({"STORE_BATCH_SIZE": "7"}, "--getint", "STORE_BATCH_SIZE") == "7"
    assert (
        _settings({"FOLLOW_DETAIL_PAGES": "false"}, "--getbool", "FOLLOW_DETAIL_PAGES") == "False"
    )
    # -s wins over the environment; a mapping is not read from it.
    assert (
        _settings(
            {"REDIS_KEY_PREFIX": "x"}, "--get", "REDIS_KEY_PREFIX", "-s", "REDIS_KEY_PREFIX=y"
        )
        == "y"
    )
    assert "crawler.pagestore" in _settings(
        {"SPIDER_MIDDLEWARES": "{}"}, "--get", "SPIDER_MIDDLEWARES"
    )
