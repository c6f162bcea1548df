"""Author-name rules: homonym suffixes, identity keys, natural case."""

from __future__ import annotations

import pytest

from pipelines.authors import AuthorName, split_author


@pytest.mark.parametrize(
    ("raw", "name", "homonym"),
    [
        ("Prateek Jain 0002", "Prateek Jain", "0002"),
        ("Hieu Pham 0001", "Hieu Pham", "0001"),
        ("  Nan   Du\u00a00002 ", "Nan Du", "0002"),
        ("Jeff Dean", "Jeff Dean", None),
        ("Marc'Aurelio Ranzato", "Marc'Aurelio Ranzato", None),
        ("Tome\u0301s Mikolov", "Tomés Mikolov", None),  # decomposed accent composed (NFC)
        ("Agent 007", "Agent 007", None),  # three digits are not a DBLP suffix
        ("Jane Doe 2020", "Jane Doe 2020", None),  # DBLP suffixes start with 0
        ("Year 20201", "Year 20201", None),
    ],
)
def test_split_author(raw: str, name: str, homonym: str | None) -> None:
    assert split_author(raw) == AuthorName(name, homonym)


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Tomás Mikolov", "Tomas Mikolov", True),
        ("ilya sutskever", "Ilya Sutskever", True),
        ("Prateek Jain 0002", "Prateek Jain 0001", False),
        ("Prateek Jain", "Prateek Jain 0002", False),
        ("Jon Shlens", "Jonathon Shlens", False),
    ],
)
def test_identity_keys(a: str, b: str, same: bool) -> None:
    assert (split_author(a).key == split_author(b).key) is same


def names(*raw: str) -> list[AuthorName]:
    return [split_author(r) for r in raw]


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("ilya sutskever", "Ilya Sutskever"),
        ("GEOFFREY E. HINTON", "Geoffrey E. Hinton"),
        ("quoc v. le", "Quoc V. Le"),
        ("marc'aurelio ranzato", "Marc'Aurelio Ranzato"),
        ("aäron van den oord", "Aäron van den Oord"),
        ("van den oord aäron", "Van den Oord Aäron"),
        ("jean-baptiste alayrac", "Jean-Baptiste Alayrac"),
        ("tomás mikolov 0001", "Tomás Mikolov"),
        ("Aäron van den Oord", "Aäron van den Oord"),  # mixed case is left as written
        ("danah boyd", "Danah Boyd"),
        ("JOHN MCCARTHY", "John McCarthy"),
        ("j.b. alayrac", "J.B. Alayrac"),
        ("john smith iii", "John Smith III"),
        ("TRAN LE MINH", "Tran Le Minh"),
        ("ZHOU BIN WEI", "Zhou Bin Wei"),
        ("DJ Strouse", "DJ Strouse"),
    ],
)
def test_natural_case(raw: str, name: str) -> None:
    author = split_author(raw)
    assert author.name == name
    assert author.written == raw.removesuffix(" 0001")
