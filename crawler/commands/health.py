"""``scrapy health``: the last runs' health as a table, or, with ``--format prometheus``, the
latest run over each set of targets in the Prometheus text format (for node_exporter's
textfile collector); ``scrapy health accept RUN`` lets a run join the baseline of later runs.
"""

from __future__ import annotations

import io
import sys
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.cli import one_line_errors
from crawler.commands.export import _writable, _write_atomically
from pipelines.health import Health, number, percent, targets_text
from pipelines.store import Store

if TYPE_CHECKING:
    import argparse
    from collections.abc import Iterable, Sequence
    from datetime import datetime

FORMATS = ("table", "prometheus")
# The table's columns: heading, figure, how it is shown.
COLUMNS = (
    ("pages", "pages", number),
    ("papers/page", "papers_per_page", number),
    ("site", "site_share", percent),
    ("text", "text_share", percent),
    ("rejected", "rejected_share", percent),
    ("unknown venues/paper", "unknown_venues_per_paper", lambda v: f"{v:.2f}"),
    ("cut lists", "cut_lists_share", percent),
    ("repaired", "repaired_share", percent),
    ("HTTP errors", "http_error_rate", percent),
    ("disappeared", "disappeared_share", percent),
)
# Prometheus: a gauge per figure (name, help).
METRICS = {
    "pages": ("arrow_run_pages", "Cluster pages the run handled, parsed or rejected."),
    "papers": ("arrow_run_papers", "Papers the run's pages showed."),
    "papers_per_page": ("arrow_run_papers_per_page", "Papers per page parsed."),
    "site_share": ("arrow_run_site_markup_ratio", "Share of pages parsed by the site markup."),
    "text_share": (
        "arrow_run_text_fallback_ratio",
        "Share of pages parsed by the visible-text fallback.",
    ),
    "rejected_share": ("arrow_run_rejected_ratio", "Share of pages rejected."),
    "unknown_venues_per_paper": (
        "arrow_run_unknown_venues_per_paper",
        "Papers at a venue the registry does not know, per paper.",
    ),
    "cut_lists_share": ("arrow_run_cut_lists_ratio", "Share of papers with a cut author list."),
    "repaired_share": (
        "arrow_run_abstracts_repaired_ratio",
        "Share of papers whose abstract cleaning repaired.",
    ),
    "http_error_rate": (
        "arrow_run_http_error_ratio",
        "Share of answers that were HTTP errors or failed downloads.",
    ),
    "disappeared": (
        "arrow_run_papers_disappeared",
        "Papers of clusters seen before that the run did not see.",
    ),
    "seen_before": (
        "arrow_run_papers_seen_before",
        "Papers the clusters showed the last run that saw them.",
    ),
    "disappeared_share": (
        "arrow_run_papers_disappeared_ratio",
        "Share of the papers seen before that disappeared.",
    ),
}


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_LEVEL": "WARNING"}  # noqa: RUF012 (Scrapy's own attribute)

    def syntax(self) -> str:
        return "[--last N] [--format table|prometheus] [-o FILE] | accept RUN"

    def short_desc(self) -> str:
        return "Show the health of the last runs, or write it for Prometheus"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--last", type=int, default=20, help="runs shown (default 20)")
        parser.add_argument("--format", default="table", help="table or prometheus")
        parser.add_argument(
            "-o", "--output", metavar="FILE", help="write to FILE (atomically), not stdout"
        )

    # Size: each usage mistake gets its own one-line message; then one branch per output.
    @one_line_errors("health")
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None  # set by scrapy.cmdline before run()
        if args and (args[0] != "accept" or len(args) != 2 or not args[1].isdigit()):
            msg = "usage: scrapy health [--last N] [--format table|prometheus] | accept RUN"
            raise UsageError(msg)
        if opts.format not in FORMATS:
            msg = f"--format {opts.format}: one of {', '.join(FORMATS)}"
            raise UsageError(msg, print_help=False)
        store = Store.from_settings(self.settings, create=False)
        if args:
            self._accept(store, int(args[1]))
            return
        if opts.format == "prometheus":
            text = prometheus(store.latest_health())
        else:
            text = "".join(f"{line}\n" for line in table(store.recent_runs(opts.last)))
        if opts.output and opts.output != "-":  # "-o -" is stdout, as for scrapy export
            data = text.encode("utf-8")
            _write_atomically(_writable(Path(opts.output)), lambda out: out.write(data))
        else:
            sys.stdout.write(text)

    def _accept(self, store: Store, run_id: int) -> None:
        if store.accept_run(run_id):
            print(f"run {run_id} joins the baseline of later runs over its targets")
            return
        print(f"run {run_id}: no such run with health figures (scrapy health lists them)")
        self.exitcode = 1


def _health(run: Any) -> Health | None:
    return Health.from_json(run.health) if run.health else None


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# Size: one cell per figure, each shown its own way, reasons under their run.
def table(runs: Sequence[Any]) -> list[str]:
    """The runs as a table, one row each, its reasons on the lines below it."""
    heads = ["run", "status", "started", *(c[0] for c in COLUMNS), "targets"]
    rows: list[tuple[list[str], tuple[str, ...]]] = []
    for run in runs:
        health = _health(run)
        cells = [
            str(run.id),
            run.status,
            f"{_aware(run.started_at):%Y-%m-%d %H:%M}",
        ]
        for _, name, shown in COLUMNS:
            value = health.figures.get(name) if health else None
            cells.append("-" if value is None else shown(value))
        cells.append(f"{run.spider} {targets_text(run.arguments)}")
        rows.append((cells, health.reasons if health else ()))
    widths = [max(len(r[i]) for r in [heads, *(c for c, _ in rows)]) for i in range(len(heads))]
    lines = [_line(heads, widths)]
    for cells, reasons in rows:
        lines.append(_line(cells, widths))
        lines += [f"{'':>{widths[0]}}  ! {reason}" for reason in reasons]
    return lines


def _line(cells: Sequence[str], widths: Sequence[int]) -> str:
    # Numbers right-aligned, words (status, started, targets) left-aligned.
    aligned = [
        c.ljust(w) if i in (1, 2) or i == len(cells) - 1 else c.rjust(w)
        for i, (c, w) in enumerate(zip(cells, widths, strict=True))
    ]
    return "  ".join(aligned).rstrip()


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _sample(value: float) -> str:
    """A sample's value: integers as such, other numbers to the last digit."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


# Size: one gauge per figure and per fact of the run, each with its help text, written out.
def prometheus(runs: Iterable[Any]) -> str:
    """The latest run over each set of targets in the Prometheus text exposition format: a
    gauge per figure, the run's id, end time, whether it was healthy or degraded, its number
    of reasons; labelled by spider and targets."""
    samples: dict[str, list[str]] = {}
    helps: dict[str, str] = {}

    def add(name: str, help_text: str, labels: str, value: float) -> None:
        helps[name] = help_text
        samples.setdefault(name, []).append(f"{name}{{{labels}}} {_sample(value)}")

    for run in runs:
        health = _health(run)
        if health is None:
            continue
        labels = f'spider="{_label(run.spider)}",targets="{_label(targets_text(run.arguments))}"'
        add("arrow_run_id", "The latest run over these targets.", labels, run.id)
        if run.finished_at is not None:
            add(
                "arrow_run_finished_timestamp_seconds",
                "When that run ended.",
                labels,
                _aware(run.finished_at).timestamp(),
            )
        add(
            "arrow_run_degraded", "1 when the run ended degraded.", labels, run.status == "degraded"
        )
        add("arrow_run_failed", "1 when the run failed.", labels, run.status == "failed")
        add(
            "arrow_run_healthy",
            "1 when the run is part of the baseline of later runs.",
            labels,
            bool(run.healthy),
        )
        add(
            "arrow_run_health_reasons",
            "Reasons the run's health gave.",
            labels,
            len(health.reasons),
        )
        for figure, (name, help_text) in METRICS.items():
            value = health.figures.get(figure)
            if value is not None:
                add(name, help_text, labels, value)
    out = io.StringIO()
    for name, lines in samples.items():
        out.write(f"# HELP {name} {helps[name]}\n# TYPE {name} gauge\n")
        out.write("".join(f"{line}\n" for line in lines))
    return out.getvalue()
