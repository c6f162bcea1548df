"""BibTeX, read back with bibtexparser (a real client): entries, authors, fields, keys."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

import pytest
from bibtexparser.entrypoint import parse_string
from bibtexparser.middlewares import LatexDecodingMiddleware, SeparateCoAuthors, SplitNameParts

from pipelines.exporters.base import ExportError
from pipelines.exporters.bibtex import (
    base_key,
    bibtex_title,
    bibtex_url,
    latex_escape,
    letter_suffix,
)
from tests.exporter_samples import export, samples

if TYPE_CHECKING:
    from bibtexparser.middlewares.middleware import Middleware

PAPERS = samples("papers")


def parse(text: str, *, decode: bool = True) -> Any:
    """The library bibtexparser reads; LaTeX decoded to text unless ``decode`` is false
    (the url and doi fields are verbatim: decoding would read ``%`` as a comment)."""
    middleware: list[Middleware] = [SeparateCoAuthors(), SplitNameParts()]
    if decode:
        middleware.insert(0, LatexDecodingMiddleware())
    library = parse_string(text, append_middleware=middleware)
    assert not library.failed_blocks
    return library


def test_every_paper_is_one_entry_of_its_type() -> None:
    library = parse(export("bibtex", PAPERS).decode("utf-8"))
    assert len(library.entries) == len(PAPERS)
    kinds = {e.key: e.entry_type for e in library.entries}
    assert kinds == {
        "raman2025nested-a": "article",  # JMLR, id 0f0e...
        "raman2025nested-b": "inproceedings",  # ICML, id a1b2...
        "raman2025nested-c": "inproceedings",  # NeurIPS, id f00d...
        "vanderberg2024cost": "misc",  # arXiv: @misc, as arXiv's own export
        "brandt2023datamix": "inproceedings",
        "moreau2022self": "inproceedings",  # a workshop
        "ilic2021sum": "inproceedings",  # a symposium
        "anon2020report": "misc",  # a technical report
    }


def test_fields_and_authors() -> None:
    library = parse(export("bibtex", PAPERS).decode("utf-8"))
    entry = {e.key: e for e in library.entries}["raman2025nested-b"]
    assert entry["title"] == "Nested Quantization: One Checkpoint for int8, int4 & int2 Weights"
    assert entry["booktitle"] == "International Conference on Machine Learning"
    assert entry["year"] == "2025"
    assert entry["abstract"].startswith("Integer types nest")
    assert "cut memory by 50% (see" in entry["abstract"]
    # The homonym suffix (0003) is not part of a name.
    names = [(n.first, n.von, n.last, n.jr) for n in entry["author"]]
    assert names == [
        (["Priya"], [], ["Raman"], []),
        (["Kenji"], [], ["Watanabe"], []),
        (["Tomáš"], [], ["Novák"], []),
    ]
    raw = {e.key: e for e in parse(export("bibtex", PAPERS).decode(), decode=False).entries}
    verbatim = raw["raman2025nested-b"]
    assert verbatim["doi"] == "10.5555/nq.2025_01"
    assert verbatim["url"] == "https://arrow.example/paper/a1b2c3d4e5f60718"
    assert verbatim["pdf"] == "https://arrow.example/pdf/a1b2c3d4e5f60718.pdf"
    assert "url" not in raw["moreau2022self"].fields_dict
    assert "abstract" not in raw["raman2025nested-a"].fields_dict
    assert raw["raman2025nested-a"]["journal"] == "Journal of Machine Learning Research"


def test_particles_suffixes_and_one_word_names() -> None:
    entries = {e.key: e for e in parse(export("bibtex", PAPERS).decode()).entries}
    preprint = entries["vanderberg2024cost"]
    assert [(n.first, n.von, n.last) for n in preprint["author"]] == [
        (["Ludmila"], ["van", "der"], ["Berg"]),
        (["María", "José"], ["de", "la"], ["Fuente"]),
        ([], [], ["Sutrisno"]),
    ]
    assert preprint["howpublished"] == "arXiv"
    workshop = entries["moreau2022self"]
    assert [(n.first, n.last, n.jr) for n in workshop["author"]][1] == (
        ["Martin"],
        ["Ode"],
        ["Jr."],
    )


def test_incomplete_author_lists_end_with_others() -> None:
    entries = {e.key: e for e in parse(export("bibtex", PAPERS).decode()).entries}
    cut = entries["brandt2023datamix"]["author"]  # authors_complete false
    assert len(cut) == 10
    assert [n.last for n in cut[-2:]] == [["Raman"], ["others"]]  # the cluster's author last
    unknown = entries["moreau2022self"]["author"]  # authors_complete null
    assert unknown[-1].last == ["others"]
    complete = entries["ilic2021sum"]["author"]
    assert [n.last for n in complete] == [["Ilić"]]
    assert "author" not in entries["anon2020report"].fields_dict


def test_latex_specials_are_escaped_and_read_back() -> None:
    text = export("bibtex", PAPERS).decode("utf-8")
    title = next(line for line in text.splitlines() if "Tokenizing" in line)
    assert r"{C++} \& {C\#:}" in title  # escaped, and protected from lower-casing
    assert r"\$100" in title
    assert r"\textasciitilde{}" in title
    assert r"\textasciicircum{}" in title
    assert r"\{Curly\}" in title
    assert r"{Code\_Bases}" in title
    entry = next(e for e in parse(text).entries if e.key == "vanderberg2024cost")
    assert entry["abstract"] == (
        "Braces { and } and a backslash \\ survive; so does 100% of the text."
    )
    assert "Tomáš" in text  # non-ASCII kept as UTF-8, not as LaTeX accents


@pytest.mark.parametrize(
    ("title", "written"),
    [
        ("Matryoshka Quantization", "Matryoshka Quantization"),
        ("BERT: Pre-training of Deep Transformers", "{BERT:} Pre-training of Deep Transformers"),
        ("Scaling ImageNet to GPUs", "Scaling {ImageNet} to {GPUs}"),
        ("Q-Learning for Plan B", "{Q-Learning} for Plan {B}"),
        ("A Note on word2vec", "A Note on word2vec"),
        ("50% & More", r"50\% \& More"),
    ],
)
def test_titles_protect_inner_capitals(title: str, written: str) -> None:
    assert bibtex_title(title) == written


def test_escape_flattens_line_breaks() -> None:
    assert latex_escape("one\ntwo  three") == "one two three"


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("a {b} c", r"a \{b\} c"),
        ("a } b {", r"a \textbraceright{} b \textbraceleft{}"),
        ("x { y", r"x \textbraceleft{} y"),
    ],
)
def test_braces_that_do_not_pair_cannot_unbalance_an_entry(text: str, written: str) -> None:
    assert latex_escape(text) == written
    assert bibtex_title(text) == written
    assert not parse(f"@misc{{k, title = {{{written}}}}}").failed_blocks


@pytest.mark.parametrize(
    ("first_author", "title", "key"),
    [
        ("Jeff Dean", "Matryoshka Quantization", "dean2025matryoshka"),
        ("Ludwig van der Maaten", "Visualizing Data using t-SNE", "vandermaaten2025visualizing"),
        ("Anders Søgaard", "Über Umlauts", "sogaard2025uber"),
        ("Tomáš Mikolov", "The a of the", "mikolov2025the"),
        ("Sutrisno", "Ωmega", "sutrisno2025mega"),
    ],
)
def test_base_keys(first_author: str, title: str, key: str) -> None:
    record = {"title": title, "year": 2025, "authors": [{"name": first_author, "position": 1}]}
    assert base_key(record) == key


def test_a_cluster_only_author_is_never_the_first_author_of_a_key() -> None:
    record = {
        "title": "X",
        "year": 2020,
        "authors": [{"name": "Late Comer", "position": None}, {"name": "Ann First", "position": 1}],
    }
    assert base_key(record) == "first2020x"


def test_letter_suffixes() -> None:
    assert [letter_suffix(i) for i in (0, 1, 25, 26, 27, 701, 702)] == [
        "a",
        "b",
        "z",
        "aa",
        "ab",
        "zz",
        "aaa",
    ]


def keys(records: list[dict[str, Any]]) -> dict[str, str]:
    """Paper id -> its citation key, the entries matched to the records by title."""
    library = parse(export("bibtex", records).decode("utf-8"))
    assert len({e.key for e in library.entries}) == len(records)  # unique
    ids = {plain(r["title"]): r["id"] for r in records}
    return {ids[plain(e["title"])]: e.key for e in library.entries}


def plain(title: str) -> str:
    """A decoded title without its protecting braces (pylatexenc writes ^ as ˆ)."""
    return title.replace("{", "").replace("}", "").replace("ˆ", "^")


def test_keys_are_stable_whatever_the_order() -> None:
    first = keys(PAPERS)
    shuffled = PAPERS[:]
    for seed in range(3):
        random.Random(seed).shuffle(shuffled)
        assert keys(shuffled) == first


def test_clashing_keys_take_suffixes_in_id_order() -> None:
    first = keys(PAPERS)
    clashing = sorted(r["id"] for r in PAPERS if base_key(r) == "raman2025nested")
    assert [first[i] for i in clashing] == [f"raman2025nested-{s}" for s in "abc"]
    # Without its rivals, a paper keeps its plain key.
    alone = [r for r in PAPERS if r["id"] == "a1b2c3d4e5f60718"]
    assert keys(alone) == {"a1b2c3d4e5f60718": "raman2025nested"}


def test_a_one_shot_iterator_is_read_twice_through_a_spool() -> None:
    assert export("bibtex", iter(PAPERS)) == export("bibtex", PAPERS)


def test_papers_only() -> None:
    with pytest.raises(ExportError, match="papers only"):
        export("bibtex", samples("authors"), table="authors")


@pytest.mark.parametrize(
    ("url", "written"),
    [
        ("https://x.org/a%20b?q=1&r=2#s_t", "https://x.org/a%20b?q=1&r=2#s_t"),  # verbatim
        ("https://x.org/{a}\\b", "https://x.org/%7Ba%7D%5Cb"),
    ],
)
def test_urls_are_verbatim_but_cannot_break_an_entry(url: str, written: str) -> None:
    assert bibtex_url(url) == written
