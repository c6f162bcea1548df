"""Issue 14's rules, table by table, and their figures on the real-text corpus (tests/corpus)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.text import TARGETS, damage, measure
from crawler.pages.grammar import split_venue_line
from pipelines.abstracts import clean_abstract, compound_stem, latex_to_text, unshift
from pipelines.authors import Spelling, display_spelling, split_author
from pipelines.text import fold
from pipelines.venues import default_registry


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        (r"($\beta\geq n^{k/4}$)", "(β≥ n^(k/4))"),
        (r"$A\in\mathbb{R}^{m\times n}$", "A∈ℝ^(m× n)"),
        (r"$\mu \ne 0$", "μ ≠ 0"),
        (r"$a \le b \ge c$", "a ≤ b ≥ c"),
        (r"232 \invfb of \babar data", r"232 \invfb of \babar data"),
        (r"{\em Causal Anonymous Walks} and {\bf bold}", "Causal Anonymous Walks and bold"),
        (r"error $10^{-3}$ at $x_{ij}$", "error 10⁻³ at x_(ij)"),
        (r"M$^3$CoT and O($n^2$)", "M³CoT and O(n²)"),
        (r"ratio $\frac{a+b}{c}$ and $\frac{1}{2}$", r"ratio $\frac{a+b}{c}$ and 1/2"),
        (r"$\left(x\right)$", "(x)"),
    ],
)
def test_latex_keeps_meaning(raw: str, want: str) -> None:
    assert unshift(latex_to_text(raw)) == want


@pytest.mark.parametrize(
    ("raw", "broken", "flagged"),
    [
        # issue 14's damage, and more of its kind: each is flagged
        (r"($\beta\geq n^{k/4}$)", "(β≥ n^k/4)", "lost grouping"),
        (r"$A\in\mathbb{R}^{m\times n}$", "A∈ℝ^m× n", "lost grouping"),
        (r"$\mu \ne 0$", "μ 0", "lost symbols"),
        (r"232 \invfb of \babar data", "232 of data", "dropped macros"),
        (r"{\em Causal Anonymous Walks}", "{ Causal Anonymous Walks}", "stray brace"),
        ("the ''receptive field'' grows", "the ”receptive “field” grows", "quotes out of pairs"),
        (r"gains of \textbf{71.1\%} in", "gains of 71.1 in", "lost percent signs"),
        (r"$10^{-3}$ of the $512^3$ runs", "10⁻ of the 512 runs", "lost numbers"),
        (r"at $u_{\mathrm{peak}}=x$ here", "at $u_{peak}=x$ here", "formulas not as written"),
        (r"the $\texttt{foo}$ model", "the model", "lost words"),
        (r"a \footnote{code is online} b", "a b", "lost words"),
        (
            r"a method $P(u)$ \rightarrow R\widehat, where",
            "a method P(u) → R%s, where",
            "rendering",
        ),
    ],
)
def test_damage_is_seen(raw: str, broken: str, flagged: str) -> None:
    assert any(found.startswith(flagged) for found in damage(raw, broken)), damage(raw, broken)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        # faithful renderings, and the source's own writing, are not damage
        (r"$\textbf{G}$aussian and M$^3$CoT", "Gaussian and M³CoT"),
        (r"\underline{P}at\underline{e}nt and B\'ezier", "Patent and Bézier"),
        (r"$v_t(h,t,c)$ and T^3_B and code\_name", "v_t(h,t,c) and T^3_B and code_name"),
        (r"previously ob- served time-scales", "previously observed timescales"),
        (r"at $512^3$ and [$^{18}$F]FDG", "at 512³ and [¹⁸F]FDG"),
        (
            r"\texttt{Qwen2.5-Max} and $\operatorname{conv}(x)$",
            r"Qwen2.5-Max and $\operatorname{conv}(x)$",
        ),
        (r"\textcolor{red}{Warning}: it", "Warning: it"),
        ('an "unclosed quote in the source', "an “unclosed quote in the source"),
        # a kept formula with its spaces folded; \frac14 as 1/4; \LaTeX as its name; a
        # script before an apostrophe or a norm's bar; a brace spaced in the source
        (r"with $\opt  = 2^{-c}$ here", r"with $\opt = 2^{-c}$ here"),
        (
            r"a $\frac14$ share and $\frac12\log\mathcal{X}$",
            r"a 1/4 share and $\frac12\log\mathcal{X}$",
        ),
        (r"in \LaTeX.", "in LaTeX."),
        (r"the $x_i$'s and $\|x_j\|$", "the x_i's and ‖x_j‖"),
        (r"the grid $\{1, \dots, n \}^d$", "the grid {1, …, n }^d"),
        # a display environment rendered, or kept as written
        (r"so \begin{align*} x \le 1 \end{align*} here", "so x ≤ 1 here"),
        (r"so \begin{align} a &= b \end{align} here", r"so \begin{align} a &= b \end{align} here"),
    ],
)
def test_faithful_text_is_not_damage(raw: str, clean: str) -> None:
    assert damage(raw, clean) == []


@pytest.mark.parametrize(
    ("compound", "stem"),
    [
        ("time-scale", "time-scal"),
        ("time-scales", "time-scal"),
        ("re-defines", "re-defin"),
        ("re-defined", "re-defin"),
        ("re-defining", "re-defin"),
        ("multi-lingual", "multi-lingual"),
    ],
)
def test_compound_stem(compound: str, stem: str) -> None:
    assert compound_stem(compound) == stem


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("the ''receptive field'' grows", "the “receptive field” grows"),
        (
            "...without reward shaping [abs] [ pdf ][ bib ] &copy JMLR 2023. ( edit, beta )",
            "...without reward shaping",
        ),
        ("text ( edit, beta ) more text.", "text more text."),
        ("a frame- work for net-works", "a framework for networks"),
        ("multi-lingual and hand-crafted paths", "multi-lingual and hand-crafted paths"),
        ("zero- and few-shot", "zero- and few-shot"),
        # a compound keeps its hyphen through its inflections ("time-scale" is one)
        ("slow time-scales, re-defined goals", "slow time-scales, re-defined goals"),
        ("a time-scale of re-defining", "a time-scale of re-defining"),
        ("the time- scales of frame- works", "the time-scales of frameworks"),
    ],
)
def test_clean_abstract_real_text(raw: str, want: str) -> None:
    assert clean_abstract(raw)[0] == want


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("NGUYEN VAN THANH", "Nguyen Van Thanh"),
        ("guido van rossum", "Guido van Rossum"),
        ("jose antonio carrillo de la plata", "Jose Antonio Carrillo de la Plata"),
        ("CHRISTINA GARDNER-MCCUNE", "Christina Gardner-McCune"),
        ("CHI-SHING WONG", "Chi-Shing Wong"),
        ("ADENILTON J. DA SILVA", "Adenilton J. da Silva"),
        ("ANA PAULA COUTO DOS SANTOS", "Ana Paula Couto dos Santos"),
        ("ALEXANDRA (SASHA) FEDOROVA", "Alexandra (Sasha) Fedorova"),
    ],
)
def test_natural_case_real_names(raw: str, name: str) -> None:
    assert split_author(raw).name == name


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Anders Søgaard", "Anders Sogaard", True),
        ("Steinþór Steingrímsson", "Steinthór Steingrímsson", True),
        ("Łukasz Kaiser", "Lukasz Kaiser", True),
        ("Hannes Straß", "Hannes Strass", True),
        ("Thorvald Hærem", "Thorvald Haerem", True),
        ("Alper Yıldırım", "Alper Yildirim", True),
        ("Jan Müller", "Jan Mueller", False),  # German "ue": kept apart (see README)
        ("Jon Shlens", "Jonathon Shlens", False),
    ],
)
def test_fold_transliterates(a: str, b: str, same: bool) -> None:
    assert (fold(a) == fold(b)) is same
    assert (split_author(a).key == split_author(b).key) is same


@settings(max_examples=500, deadline=None, derandomize=True)
@given(st.text(st.sampled_from(list("aZ 9-.ßKİøæŁþĳœé\u0301\u212a\u00a0Σς\tǅﬁ")), max_size=12))
def test_fold_of_ascii_takes_no_detour(text: str) -> None:
    """The fold returns an ASCII casefold as it is: the same as decomposing it and dropping
    marks would have made of it."""
    import unicodedata

    from pipelines.text import TRANSLITERATION, normalize_space

    folded = normalize_space(text).casefold().translate(TRANSLITERATION)
    decomposed = unicodedata.normalize("NFKD", folded)
    want = "".join(c for c in decomposed if not unicodedata.combining(c))
    assert fold.__wrapped__(text) == want


@pytest.mark.parametrize(
    ("seen", "want"),
    [
        (
            [Spelling("Chi-Shing Chung", 5, False), Spelling("Chi-shing Chung", 1, True)],
            "Chi-shing Chung",
        ),
        ([Spelling("Tomas Mikolov", 2, True), Spelling("Tomás Mikolov", 2, True)], "Tomás Mikolov"),
        ([Spelling("Jeff Dean", 3, True), Spelling("Jeff Dean", 1, False)], "Jeff Dean"),
        ([Spelling("Ann Lee", 1, True), Spelling("Ann LEE", 4, True)], "Ann LEE"),
    ],
)
def test_display_spelling_by_evidence(seen: list[Spelling], want: str) -> None:
    assert display_spelling(seen) == want
    assert display_spelling(reversed(seen)) == want


@pytest.mark.parametrize(
    ("written", "acronym"),
    [
        ("SIGMOD Conference", "SIGMOD"),
        ("Proc. ACM Manag. Data", "SIGMOD"),
        ("HLT-NAACL", "NAACL"),
        ("AAAI/IAAI", "AAAI"),
        ("ACL/IJCNLP", "ACL"),
        ("EMNLP-IJCNLP", "EMNLP"),
        ("USENIX ATC, General Track", "USENIX ATC"),
        ("arXiv.org", "arXiv"),
        ("NAACL-HLT (Findings)", "NAACL Findings"),
        ("ICLR (Workshop)", "ICLR Workshops"),
        ("The International Conference on Machine Learning", "ICML"),
        ("IEEE International Conference on Data Engineering", "ICDE"),
        ("Proceedings of the International Conference on Software Engineering", "ICSE"),
        # Semantic Scholar's spellings: no event word, no "International", the acronym and
        # year in parentheses, a volume number, parts between dashes, a society's typo
        ("Web Search and Data Mining", "WSDM"),
        ("Operating Systems Design and Implementation", "OSDI"),
        ("Medical Image Computing and Computer-Assisted Intervention", "MICCAI"),
        ("Conference on Information and Knowledge Management", "CIKM"),
        ("Very Large Data Bases Conference", "VLDB"),
        ("Advances in Neural Information Processing Systems 35 (NeurIPS 2022)", "NeurIPS"),
        (
            "ICASSP 2023 - 2023 IEEE International Conference on Acoustics, Speech and Signal"
            " Processing (ICASSP)",
            "ICASSP",
        ),
        ("IEEE/RJS International Conference on Intelligent RObots and Systems", "IROS"),
    ],
)
def test_venue_spellings(written: str, acronym: str) -> None:
    venue = default_registry().resolve(written, "conference")
    assert (venue.acronym, venue.known) == (acronym, True)


@pytest.mark.parametrize(
    "written",
    [
        "ASE",
        "Computer Communications",
        "COLT (Findings)",
        "Workshop on Tiny Things",
        # differs from the registry's "Information Security Conference" by "International"
        "IFIP International Information Security Conference",
        # a journal's short title never meets a conference's content words
        "Computer Vision",
        # parts between dashes that name two venues, or an acronym that disagrees
        "ICML 2023 - International Conference on Learning Representations",
        "Advances in Neural Information Processing Systems 35 (ICML 2022)",
    ],
)
def test_ambiguous_or_unknown_venues_stay_unknown(written: str) -> None:
    assert not default_registry().resolve(written, "conference").known


def test_long_venue_line_keeps_its_words() -> None:
    venue = (
        "Proceedings of the 2019 Conference of the North American Chapter of the Association"
        " for Computational Linguistics: Human Language Technologies, Volume 1 (Long and Short"
        " Papers)"
    )
    line = split_venue_line(f"{venue} Conference 2019 Conference Paper")
    assert line is not None
    assert line.venue == venue
    assert (
        split_venue_line(
            "we show that it works well on many of the benchmarks used by the"
            " community in the journal 2019"
        )
        is None
    )


# Figures the code meets on this corpus, at the issue's targets; the names' round trip at the
# level reached, so that nothing slips back (README, "Cleaning", says why it stops there).
FLOORS = {
    "names_round_trip_pct": (">=", 99.0),
    "natural_names_round_trip_pct": (">=", 98.7),
}


def test_corpus_figures() -> None:
    figures = vars(measure())
    for key, (op, bound) in {**TARGETS, **FLOORS}.items():
        value = figures[key]
        assert (value <= bound) if op == "<=" else (value >= bound), (key, value, op, bound)
