"""The venue registry: acronyms, full names and aliases; unknown venues kept as written."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from pipelines.venues import Venue, default_registry


@pytest.mark.parametrize(
    ("written", "kind", "acronym", "vtype"),
    [
        ("NeurIPS", "conference", "NeurIPS", "conference"),
        # the acronym as a word of the name, as Semantic Scholar writes it: it must agree
        (
            "Proceedings of the 2023 CHI Conference on Human Factors in Computing Systems",
            "conference",
            "CHI",
            "conference",
        ),
        ("CHI Conference on Human Factors in Computing Systems", "conference", "CHI", "conference"),
        (
            "IEEE Workshop/Winter Conference on Applications of Computer Vision",
            "conference",
            "WACV",
            "conference",
        ),
        ("NIPS", "conference", "NeurIPS", "conference"),
        (
            "Advances in Neural Information Processing Systems",
            "conference",
            "NeurIPS",
            "conference",
        ),
        ("icml", "conference", "ICML", "conference"),
        ("Communications of the ACM", "journal", "CACM", "journal"),
        (
            "Transactions of the Association for Computational Linguistics",
            "journal",
            "TACL",
            "journal",
        ),
        ("CoRR", "journal", "arXiv", "preprint"),
        ("arXiv.org", "journal", "arXiv", "preprint"),
        ("JMLR", "journal", "JMLR", "journal"),
        ("ACL (1)", "conference", "ACL", "conference"),
        ("ICLR (Poster)", "conference", "ICLR", "conference"),
        ("Findings of EMNLP", "conference", "EMNLP Findings", "conference"),
        ("Proc. VLDB Endow.", "journal", "VLDB", "conference"),
        ("ICML", "workshop", "ICML Workshops", "workshop"),
        ("STOC", "symposium", "STOC", "conference"),
        # an event's name without its event word, written with one
        (
            "Advances in Neural Information Processing Systems 36",
            "conference",
            "NeurIPS",
            "conference",
        ),
        # a society's name is the content when the rest is only where the event is held
        ("ACM SIGGRAPH Annual Conference in Asia", "conference", "SIGGRAPH Asia", "conference"),
        (
            "14th ACM SIGGRAPH Annual Conference in Asia",
            "conference",
            "SIGGRAPH Asia",
            "conference",
        ),
        ("International Middleware Conference", "conference", "Middleware", "conference"),
        ("Middleware Conference", "conference", "Middleware", "conference"),
        ("International Conference on Supercomputing", "conference", "ICS", "conference"),
        ("Supercomputing", "conference", "SC", "conference"),
        # OpenReview's venue field: a venue, a year and what the paper was there
        ("ICLR 2024 poster", "conference", "ICLR", "conference"),
        ("NeurIPS 2023 notable top 5%", "conference", "NeurIPS", "conference"),
        ("ICML 2024 Conference", "conference", "ICML", "conference"),
        ("EMNLP 2023 Findings", "conference", "EMNLP Findings", "conference"),
        (
            "NeurIPS 2023 Workshop on Distribution Shifts",
            "conference",
            "NeurIPS Workshops",
            "workshop",
        ),
        ("ICLR 2024 Workshop ME-FoMo", "conference", "ICLR Workshops", "workshop"),
        (
            "NeurIPS 2023 Datasets and Benchmarks",
            "conference",
            "NeurIPS Datasets and Benchmarks",
            "conference",
        ),
        ("ICML'23", "conference", "ICML", "conference"),
        ("NeurIPS\u201922", "conference", "NeurIPS", "conference"),
        # DBLP's proceedings titles: an acronym part agreeing with the name, or a place tail
        (
            "Computer Aided Verification - 28th International Conference, CAV 2016, Toronto, ON,"
            " Canada, July 17-23, 2016, Proceedings, Part II",
            "conference",
            "CAV",
            "conference",
        ),
        (
            "ASPLOS '20: Architectural Support for Programming Languages and Operating Systems,"
            " Lausanne, Switzerland, March 16-20, 2020",
            "conference",
            "ASPLOS",
            "conference",
        ),
        (
            "Proceedings of the 16th International Conference on Data Engineering, San Diego,"
            " California, USA, February 28 - March 3, 2000",
            "conference",
            "ICDE",
            "conference",
        ),
        (
            "Conference Record of the Tenth Annual ACM Symposium on Principles of Programming"
            " Languages, Austin, Texas, USA, January 1983",
            "conference",
            "POPL",
            "conference",
        ),
        # the main volume, with what only says which one it is, where and when
        (
            "6th International Conference on Learning Representations, ICLR 2018, Vancouver, BC,"
            " Canada, April 30 - May 3, 2018, Conference Track Proceedings",
            "conference",
            "ICLR",
            "conference",
        ),
        (
            "International Conference on Learning Representations, ICLR 2019, Workshop Track",
            "conference",
            "ICLR Workshops",
            "workshop",
        ),
        (
            "Proceedings of the 2013 ACM SIGPLAN International Conference on Object Oriented"
            " Programming Systems Languages & Applications, OOPSLA 2013, part of SPLASH 2013,"
            " Indianapolis, IN, USA, October 26-31, 2013",
            "conference",
            "OOPSLA",
            "conference",
        ),
        (
            "35th Computational Complexity Conference, CCC 2020, July 28-31, 2020, Saarbr\u00fccken,"
            " Germany (Virtual Conference)",
            "conference",
            "CCC",
            "conference",
        ),
        ("IEEE/ACM Trans. Netw.", "journal", "TON", "journal"),
        # a track's poster is the track's; an edition's number; a joint event's partner
        ("ICLR (Workshop) (Poster)", "conference", "ICLR Workshops", "workshop"),
        ("CVPR (Poster)", "conference", "CVPR", "conference"),
        ("MICRO-52", "conference", "MICRO", "conference"),
        ("CoNLL-X", "conference", "CoNLL", "conference"),
        ("ISMB/ECCB", "conference", "ISMB", "conference"),
        ("IEEE Trans. Vis. Comput. Graph.", "journal", "TVCG", "journal"),
        ("Comput. Lang. Syst. Struct.", "journal", "COMLAN", "journal"),
        ("Proc. VLDB Endow.", "journal", "VLDB", "conference"),
        # abbreviated titles, word by word (DBLP, ISO 4)
        ("J. Parallel Distrib. Comput.", "journal", "JPDC", "journal"),
        ("IEEE J. Sel. Areas Commun.", "journal", "JSAC", "journal"),
        ("ACM Trans. Program. Lang. Syst.", "journal", "TOPLAS", "journal"),
        ("Ann. Pure Appl. Logic", "journal", "APAL", "journal"),
        ("Proc. ACM Hum. Comput. Interact.", "journal", "PACMHCI", "journal"),
        # an acronym part and a name of only the venue's words; an acronym inside the name
        (
            "Computing and Combinatorics - 25th International Conference, COCOON 2019, Xi'an,"
            " China, July 29-31, 2019, Proceedings",
            "conference",
            "COCOON",
            "conference",
        ),
        (
            "Conference Record of POPL 2001: The 28th ACM SIGPLAN-SIGACT Symposium on Principles"
            " of Programming Languages, London, UK, January 17-19, 2001",
            "conference",
            "POPL",
            "conference",
        ),
        (
            "Network and Distributed System Security (NDSS) Symposium",
            "conference",
            "NDSS",
            "conference",
        ),
        (
            "14th USENIX Conference on File and Storage Technologies (FAST 16)",
            "conference",
            "FAST",
            "conference",
        ),
        (
            "Proceedings of the 2009 EuroSys Conference, Nuremberg, Germany, April 1-3, 2009",
            "conference",
            "EuroSys",
            "conference",
        ),
        (
            "IEEE\\RSJ International Conference on Intelligent Robots and Systems",
            "conference",
            "IROS",
            "conference",
        ),
        # spelled ordinals, hyphens, societies joined
        (
            "The Thirty-Seventh AAAI Conference on Artificial Intelligence",
            "conference",
            "AAAI",
            "conference",
        ),
        (
            "The Eleventh International Conference on Learning Representations",
            "conference",
            "ICLR",
            "conference",
        ),
        (
            "International Conference on Computer-Aided Verification",
            "conference",
            "CAV",
            "conference",
        ),
        ("International Conference on Embedded Software", "conference", "EMSOFT", "conference"),
        (
            "EATCS International Colloquium on Automata, Languages, and Programming",
            "conference",
            "ICALP",
            "conference",
        ),
    ],
)
def test_known_venues(written: str, kind: str, acronym: str, vtype: str) -> None:
    venue = default_registry().resolve(written, kind)
    assert (venue.acronym, venue.type, venue.known) == (acronym, vtype, True)
    assert venue.name


@pytest.mark.parametrize(
    "written",
    ["ACL Conference on Human Factors in Computing Systems", "CHI Conference on Tiny Things"],
)
def test_an_acronym_in_a_name_must_agree_with_the_rest(written: str) -> None:
    venue = default_registry().resolve(written, "conference")
    assert (venue.acronym, venue.known) == (written, False)


@pytest.mark.parametrize(
    "written",
    [
        # cut short, or only where and how widely an event is held: what is left of a
        # registry name without its acronym ("International Middleware Conference") or of
        # "Asia-Pacific Symposium on Internetware" names no venue
        "International Conference on \u2026",
        "Proceedings of the IEEE International Conference \u2026",
        "International Symposium on ...",
        "International Conference",
        "International Symposium 2022",
        "ACM International Conference",
        "Asia-Pacific Conference",
        "Asia-Pacific Symposium \u2026",
        "ACM Asia Conference",
        "Conference Papers",
        # the content words of ICS without "International", and SC's alias: either venue
        "Supercomputing Conference",
        "ACM/IEEE Supercomputing Conference",
        # the conference Computational Visual Media (CVM), not the journal (CVMJ)
        "CVM",
        # journals abbreviated like an event's name without its event word
        "Theory Comput.",
        "Comput. Complex.",
        "Comput. Commun.",
        # a workshop's proceedings with the conference's acronym: not the conference
        "Workshop on Foo, ICML 2020, Vienna, Austria",
        "Workshop on Foo, co-located with ICML, ICML 2020",
        "ICLR 2024 Tiny Papers",
        # a volume of its own beside the main proceedings: never the main conference
        "Proceedings of the 58th Annual Meeting of the Association for Computational Linguistics:"
        " Student Research Workshop, ACL 2020, Online, July 5-10, 2020",
        "Proceedings of the 2020 Conference on Empirical Methods in Natural Language Processing:"
        " Demos, EMNLP 2020 - Demos, Online, November 16-20, 2020",
        "Proceedings of the 41st International Conference on Software Engineering: Companion"
        " Proceedings, ICSE 2019, Montreal, QC, Canada, May 25-31, 2019",
        "GECCO '20: Genetic and Evolutionary Computation Conference, Companion Volume, Canc\u00fan,"
        " Mexico, July 8-12, 2020",
        "IEEE International Conference on Acoustics, Speech and Signal Processing, ICASSP 2023 -"
        " Satellite Workshops, Rhodes Island, Greece, June 4-10, 2023",
        "Adjunct Proceedings of the IEEE International Conference on Acoustics, Speech and Signal"
        " Processing, ICASSP 2021, Toronto",
        "MobiCom '20: The 26th Annual International Conference on Mobile Computing and Networking,"
        " London, United Kingdom, September 21-25, 2020, Poster",
        "SIGGRAPH Asia 2020 Posters",
        # a volume code joined to the acronym (IEEE Xplore's way), a workshop's proceedings
        "ICSE-SEIP",
        "CVPR-W",
        "ISMAR-Adjunct",
        "SIGIR-AP",
        "ICSE-C",
        "VLDB-PhD",
        "MM-Asia",
        # posters are a volume of their own, but at the venues that show papers as posters
        "SIGGRAPH (Posters)",
        "KDD (Posters)",
        "SenSys (Poster)",
        "SIGGRAPH 2019 Poster",
        "Financial Cryptography Workshops",
        "Medical Image Computing and Computer Assisted Intervention - 1st International"
        " Workshop, MICCAI 2020, Lima, Peru, 2020, Proceedings",
        "Computer Vision - ECCV 2020, 1st Workshop, Glasgow, UK, 2020",
        # an abbreviated title naming a publisher is none of another publisher's titles
        "SIGGRAPH Comput. Graph.",
        "ACM Trans. Softw. Eng.",
        "IEEE Trans. Inf. Syst.",
        # no title in 200 parts, nor two venues
        ", ".join(["ICML 2020", "NeurIPS 2020"] * 100),
        "ICML 2020, NeurIPS 2020",
        # IFIP SEC, not the Information Security Conference (ISC)
        "IFIP International Information Security Conference",
        # another kind of event on the same subject: IEEE ISM, COMPDES, CERIAS' symposium
        "IEEE International Symposium on Multimedia",
        "International Symposium on Multimedia",
        "International Symposium on Computer Design",
        "Information Security Symposium",
        "Symposium on Visualization",
        # another society's event: IEEE's, not ACM's MM; IEEE Signal Processing Magazine
        "IEEE International Conference on Multimedia",
        "IEEE SPM 2017",
        # "Signal" is no special interest group (ICISP, not ICIP)
        "International Conference on Image and Signal Processing",
        "International Conference on Signal and Image Processing",
        # a name two real events share (Inscrypt's and Korea's ICISC)
        "International Conference on Information Security and Cryptology",
        # a journal's title that is also an event's name, on an event's line: the event
        "Parallel Computing",
        "Artificial Intelligence in Medicine",
        "Intelligent Data Analysis",
        "Pattern Recognition",
        "Machine Learning",
        "WI 2005",
        "HCI 2005",
    ],
)
def test_a_line_that_names_no_one_venue_stays_unknown(written: str) -> None:
    venue = default_registry().resolve(written, "conference")
    assert not venue.known, venue


@pytest.mark.parametrize(
    "written", ["IEEE Micro", "IEEE MICRO", "World Wide Web", "Language Resources and Evaluation"]
)
def test_a_journal_line_names_a_conference_only_as_it_is_spelled(written: str) -> None:
    # The journals of these names, not MICRO, The Web Conference or LREC, loosely matched.
    assert not default_registry().resolve(written, "journal").known


@pytest.mark.parametrize(
    ("written", "acronym"),
    [
        ("Proceedings of the AAAI Conference on Artificial Intelligence", "AAAI"),
        ("Interspeech 2022", "Interspeech"),
        ("Advances in Neural Information Processing Systems 35 (NeurIPS 2022)", "NeurIPS"),
        ("Proc. VLDB Endow.", "VLDB"),
        ("The Journal of the Acoustical Society of America", "JASA"),
    ],
)
def test_a_journal_line_names_a_conference_as_an_event_or_by_its_acronym(
    written: str, acronym: str
) -> None:
    assert default_registry().resolve(written, "journal").acronym == acronym


@pytest.mark.parametrize(
    ("written", "kind", "acronym"),
    [
        # "Proc. of", BibTeX's "--", a former name in parentheses, a record's qualifiers
        ("Proc. of ECCV", "conference", "ECCV"),
        ("Proc.\\of Interspeech", "conference", "Interspeech"),
        ("Proc. of ICLR", "journal", "ICLR"),
        ("Computer Vision -- ECCV 2018", "conference", "ECCV"),
        (
            "Computer Vision--ECCV 2022: 17th European Conference, Tel Aviv, Israel, October"
            " 23--27, 2022, Proceedings, Part XV",
            "conference",
            "ECCV",
        ),
        (
            "International Conference on Multimodal Interaction (was International Conference"
            " on Multimodal Interfaces)",
            "conference",
            "ICMI",
        ),
        ("IEEE transactions on intelligent transportation systems (Print)", "journal", "TITS"),
        (
            "Neural networks : the official journal of the International Neural Network Society",
            "journal",
            "Neural Networks",
        ),
        ("TOSEM journal", "journal", "TOSEM"),
        ("Springer NCA", "journal", "NCA"),
        ("International Journal of Human\u2013Computer Interaction", "journal", "IJHCI"),
        # an edition's year glued, short or hyphenated
        ("ICML2019", "conference", "ICML"),
        ("SANER23", "conference", "SANER"),
        ("ICML 17", "conference", "ICML"),
        (
            "Proceedings of the Thirty-First International Joint Conference on Artificial"
            " Intelligence, IJCAI-22",
            "conference",
            "IJCAI",
        ),
        # an abbreviated name with its acronym; Findings of the ACL at a venue; HLT's subtitle
        ("IEEE Trans. on Pattern Analysis and Machine Intelligence (TPAMI)", "journal", "TPAMI"),
        ("Findings of the ACL-EMNLP", "conference", "EMNLP Findings"),
        (
            "Proceedings of the 2019 Conference of the North American Chapter of the Association"
            " for Computational Linguistics: Human Language Technologies, Volume 1 (Long and"
            " Short Papers)",
            "conference",
            "NAACL",
        ),
    ],
)
def test_spellings_of_lists_and_records_resolve(written: str, kind: str, acronym: str) -> None:
    assert default_registry().resolve(written, kind).acronym == acronym


@pytest.mark.parametrize("written", ["ICML 2019x", "SEC", "ABC2019", "Machine Learning 17"])
def test_an_edition_s_year_names_only_a_known_acronym(written: str) -> None:
    assert not default_registry().resolve(written, "conference").known


@pytest.mark.parametrize(
    ("written", "kind", "acronym"),
    [
        # a society written with a name the registry writes without it, or with a SIG
        ("IEEE/ACM International Conference on Computer-Aided Design", "conference", "ICCAD"),
        (
            "Proceedings of the SIGCHI Conference on Human Factors in Computing Systems",
            "conference",
            "CHI",
        ),
        ("The SIGNLL Conference on Computational Natural Language Learning", "conference", "CoNLL"),
        ("IEEE/ACM CGO", "conference", "CGO"),
        (
            "EATCS International Colloquium on Automata, Languages, and Programming",
            "conference",
            "ICALP",
        ),
        ("IEEE Congress on Evolutionary Computation", "conference", "IEEE CEC"),
        # a venue's name beside a society is no society
        ("Eurographics/IEEE Symposium on Visualization", "conference", "EuroVis"),
        # a journal whose title is also an event's, as a journal is written
        ("Parallel Computing", "journal", "Parallel Computing"),
        ("Artif. Intell. Medicine", "conference", "AIM"),
        ("Pattern Recognit.", "conference", "Pattern Recognition"),
        ("Pattern Recognition", "journal", "Pattern Recognition"),
        # an event's line names any other journal by its title
        ("Medical Image Analysis", "conference", "Medical Image Analysis"),
    ],
)
def test_a_name_with_its_society_or_kind_of_event_resolves(
    written: str, kind: str, acronym: str
) -> None:
    assert default_registry().resolve(written, kind).acronym == acronym


@pytest.mark.parametrize(
    ("written", "acronym"),
    [
        # the host before the word, whole or as an acronym, with a year or a title after
        ("CVPR Workshops", "CVPR Workshops"),
        ("Proc. of CVPR - Workshops", "CVPR Workshops"),
        (
            "Proceedings of the IEEE/CVF Conference on Computer Vision and Pattern Recognition"
            " (CVPR) Workshops",
            "CVPR Workshops",
        ),
        ("2007 IEEE Globecom Workshops", "GLOBECOM Workshops"),
        ("ICLR Workshop 2018", "ICLR Workshops"),
        ("ICML'23 workshop", "ICML Workshops"),
        ("ACM CHI Workshop: Designing for Digital Wellbeing", "CHI Workshops"),
        ("CHI Workshop on Tiny Things", "CHI Workshops"),
        # the host first, the workshop's own name after it
        ("NIPS Workshop on Adversarial Training", "NeurIPS Workshops"),
        ("NAACL SpLU-RoboNLP Workshop 2019", "NAACL Workshops"),
        ("NeurIPS 2025 (SEA Workshop)", "NeurIPS Workshops"),
        ("MobiCom 2023 ISACom Workshop", "MobiCom Workshops"),
        # the host after "at" or "@", and the acronym with W
        ("Mechanistic Interpretability Workshop at ICML 2026", "ICML Workshops"),
        ("DAIS Workshop at ICDE 2025", "ICDE Workshops"),
        ("aiDM@SIGMOD", "SIGMOD Workshops"),
        (
            "Proceedings of the 2017 Workshop on Programming Languages and Analysis for Security,"
            " PLAS@CCS 2017, Dallas, TX, USA, October 30, 2017",
            "CCS Workshops",
        ),
        ("CVPRW 2019", "CVPR Workshops"),
        ("Proc. of ICMEW", "ICME Workshops"),
    ],
)
def test_a_workshop_line_names_its_host_conference_s_workshops(written: str, acronym: str) -> None:
    for kind in ("workshop", "conference"):
        venue = default_registry().resolve(written, kind)
        assert (venue.acronym, venue.type) == (acronym, "workshop"), kind


@pytest.mark.parametrize(
    "written",
    [
        # an edition of an event that is (or was) a workshop, or one named after the venue
        "Computer Science Logic, 15th International Workshop, CSL 2001, Paris, France",
        "Security and Trust Management - 11th International Workshop, STM 2015, Vienna",
        "Computer-Aided Verification, Proceedings of a DIMACS Workshop 1990, New Brunswick",
        # a workshop named for a topic, a society's workshop (the speech association's ISCA)
        "International Workshop on Machine Learning",
        "Proc. of ISCA Workshop of Multi-Modal Dialogue in Mobile Environments",
        # a word of the title that is a venue's one-word name is no host
        "Information Security Workshop on Tiny Things",
        # a workshop's own name in acronym + W (the Memory, Genome Informatics, Multimodal
        # Wordnets, Security Protocols workshops), a paper's title holding one
        "IMW",
        "AIMC for LLM Inference (IMW 2026)",
        "The 27th International Conference on Genome Informatics (GIW 2016)",
        "MMW 2020",
        "SPW 2019",
        # another body's acronym: the Eurographics Association's, Gesellschaft für Informatik's,
        # the European Space Agency's workshops
        "Eurographics Workshop on Natural Phenomena",
        "GI Workshop on Virtual and Augmented Reality (VR/AR 2026)",
        "ESA Workshop on Cognitive Cloud Computing in Space",
    ],
)
def test_a_workshop_line_without_a_host_names_no_conference_s_workshops(written: str) -> None:
    venue = default_registry().resolve(written, "workshop")
    assert not venue.known or venue.type != "workshop" or not venue.acronym.endswith("Workshops")


@pytest.mark.parametrize(
    ("written", "acronym"),
    [
        # a venue's former name as a workshop is the venue
        ("Proceedings of Privacy Enhancing Technologies workshop (PET 2002)", "PETS"),
        ("computational learning theory workshop", "COLT"),
        ("Eurographics Workshop on Rendering 1998", "EGSR"),
        # but a workshop named for its own topic at it is its workshops'
        (
            "Uncertainty in artificial intelligence workshop on uncertainty in Deep learning",
            "UAI Workshops",
        ),
        ("Coling 2008: Proceedings of the workshop on Human Judgements", "COLING Workshops"),
        ("ISC High Performance Workshops 2017", "ISC High Performance Workshops"),
        ("International Supercomputing Conference", "ISC High Performance"),
        # a subtitle that only names a volume; never a book's subtitle
        ("CoNLL 2011: Shared Task", "CoNLL"),
        ("EACL 2021: Main Volume", "EACL"),
    ],
)
def test_former_workshop_names_and_volume_subtitles(written: str, acronym: str) -> None:
    assert default_registry().resolve(written, "conference").acronym == acronym


@pytest.mark.parametrize(
    "written",
    [
        "Neural Networks: Tricks of the Trade",
        "Parallel Computing: Technology Trends",
        "EACL 1999: CoNLL-99 Computational Natural Language Learning",
        # a journal's acronym with a year or "Proc. of" on an event's line: an edition of an
        # event of the same letters (Translating and the Computer, not IEEE TC)
        "TC 1978",
        "Proc. of TC 1993",
        # another event's acronym and year among the parts ("COMAD 2013", not SIGMOD)
        "19th International Conference on Management of Data, COMAD 2013, Ahmedabad, India,"
        " December 19-21, 2013",
    ],
)
def test_a_subtitle_an_edition_or_another_acronym_names_no_registry_venue(written: str) -> None:
    assert not default_registry().resolve(written, "conference").known


@pytest.mark.parametrize(("written", "acronym"), [("HotOS", "HotOS"), ("ICML", "ICML Workshops")])
def test_a_workshop_line_naming_a_workshop_is_that_workshop(written: str, acronym: str) -> None:
    assert default_registry().resolve(written, "workshop").acronym == acronym


def test_unknown_venue_is_kept_as_written_and_flagged() -> None:
    venue = default_registry().resolve("  Workshop on  Tiny Things ", "Workshop")
    assert venue == Venue("Workshop on Tiny Things", None, "workshop", False)


def test_registry_has_no_spelling_that_names_two_venues() -> None:
    from pipelines.text import fold

    data = json.loads(resources.files("pipelines").joinpath("data/venues.json").read_text("utf-8"))
    seen: dict[str, str] = {}
    for entry in data["venues"]:
        for spelling in (entry["acronym"], entry["name"], *entry["aliases"]):
            owner = seen.setdefault(fold(spelling), entry["acronym"])
            assert owner == entry["acronym"], f"{spelling!r} names {owner} and {entry['acronym']}"


def test_every_fixture_venue_is_in_the_registry() -> None:
    from crawler.pages.grammar import split_venue_line
    from tests.fixture_pages import expected, fixture_pages

    for page in fixture_pages():
        for paper in expected(page).get("papers", []):
            line = split_venue_line(paper["venue_line"])
            assert line is not None
            assert default_registry().resolve(line.venue, line.kind).known, paper["venue_line"]
