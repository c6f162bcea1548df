"""Run health, pure: figures from a run's counts, the judgement against the recent healthy
runs, and the alert's document."""

from __future__ import annotations

import pytest

from pipelines.health import (
    FIGURES,
    RULES,
    Health,
    Past,
    RunOutcome,
    Thresholds,
    baseline,
    departure,
    disappearance,
    figures,
    judge,
    markup_change,
    markups,
    targets_key,
    verdict,
)

OLD = "article.paper-card h1.cluster-name h3.paper-title li.paper-author ul.paper-authors"
NEW = "article.paper-card div.paper-authors h1.cluster-name h2.paper-title span.paper-author"
STATS = {
    "pages/site": 8,
    "pages/text": 1,
    "pages/refused": 1,
    "papers/seen": 90,
    "clean/truncated_lists": 9,
    "clean/unknown_venues": 3,
    "clean/abstracts_repaired": 45,
    f"markup/{OLD}": 1,
    "downloader/response_status_count/200": 18,
    "downloader/response_status_count/304": 1,
    "downloader/response_status_count/404": 1,
    "start_time": "not a count",
}
RULE = {rule.figure: rule for rule in RULES}


def healthy(run_id: int, **changes: float) -> Past:
    return Past(run_id, {**figures(STATS, (0, 90)), **changes}, (OLD,))


def test_figures_from_a_runs_counts() -> None:
    found = figures(STATS, (9, 90))
    assert list(found) == list(FIGURES)
    assert found["pages"] == 10
    assert found["papers"] == 90
    assert found["papers_per_page"] == 10.0  # per page parsed: 90 papers on 9 pages
    assert (found["site_share"], found["text_share"], found["rejected_share"]) == (0.8, 0.1, 0.1)
    assert found["unknown_venues_per_paper"] == pytest.approx(3 / 90)
    assert found["cut_lists_share"] == 0.1
    assert found["repaired_share"] == 0.5
    assert found["http_error_rate"] == 0.05
    assert (found["disappeared"], found["seen_before"], found["disappeared_share"]) == (9, 90, 0.1)


def test_figures_of_a_run_with_nothing_say_none_where_a_share_has_no_whole() -> None:
    found = figures({})
    assert (found["pages"], found["papers"]) == (0, 0)
    assert found["papers_per_page"] is None
    assert found["site_share"] is None
    assert found["http_error_rate"] is None
    assert (found["disappeared"], found["seen_before"], found["disappeared_share"]) == (
        None,
        None,
        None,
    )


def test_failed_downloads_count_as_http_errors() -> None:
    stats = {"downloader/exception_count": 3, "downloader/response_status_count/200": 1}
    assert figures(stats)["http_error_rate"] == 0.75


def test_disappearance_counts_papers_a_cluster_showed_before_and_not_now() -> None:
    before = {"jeff dean": {"a", "b", "c", "d"}, "quoc v le": {"e"}}
    now = {"jeff dean": {"a", "x"}, "quoc v le": {"e"}, "new cluster": {"y"}}
    assert disappearance(before, now) == (3, 5)


def test_markups_are_the_fingerprints_counted() -> None:
    assert markups({f"markup/{NEW}": 1, f"markup/{OLD}": 1, "pages/site": 2}) == (NEW, OLD)


@pytest.mark.parametrize(
    ("figure", "value", "base", "said"),
    [
        ("papers_per_page", 1.5, 12.1, "papers per page 1.5 against 12.1 (-88%)"),
        ("papers_per_page", 6.5, 12, None),  # -46%: not more than half
        ("papers_per_page", 30, 12, None),  # more is not worse
        ("pages", 1, 4, "pages fetched 1 against 4 (-75%)"),
        ("pages", 2, 0, None),  # nothing to fall from
        (
            "site_share",
            0.0,
            1.0,
            "site markup parsed 0% against 100%: the site's markup may have changed",
        ),
        ("site_share", 0.8, 1.0, None),
        ("rejected_share", 1.0, 0.0, "pages rejected 100% against 0%"),
        ("rejected_share", 0.2, 0.0, None),
        ("unknown_venues_per_paper", 0.5, 0.02, "unknown venues per paper 0.50 against 0.02"),
        ("cut_lists_share", 0.6, 0.125, "cut author lists 60% against 12.5%"),
        ("repaired_share", 0.2, 0.9, None),  # fewer repairs is not worse
        ("http_error_rate", 0.15, 0.0, "HTTP errors 15% against 0%"),
        ("http_error_rate", 0.08, 0.0, None),
    ],
)
def test_a_figure_departs_only_the_wrong_way_and_beyond_its_threshold(
    figure: str, value: float, base: float, said: str | None
) -> None:
    assert departure(RULE[figure], value, base, Thresholds()) == said


def test_thresholds_are_what_the_settings_say() -> None:
    strict = Thresholds(drop=0.1, shift=0.05)
    assert departure(RULE["papers_per_page"], 10, 12, strict) == (
        "papers per page 10 against 12 (-17%)"
    )
    assert departure(RULE["site_share"], 0.9, 1.0, strict) is not None


def test_the_baseline_is_the_median_of_the_past_runs() -> None:
    past = [healthy(3, papers_per_page=9.0), healthy(2, papers_per_page=12.0), healthy(1)]
    assert baseline(past)["papers_per_page"] == 10.0
    assert baseline([healthy(1, http_error_rate=None)])["http_error_rate"] is None  # type: ignore[arg-type]


def test_a_run_like_its_past_is_healthy() -> None:
    health = judge(figures(STATS, (0, 90)), (OLD,), [healthy(2), healthy(1)], Thresholds())
    assert health.reasons == ()
    assert health.compared_with == (2, 1)
    assert health.baseline is not None and health.baseline["papers"] == 90
    assert verdict("finished", health) == "finished"


def test_a_run_that_lost_most_papers_is_degraded_with_its_reasons() -> None:
    stats = {**STATS, "papers/seen": 9, "clean/abstracts_repaired": 4, "clean/truncated_lists": 1}
    stats["clean/unknown_venues"] = 0
    health = judge(figures(stats, (81, 90)), (OLD,), [healthy(2), healthy(1)], Thresholds())
    assert health.reasons == (
        "90% of cluster papers disappeared (81 of 90 seen before)",
        "papers per page 1 against 10 (-90%)",
    )
    assert verdict("finished", health) == "degraded"
    assert verdict("failed", health) == "failed"  # a failure stays a failure
    assert verdict("stopped", Health({})) == "stopped"


def test_first_runs_are_judged_on_absolute_signs_only() -> None:
    lonely = judge(figures({**STATS, "papers/seen": 1}), (OLD,), [], Thresholds())
    assert lonely.reasons == () and lonely.baseline is None
    rejected = {"pages/refused": 4}
    assert judge(figures(rejected), (), [], Thresholds()).reasons == (
        "every page was rejected (4 pages)",
    )
    empty = {"pages/site": 2}
    assert judge(figures(empty), (OLD,), [], Thresholds()).reasons == ("no papers on 2 pages",)
    assert judge(figures({}), (), [], Thresholds()).reasons == ("no cluster page was read",)


def test_the_canary_tells_a_markup_change_even_when_parsing_succeeds() -> None:
    assert markup_change((NEW,), [healthy(1)]) == (
        "site markup changed from the recent runs' (now div.paper-authors, h2.paper-title, "
        "span.paper-author; no longer h3.paper-title, li.paper-author, ul.paper-authors)"
    )
    assert markup_change((OLD,), [healthy(1)]) is None
    assert markup_change((NEW,), []) is None  # nothing to compare with
    assert markup_change((), [healthy(1)]) is None  # no site markup parsed: site_share tells
    stats = {k: v for k, v in STATS.items() if not k.startswith("markup/")} | {f"markup/{NEW}": 1}
    health = judge(figures(stats, (0, 90)), markups(stats), [healthy(1)], Thresholds())
    assert len(health.reasons) == 1 and health.reasons[0].startswith("site markup changed")


def test_a_healthy_run_stored_and_read_back_is_the_same() -> None:
    health = judge(figures(STATS, (0, 90)), (OLD,), [healthy(1)], Thresholds())
    assert Health.from_json(health.as_json()) == health


def test_runs_over_the_same_targets_share_a_key_whatever_the_order() -> None:
    one = targets_key("author_cluster", {"url": "https://a/x", "author": "Jeff Dean"})
    two = targets_key("author_cluster", {"author": "Jeff Dean", "url": "https://a/x"})
    assert one == two
    assert one != targets_key("replay", {"url": "https://a/x", "author": "Jeff Dean"})


def test_the_alert_document_names_the_run_targets_status_reasons_and_figures() -> None:
    health = judge(figures({"pages/refused": 2}), (), [healthy(1)], Thresholds())
    outcome = RunOutcome(
        7,
        "author_cluster",
        {"author": "Jeff Dean"},
        "failed",
        health,
        "failed (every page was refused) in 1.0s: ...",
        why="every page was refused",
    )
    document = outcome.document()
    assert (document["run_id"], document["run"], document["status"]) == (7, 7, "failed")
    assert document["targets"] == {"author": "Jeff Dean"}
    assert document["reasons"] == [
        "every page was refused",
        "every page was rejected (2 pages)",
        "pages fetched 2 against 10 (-80%)",
        "pages rejected 100% against 10%",
    ]
    assert document["figures"]["pages"] == 2
    assert document["baseline"]["pages"] == 10
    assert document["text"].startswith(
        "arrow-crawler run 7 failed (author_cluster author=Jeff Dean): every page was refused; "
    )
