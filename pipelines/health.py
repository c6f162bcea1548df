"""A run's health: figures made of its counts, judged against the recent healthy runs over
the same targets, with reasons a person reads the next morning.

Pure: plain numbers in (the crawl's counts, what the store remembers of earlier runs),
figures and reasons out. The page store (``crawler.pagestore``) gathers the inputs, the
store keeps each run's figures (``crawl_runs.health``), ``crawler.health`` sends the alerts.

A run is compared with the median of the last ``window`` healthy runs over the same targets
(same spider, same arguments). A figure that moves the wrong way by more than its threshold
is a reason; so are the signs that need no history (no papers, every page rejected), papers
gone from clusters seen before, and a change of the site markup's structure (the canary).
A finished run with a reason is "degraded".
"""

from __future__ import annotations

import json
import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping, Sequence

Number = int | float
Figures = dict[str, Number | None]

# Every figure, in the order tables and exports show them.
FIGURES = (
    "pages",  # cluster pages the run handled: parsed or rejected (failed fetches included)
    "papers",  # papers the pages showed
    "papers_per_page",  # papers per page parsed
    "site_share",  # pages parsed by the site markup
    "text_share",  # pages parsed by the visible-text fallback
    "rejected_share",  # pages rejected
    "unknown_venues_per_paper",
    "cut_lists_share",  # papers whose author list stays cut at the display limit
    "repaired_share",  # papers whose abstract cleaning repaired
    "http_error_rate",  # responses 4xx/5xx and failed downloads, of all answers
    "disappeared",  # papers a cluster showed the last run that saw it, not shown now
    "seen_before",  # papers those clusters showed then
    "disappeared_share",
)
COUNTED = frozenset({"pages", "papers", "disappeared", "seen_before"})  # integers
# Runs judged against the past; others (a stopped worker, Ctrl-C, a CLOSESPIDER_* limit)
# only get their figures.
JUDGED = frozenset({"finished", "failed"})
DEGRADED = "degraded"


@dataclass(frozen=True)
class Thresholds:
    """How far a figure may move the wrong way from the recent median before it is a
    reason (README, "Run health", has the defaults and why)."""

    window: int = 5  # healthy runs whose median is the baseline
    drop: float = 0.5  # a fall of more than this fraction: pages, papers per page
    shift: float = 0.25  # a move of more than these points: shares of pages and papers
    http_errors: float = 0.1  # a rise of the HTTP error rate by more than these points
    disappeared: float = 0.2  # more than this share of a cluster's papers gone


@dataclass(frozen=True)
class Rule:
    """One figure compared with its baseline: which way is worse, measured how."""

    figure: str
    label: str
    worse: Literal["down", "up"]
    measure: Literal["relative", "points"]
    threshold: Literal["drop", "shift", "http_errors"]
    shown: Literal["number", "percent", "ratio"]
    hint: str = ""
    # Said only of a run that parsed a page: when every page was rejected, the rejects are
    # the reason, and the markup's share falls with them.
    parsed_only: bool = False


RULES = (
    Rule("pages", "pages fetched", "down", "relative", "drop", "number"),
    Rule("papers_per_page", "papers per page", "down", "relative", "drop", "number"),
    Rule(
        "site_share",
        "site markup parsed",
        "down",
        "points",
        "shift",
        "percent",
        ": the site's markup may have changed",
        parsed_only=True,
    ),
    Rule("rejected_share", "pages rejected", "up", "points", "shift", "percent"),
    Rule("unknown_venues_per_paper", "unknown venues per paper", "up", "points", "shift", "ratio"),
    Rule("cut_lists_share", "cut author lists", "up", "points", "shift", "percent"),
    Rule("repaired_share", "abstracts repaired", "up", "points", "shift", "percent"),
    Rule("http_error_rate", "HTTP errors", "up", "points", "http_errors", "percent"),
)


@dataclass(frozen=True)
class Past:
    """A healthy run as the store remembers it: its id, figures and markup fingerprints."""

    run_id: int
    figures: Figures
    markup: tuple[str, ...] = ()


@dataclass(frozen=True)
class Health:
    """A run's figures, its baseline (the median of ``compared_with``) and the reasons.

    ``comparable``: whether the run's figures say what its targets are like, so that it may
    be judged and, healthy, be the baseline of later runs; not so for a run stopped early or
    one that resumed an interrupted crawl (it fetched only what was left).
    """

    figures: Figures
    markup: tuple[str, ...] = ()
    baseline: Figures | None = None
    compared_with: tuple[int, ...] = ()
    reasons: tuple[str, ...] = ()
    comparable: bool = True

    def as_json(self) -> dict[str, Any]:
        """The record stored with the run (``crawl_runs.health``) and exported."""
        return {
            "figures": self.figures,
            "baseline": self.baseline,
            "compared_with": list(self.compared_with),
            "markup": list(self.markup),
            "reasons": list(self.reasons),
            "comparable": self.comparable,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Health:
        return cls(
            figures=dict(data.get("figures") or {}),
            markup=tuple(data.get("markup") or ()),
            baseline=dict(data["baseline"]) if data.get("baseline") else None,
            compared_with=tuple(data.get("compared_with") or ()),
            reasons=tuple(data.get("reasons") or ()),
            comparable=bool(data.get("comparable", True)),
        )


def _count(stats: Mapping[str, Any], key: str) -> int:
    value = stats.get(key, 0)
    return value if isinstance(value, int) else 0


def _share(part: Number, whole: Number) -> float | None:
    return part / whole if whole else None


def http_errors(stats: Mapping[str, Any]) -> tuple[int, int]:
    """(errors, answers) from Scrapy's downloader stats: responses of status 400 and up and
    downloads that failed (time-outs, refused connections), of every response and failure."""
    prefix = "downloader/response_status_count/"
    errors = failed = _count(stats, "downloader/exception_count")
    answers = failed
    for key, value in stats.items():
        if key.startswith(prefix) and isinstance(value, int):
            answers += value
            status = key.removeprefix(prefix)
            if status.isdigit() and int(status) >= 400:
                errors += value
    return errors, answers


def disappearance(
    before: Mapping[str, Collection[str]], now: Mapping[str, Collection[str]]
) -> tuple[int, int]:
    """(papers gone, papers seen before) over the clusters seen now: a paper the last run
    that saw a cluster found on it and this run did not."""
    gone = seen = 0
    for cluster, papers in before.items():
        shown = now.get(cluster, ())
        seen += len(papers)
        gone += sum(1 for paper in papers if paper not in shown)
    return gone, seen


def figures(stats: Mapping[str, Any], gone: tuple[int, int] | None = None) -> Figures:
    """A run's figures from its crawl stats (the page store's ``pages/*``, ``papers/seen``,
    ``clean/*`` and Scrapy's downloader counts) and ``gone``: (papers disappeared, papers
    seen before), None when not told (a replay reads what it is given, not whole clusters)."""
    site, text = _count(stats, "pages/site"), _count(stats, "pages/text")
    rejected = _count(stats, "pages/refused")
    pages, parsed = site + text + rejected, site + text
    papers = _count(stats, "papers/seen")
    errors, answers = http_errors(stats)
    disappeared, seen_before = gone if gone is not None else (None, None)
    return {
        "pages": pages,
        "papers": papers,
        "papers_per_page": _share(papers, parsed),
        "site_share": _share(site, pages),
        "text_share": _share(text, pages),
        "rejected_share": _share(rejected, pages),
        "unknown_venues_per_paper": _share(_count(stats, "clean/unknown_venues"), papers),
        "cut_lists_share": _share(_count(stats, "clean/truncated_lists"), papers),
        "repaired_share": _share(_count(stats, "clean/abstracts_repaired"), papers),
        "http_error_rate": _share(errors, answers),
        "disappeared": disappeared,
        "seen_before": seen_before,
        "disappeared_share": _share(disappeared or 0, seen_before or 0),
    }


def markups(stats: Mapping[str, Any]) -> tuple[str, ...]:
    """The structural fingerprints of the pages the site markup parsed (``markup/<fp>``)."""
    return tuple(sorted(k.removeprefix("markup/") for k in stats if k.startswith("markup/")))


def baseline(past: Sequence[Past]) -> Figures:
    """The median of each figure over ``past`` (None where no run has it)."""
    medians: Figures = {}
    for name in FIGURES:
        values = [p.figures[name] for p in past if p.figures.get(name) is not None]
        medians[name] = statistics.median(values) if values else None  # type: ignore[type-var]
    return medians


def number(value: Number) -> str:
    """12.1, 6, 0.5: one decimal, none when it is zero."""
    return f"{value:.1f}".removesuffix(".0")


def percent(value: Number) -> str:
    """A share as a percentage: 0%, 12.5%, 100%."""
    return f"{round(value * 100, 1):g}%"


def _shown(rule: Rule, value: Number) -> str:
    if rule.shown == "percent":
        return percent(value)
    if rule.shown == "ratio":
        return f"{value:.2f}"
    return number(value)


def departure(rule: Rule, value: Number, base: Number, thresholds: Thresholds) -> str | None:
    """The reason ``value`` departs from ``base`` by ``rule``, or None when it does not."""
    limit: float = getattr(thresholds, rule.threshold)
    sign = -1 if rule.worse == "down" else 1
    said = f"{rule.label} {_shown(rule, value)} against {_shown(rule, base)}"
    if rule.measure == "relative":
        if not base:
            return None
        change = (value - base) / base
        return f"{said} ({change:+.0%}){rule.hint}" if change * sign > limit else None
    return f"{said}{rule.hint}" if (value - base) * sign > limit else None


def absolute_signs(figures: Figures) -> list[str]:
    """What is wrong whatever the past: nothing read, every page rejected, no papers."""
    pages, papers = figures["pages"] or 0, figures["papers"] or 0
    if not pages:
        return ["no cluster page was read"]
    counted = f"{number(pages)} page{'' if pages == 1 else 's'}"
    if figures["rejected_share"] == 1:
        return [f"every page was rejected ({counted})"]
    if not papers:
        return [f"no papers on {counted}"]
    return []


def gone_reason(figures: Figures, thresholds: Thresholds) -> str | None:
    share, gone, seen = (
        figures["disappeared_share"],
        figures["disappeared"],
        figures["seen_before"],
    )
    if share is None or share <= thresholds.disappeared:
        return None
    return (
        f"{percent(share)} of cluster papers disappeared "
        f"({number(gone or 0)} of {number(seen or 0)} seen before)"
    )


def markup_change(markup: Sequence[str], past: Sequence[Past]) -> str | None:
    """The canary: a fingerprint of this run's site-markup pages that none of the recent
    runs had, told as the tags and classes that came and went."""
    known = Counter(m for p in past for m in p.markup)
    new = [m for m in markup if m not in known]
    if not known or not new:
        return None
    usual = set(known.most_common(1)[0][0].split())
    now = set(new[0].split())
    parts = [
        f"{word} {', '.join(sorted(tokens))}"
        for word, tokens in (("now", now - usual), ("no longer", usual - now))
        if tokens
    ]
    return f"site markup changed from the recent runs' ({'; '.join(parts)})"


# Size: absolute signs, then one departure per rule against the baseline, then the markup canary.
def judge(
    figures: Figures, markup: Sequence[str], past: Sequence[Past], thresholds: Thresholds
) -> Health:
    """A run's health: its figures against the median of ``past`` (the last healthy runs
    over the same targets, newest first), with every reason found."""
    reasons = absolute_signs(figures)
    gone = gone_reason(figures, thresholds)
    reasons += [gone] if gone else []
    if not past:
        return Health(figures, tuple(markup), reasons=tuple(reasons))
    base = baseline(past)
    for rule in RULES:
        value, base_value = figures.get(rule.figure), base.get(rule.figure)
        if value is None or base_value is None:
            continue
        if rule.parsed_only and figures["papers_per_page"] is None:
            continue
        found = departure(rule, value, base_value, thresholds)
        reasons += [found] if found else []
    changed = markup_change(markup, past)
    reasons += [changed] if changed else []
    return Health(
        figures,
        tuple(markup),
        baseline=base,
        compared_with=tuple(p.run_id for p in past),
        reasons=tuple(reasons),
    )


def verdict(status: str, health: Health | None) -> str:
    """The run's status after judgement: a finished run with a reason is degraded."""
    return DEGRADED if status == "finished" and health and health.reasons else status


def targets_key(spider: str, arguments: Mapping[str, str]) -> str:
    """What makes two runs comparable: the spider and its arguments, as one text."""
    return json.dumps([spider, dict(arguments)], sort_keys=True, ensure_ascii=False)


def targets_text(arguments: Mapping[str, str]) -> str:
    """The arguments as a person reads them: ``url=https://...``, ``author=Jeff Dean``."""
    return " ".join(f"{k}={v}" for k, v in sorted(arguments.items())) or "(no arguments)"


@dataclass(frozen=True)
class RunOutcome:
    """A run as an alert tells it."""

    run_id: int
    spider: str
    arguments: Mapping[str, str]
    status: str
    health: Health | None
    summary: str
    why: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def reasons(self) -> list[str]:
        """Why the run needs a look: its failure, then its health's reasons."""
        found = list(self.health.reasons) if self.health else []
        if self.why and self.status != DEGRADED and self.why not in found:
            found.insert(0, self.why)
        return found

    def headline(self) -> str:
        """One line: ``arrow-crawler run 3 degraded (author_cluster url=...): reasons``."""
        reasons = "; ".join(self.reasons()) or "no reason recorded"
        return (
            f"arrow-crawler run {self.run_id} {self.status} "
            f"({self.spider} {targets_text(self.arguments)}): {reasons}"
        )

    def document(self) -> dict[str, Any]:
        """The alert's JSON document (README, "Run health"): the run, its targets, status,
        reasons, figures and baseline; ``text`` is the headline, for chat webhooks."""
        health = self.health.as_json() if self.health else {}
        return {
            "run_id": self.run_id,
            "run": self.run_id,
            "spider": self.spider,
            "targets": dict(self.arguments),
            "status": self.status,
            "reasons": self.reasons(),
            "figures": health.get("figures"),
            "baseline": health.get("baseline"),
            "compared_with": health.get("compared_with", []),
            "markup": health.get("markup", []),
            "summary": self.summary,
            "text": self.headline(),
            **self.extra,
        }
