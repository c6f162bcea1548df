"""Author-name rules: homonym suffixes, identity keys, natural case."""

from __future__ import annotations

import pytest

from pipelines.authors import POSITIONS, AuthorName, CaseLexicon, rule_case, split_author


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


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        # after an apostrophe: lower case, but after one letter or an Italian elision
        ("SERGEY VASIL'EV", "Sergey Vasil'ev"),
        ("sean o'brien", "Sean O'Brien"),
        ("felice dell'orletta", "Felice Dell'Orletta"),
        # consonants alone are initials; nicknames and tags are capitalized inside marks
        ("mukunda ns", "Mukunda NS"),
        ('pavlo "pasha" antonenko', 'Pavlo "Pasha" Antonenko'),
        ("alexander m. rush [tech]", "Alexander M. Rush [Tech]"),
        ("doo\u00adhwan bae", "Doo\u00adHwan Bae"),  # a soft hyphen parts a name too
    ],
)
def test_natural_case_rules(raw: str, name: str) -> None:
    assert split_author(raw).name == name


def test_rule_case_is_the_rules_alone() -> None:
    assert rule_case(["yann", "lecun"]) == ["Yann", "Lecun"]
    assert rule_case(["luc", "van", "gool"]) == ["Luc", "van", "Gool"]


def _lexicon(
    words: dict[str, dict[str, str]] | None = None,
    particles: dict[str, str] | None = None,
    parts: dict[str, dict[str, str]] | None = None,
    names: dict[str, str] | None = None,
) -> CaseLexicon:
    return CaseLexicon(
        {w: (words or {}).get(w, {}) for w in POSITIONS},
        particles or {},
        {w: (parts or {}).get(w, {}) for w in POSITIONS},
        names or {},
    )


@pytest.mark.parametrize(
    ("lexicon", "words", "want"),
    [
        (_lexicon({"last": {"lecun": "LeCun"}}), "yann lecun", "Yann LeCun"),
        (_lexicon({"first": {"lecun": "LeCun"}}), "yann lecun", "Yann Lecun"),  # where it sits
        (_lexicon(particles={"van gool": "Van"}), "luc van gool", "Luc Van Gool"),
        (_lexicon(particles={"van gool": "Van"}), "guido van rossum", "Guido van Rossum"),
        (_lexicon(particles={"van de ville": "Van De"}), "d. van de ville", "D. Van De Ville"),
        (_lexicon(parts={"first": {"ichi": "ichi"}}), "ken-ichi ito", "Ken-ichi Ito"),
        (_lexicon(parts={"first": {"ichi": "ichi"}}), "ito ken-ichi", "Ito Ken-Ichi"),
    ],
)
def test_case_lexicon(lexicon: CaseLexicon, words: str, want: str) -> None:
    split = words.split(" ")
    assert " ".join(lexicon.apply(split, rule_case(split))) == want


@pytest.mark.parametrize(
    ("lexicon", "words", "want"),
    [
        # a whole known name beats the rules and the word entries
        (
            _lexicon(names={"chi-shing chung": "Chi-shing Chung"}),
            "chi-shing chung",
            "Chi-shing Chung",
        ),
        # ... only that name: the same words elsewhere follow the rules
        (
            _lexicon(names={"chi-shing chung": "Chi-shing Chung"}),
            "chi-shing wong",
            "Chi-Shing Wong",
        ),
        (
            _lexicon({"last": {"lecun": "LeCun"}}, names={"yann lecun": "Yann Lecun"}),
            "yann lecun",
            "Yann Lecun",
        ),
        (_lexicon({"last": {"lecun": "LeCun"}}), "yann lecun", "Yann LeCun"),
    ],
)
def test_case_lexicon_restore(lexicon: CaseLexicon, words: str, want: str) -> None:
    assert lexicon.restore(words.split(" ")) == want


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        # evidence from real names (pipelines/data/name_case.json)
        ("YANN LECUN", "Yann LeCun"),
        ("alfredo de santis", "Alfredo De Santis"),
        ("BENJAMIN VAN DURME", "Benjamin Van Durme"),
        ("KEN-ICHI KAWARABAYASHI", "Ken-ichi Kawarabayashi"),
        ("LORNA MACDONALD", "Lorna MacDonald"),
        ("md shahriar", "Md Shahriar"),
        ("ANDREW NG", "Andrew Ng"),
        ("JOËL OUAKNINE [SWS]", "Joël Ouaknine [SWS]"),
        ("lluís màrquez i villodre", "Lluís Màrquez i Villodre"),
        # whole names their people write against the rules
        ("ALBERT CHI-SHING CHUNG", "Albert Chi-shing Chung"),
        ("alexandre d'aspremont", "Alexandre d'Aspremont"),
        ("ANDRÉ DEHON", "André DeHon"),
    ],
)
def test_natural_case_by_evidence(raw: str, name: str) -> None:
    assert split_author(raw).name == name


def test_known_names_keep_what_the_rules_miss_and_no_slips() -> None:
    from bench.name_case import known_names

    names = [
        "Albert Chi-shing Chung",  # against the rules: kept
        "Jeff Dean",  # the rules spell it so: not kept
        "Chi-Shing Wong",
        "Chi-shing Wong",  # two spellings of one name: left to the rules
        "Hui zhang",  # a lower-case family name real names do not write: a slip
        "Jian QIn",  # capitals running on: a slip
        "/Shubham Kumar Nigam",  # not a name's characters
        "Brian M. de Silva",  # the rules spell it so: not kept
        # "el-" opens words in lower case in real names: a particle, kept
        *(f"{given} el-Mowafy" for given in ("Ahmed", "Omar", "Sara")),
    ]
    got = known_names(names, _lexicon())
    assert {key: entry[0] for key, entry in got.items()} == {
        "albert chi-shing chung": "Albert Chi-shing Chung",
        "ahmed el-mowafy": "Ahmed el-Mowafy",
        "omar el-mowafy": "Omar el-Mowafy",
        "sara el-mowafy": "Sara el-Mowafy",
    }
