"""Records cross from worker processes to the writer as pickles: every field survives."""

from __future__ import annotations

import dataclasses
import pickle
from dataclasses import dataclass
from typing import Any

import pytest

from bench.generate import generate
from bench.replay import record
from pipelines.authors import AuthorName
from pipelines.model import Fetch, PageRecord
from pipelines.pickling import quick_pickle


def _fields(obj: Any) -> Any:
    """Every field of a dataclass tree, ``compare=False`` and ``init=False`` ones too."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return (
            type(obj).__name__,
            *(_fields(getattr(obj, f.name)) for f in dataclasses.fields(obj)),
        )
    if isinstance(obj, (tuple, list)):
        return tuple(_fields(v) for v in obj)
    return obj


def _records() -> list[PageRecord]:
    pages = generate(6, seed=3)
    bad = record("bad.html", b"<html><body><p>no cluster here</p></body></html>")
    return [*(record(name, body) for name, body in pages), bad]


@pytest.mark.parametrize("protocol", [2, pickle.DEFAULT_PROTOCOL, pickle.HIGHEST_PROTOCOL])
def test_a_record_round_trips_field_for_field(protocol: int) -> None:
    for rec in _records():
        rec.fetch.zipped()  # the archive's packed body is made in the worker and sent along
        back = pickle.loads(pickle.dumps(rec, protocol=protocol))
        assert back == rec
        assert _fields(back) == _fields(rec)
        assert back.fetch.packed == rec.fetch.packed and back.fetch.sha256 == rec.fetch.sha256


def test_computed_fields_are_carried_not_recomputed() -> None:
    name = AuthorName("Ada Lovelace", "0001", written="ADA LOVELACE")
    back = pickle.loads(pickle.dumps(name))
    assert (back.name, back.homonym, back.written, back.key) == (
        name.name,
        name.homonym,
        name.written,
        name.key,
    )
    fetch = pickle.loads(pickle.dumps(Fetch("x.html", b"body", record("x", b"").fetch.fetched_at)))
    assert fetch.sha256 == Fetch("x.html", b"body", fetch.fetched_at).sha256


def test_frozen_still_frozen_after_unpickling() -> None:
    back = pickle.loads(pickle.dumps(AuthorName("Ada Lovelace")))
    with pytest.raises(dataclasses.FrozenInstanceError):
        back.name = "x"


def test_one_field_classes_are_refused() -> None:
    with pytest.raises(TypeError, match="two fields"):

        @quick_pickle
        @dataclass(frozen=True, slots=True)
        class One:
            only: int


def test_a_record_is_sent_back_compressed_only() -> None:
    """What a worker sends back: the body only in its archive form, with the same digest and
    size, from which the body (for a quarantine) is read back whole; a fraction of the bytes."""
    for rec in _records():
        sent = rec.packed()
        back = pickle.loads(pickle.dumps(sent, protocol=pickle.HIGHEST_PROTOCOL))
        assert back.fetch.body == b""
        assert (back.fetch.sha256, back.fetch.size) == (rec.fetch.sha256, len(rec.fetch.body))
        assert back.fetch.raw() == rec.fetch.body
        assert back.fetch.zipped() == rec.fetch.zipped()
        assert (back.page, back.error, back.reject_text) == (rec.page, rec.error, rec.reject_text)
        whole = len(pickle.dumps(rec, protocol=pickle.HIGHEST_PROTOCOL))
        assert len(pickle.dumps(sent, protocol=pickle.HIGHEST_PROTOCOL)) < whole
