"""A local stand-in of the Arrow site, for tests and demos: ``python -m crawler.standin``.

It serves the bundled fixtures as a live site in the site markup, on loopback: a search by
name leading to the cluster page, clusters split over pages joined by ``rel="next"``, paper
detail pages with the full author list, robots.txt, and switchable faults (429 and 503 with
Retry-After, 500s, slow responses, time-outs, off-site redirects, non-HTML responses), and
the changes run health must notice: changed markup, a share of the papers, a consent wall.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote, urlparse

from crawler.pages import PageError, parse_page
from crawler.pages.render import render_site_html
from pipelines.text import fold, slug

if TYPE_CHECKING:
    from crawler.pages.model import ClusterPage, PaperEntry

ROBOTS = "User-agent: *\nDisallow: /private/\n"


@dataclass
class Faults:
    """Faults the stand-in injects; each ``*_first`` count applies per path."""

    throttle_first: int = 0  # 429 with Retry-After
    unavailable_first: int = 0  # 503 with Retry-After
    error_first: int = 0  # 500
    retry_after: float = 1.0
    retry_after_as_date: bool = False
    delay: float = 0.0  # every response
    hang_paths: frozenset[str] = frozenset()  # answered after ``hang_seconds``
    hang_seconds: float = 30.0
    offsite_redirect_paths: frozenset[str] = frozenset()
    non_html_paths: frozenset[str] = frozenset()
    dead_paths: frozenset[str] = frozenset()  # 404
    # What run health must notice (``restyle``, ``served``, ``CONSENT_WALL``): the markup
    # ("site"; "restyled": other tags, the site parser still reads it; "redesigned": no site
    # markup, only the visible-text fallback reads it), the share of each cluster's papers
    # shown (at least one), and every page a cookie consent wall.
    markup: str = "site"
    paper_share: float = 1.0
    consent_wall: bool = False


@dataclass
class Site:
    """The stand-in's content: clusters by slug, papers by slug, full author lists."""

    clusters: dict[str, ClusterPage]
    papers: dict[str, PaperEntry]
    full_authors: dict[str, tuple[str, ...]]
    page_size: int = 10

    # Size: fixture pages joined per cluster, then each paper's whole author list, as the
    # site keeps it.
    @classmethod
    def from_fixtures(cls, directory: Path, page_size: int = 10) -> Site:
        """Every cluster among the saved pages, pages of one cluster joined."""
        clusters: dict[str, ClusterPage] = {}
        for path in sorted(directory.iterdir()):
            if path.suffix not in (".html", ".htm", ".txt"):
                continue
            try:
                page = parse_page(path.read_bytes(), path.name)
            except PageError:
                continue
            key = slug(page.cluster_name)
            if key in clusters:
                page = replace(clusters[key], papers=clusters[key].papers + page.papers)
            clusters[key] = replace(page, next_url=None)
        papers: dict[str, PaperEntry] = {}
        full: dict[str, tuple[str, ...]] = {}
        for cluster in clusters.values():
            for paper in cluster.papers:
                key = slug(paper.title or "")
                papers.setdefault(key, paper)
                authors = paper.authors
                # A cut list is shown whole on the paper's own page: the cluster's author,
                # left out of the first names, comes after them.
                if len(authors) >= 8 and fold(cluster.cluster_name) not in map(fold, authors):
                    authors = (*authors, cluster.cluster_name)
                if len(authors) > len(full.get(key, ())):
                    full[key] = authors
        return cls(clusters, papers, full, page_size)


class _Server(ThreadingHTTPServer):
    """One thread a connection, and the listen backlog of a real web server. Python's
    default (5) drops the connections a crawler opens at once beyond it: a worker taking a
    round of 16 targets lost a second on each round to the kernel's SYN retry."""

    daemon_threads = True
    request_queue_size = 1024


@dataclass
class StandIn:
    """The running stand-in: ``with StandIn(site) as url: ...`` serves on loopback."""

    site: Site
    faults: Faults = field(default_factory=Faults)
    host: str = "127.0.0.1"
    port: int = 0
    log: list[tuple[float, str, str]] = field(default_factory=list)  # (time, path, user agent)
    not_modified: int = 0  # 304 answers to conditional requests
    _hits: dict[str, int] = field(default_factory=dict)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://{self.host}:{self._server.server_address[1]}"

    def __enter__(self) -> str:
        self.start()
        return self.url

    def __exit__(self, *_: object) -> None:
        self.stop()

    def start(self) -> None:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                stand_in.handle(self)

            def log_message(self, *_: Any) -> None:
                pass

        self._server = _Server((self.host, self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def requests_for(self, path_prefix: str) -> list[float]:
        """When each request for a path starting with ``path_prefix`` arrived."""
        return [t for t, path, _ in self.log if path.startswith(path_prefix)]

    def _fault(self, path: str) -> tuple[int, dict[str, str]] | None:
        hits = self._hits[path] = self._hits.get(path, 0) + 1
        f = self.faults
        for status, first in ((429, f.throttle_first), (503, f.unavailable_first)):
            if hits <= first:
                return status, {"Retry-After": self._retry_after()}
            hits -= first
        if hits <= f.error_first:
            return 500, {}
        return None

    def _retry_after(self) -> str:
        if self.faults.retry_after_as_date:
            moment = datetime.now(UTC) + timedelta(seconds=self.faults.retry_after)
            return format_datetime(moment, usegmt=True)
        return str(int(self.faults.retry_after))

    # Size: one branch per fault the stand-in can play, before the page is served.
    def handle(self, request: BaseHTTPRequestHandler) -> None:
        parsed = urlparse(request.path)
        self.log.append((time.monotonic(), request.path, request.headers.get("User-Agent", "")))
        if self.faults.delay:
            time.sleep(self.faults.delay)
        if parsed.path in self.faults.hang_paths:
            time.sleep(self.faults.hang_seconds)
        if parsed.path != "/robots.txt" and (fault := self._fault(request.path)):
            _send(request, fault[0], "text/plain", f"fault {fault[0]}\n", fault[1])
            return
        if parsed.path in self.faults.offsite_redirect_paths:
            _send(request, 302, "text/plain", "", {"Location": "http://offsite.invalid/elsewhere"})
            return
        if parsed.path in self.faults.non_html_paths:
            _send(request, 200, "application/pdf", "%PDF-1.4\n", {})
            return
        if parsed.path in self.faults.dead_paths:
            _send(request, 404, "text/plain", "not found\n", {})
            return
        status, content_type, body = self.route(parsed.path, parse_qs(parsed.query))
        etag = f'"{hashlib.sha256(body.encode()).hexdigest()[:20]}"'
        if status == 200 and request.headers.get("If-None-Match") == etag:
            self.not_modified += 1
            _send(request, 304, content_type, "", {"ETag": etag})
            return
        _send(request, status, content_type, body, {"ETag": etag} if status == 200 else {})

    def route(self, path: str, query: dict[str, list[str]]) -> tuple[int, str, str]:
        """Status, content type and body for a path of the site."""
        html = "text/html; charset=utf-8"
        if path == "/robots.txt":
            return 200, "text/plain", ROBOTS
        if self.faults.consent_wall:
            return 200, html, CONSENT_WALL
        if path == "/search":
            return 200, html, self._search(query.get("q", [""])[0])
        if match := re.fullmatch(r"/cluster/([a-z0-9-]+)", path):
            page = int(query.get("page", ["1"])[0])
            body = self._cluster(match.group(1), page)
            return (200, html, body) if body else (404, "text/plain", "no such cluster\n")
        if match := re.fullmatch(r"/paper/([a-z0-9-]+)", path):
            body = self._paper(match.group(1))
            return (200, html, body) if body else (404, "text/plain", "no such paper\n")
        return 404, "text/plain", "not found\n"

    def _search(self, name: str) -> str:
        found = [c for k, c in self.site.clusters.items() if fold(c.cluster_name) == fold(name)]
        links = "".join(
            f'<li><a class="search-result" href="/cluster/{slug(c.cluster_name)}">'
            f"{escape(c.cluster_name)}</a></li>"
            for c in found
        )
        return f"<!doctype html><html><body><h1>Search</h1><ul>{links}</ul></body></html>"

    def _cluster(self, key: str, page_number: int) -> str | None:
        cluster = self.site.clusters.get(key)
        if cluster is None:
            return None
        size = self.site.page_size
        shown = served(cluster.papers, self.faults.paper_share)
        papers = shown[(page_number - 1) * size : page_number * size]
        linked = tuple(replace(p, detail_url=f"/paper/{slug(p.title or '')}") for p in papers)
        more = page_number * size < len(shown)
        next_href = f"/cluster/{key}?page={page_number + 1}" if more else None
        return restyle(
            render_site_html(replace(cluster, papers=linked), next_href), self.faults.markup
        )

    def _paper(self, key: str) -> str | None:
        paper = self.site.papers.get(key)
        if paper is None:
            return None
        authors = "".join(
            f'<li class="paper-author">{escape(a)}</li>' for a in self.site.full_authors[key]
        )
        return (
            '<!doctype html><html><body><main data-page="paper">'
            f'<h1 class="paper-title">{escape(paper.title or "")}</h1>'
            f'<ul class="paper-authors">{authors}</ul></main></body></html>'
        )


CONSENT_WALL = (
    "<!doctype html><html><head><title>Before you continue</title></head><body>"
    '<div class="consent"><h1>Before you continue to Arrow Research search</h1>'
    "<p>We use cookies and data to deliver and maintain our services and to measure "
    "audience engagement.</p>"
    '<form method="post" action="/consent"><button name="set" value="reject">Reject all'
    '</button> <button name="set" value="accept">Accept all</button></form></div>'
    "</body></html>"
)


def served(papers: tuple[PaperEntry, ...], share: float) -> tuple[PaperEntry, ...]:
    """The first ``share`` of a cluster's papers (at least one, when it has any)."""
    if share >= 1:
        return papers
    return papers[: max(1, int(len(papers) * share))] if papers else papers


def restyle(html: str, markup: str) -> str:
    """A page of the site markup as the site would serve it after a change: "restyled",
    the same classes on other tags (titles in ``h2``, authors in ``div``/``span``: the site
    parser still reads it, its fingerprint changes); "redesigned", no site markup at all
    (no page marker, other classes: only the visible-text fallback reads it)."""
    if markup == "restyled":
        html = html.replace('<h3 class="paper-title">', '<h2 class="paper-title">')
        html = re.sub(r'(<h2 class="paper-title">.*?)</h3>', r"\1</h2>", html, flags=re.S)
        html = html.replace('<ul class="paper-authors">', '<div class="paper-authors">')
        html = re.sub(
            r'<li class="paper-author">(.*?)</li>', r'<span class="paper-author">\1</span>', html
        )
        return re.sub(r"(<div class=\"paper-authors\">.*?)</ul>", r"\1</div>", html, flags=re.S)
    if markup == "redesigned":
        html = html.replace('data-page="author-cluster"', 'data-page="profile"')
        return re.sub(r'class="(?:cluster|paper)-', 'class="x-', html)
    return html


def _send(
    request: BaseHTTPRequestHandler,
    status: int,
    content_type: str,
    body: str,
    headers: dict[str, str],
) -> None:
    data = body.encode("utf-8")
    try:
        request.send_response(status)
        request.send_header("Content-Type", content_type)
        if status != 304:
            request.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            request.send_header(name, value)
        request.end_headers()
        request.wfile.write(data)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the client gave up (a time-out test): nothing to answer


def main(argv: list[str] | None = None) -> None:
    """Serve the fixtures until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixtures", default="fixtures/html", type=Path)
    parser.add_argument("--port", default=8765, type=int)
    parser.add_argument("--page-size", default=10, type=int)
    parser.add_argument("--throttle-first", default=0, type=int, help="429s per path first")
    parser.add_argument("--retry-after", default=1.0, type=float)
    parser.add_argument("--markup", default="site", choices=("site", "restyled", "redesigned"))
    parser.add_argument("--paper-share", default=1.0, type=float, help="e.g. 0.25: a quarter")
    parser.add_argument("--consent-wall", action="store_true", help="every page a consent wall")
    args = parser.parse_args(argv)
    site = Site.from_fixtures(args.fixtures, args.page_size)
    faults = Faults(throttle_first=args.throttle_first, retry_after=args.retry_after)
    faults.markup, faults.paper_share = args.markup, args.paper_share
    faults.consent_wall = args.consent_wall
    stand_in = StandIn(site, faults, port=args.port)
    stand_in.start()
    print(f"serving {len(site.clusters)} clusters at {stand_in.url}/ (Ctrl-C stops)")
    names = ", ".join(c.cluster_name for c in site.clusters.values())
    print(f"try: {stand_in.url}/search?q={quote(next(iter(site.clusters.values())).cluster_name)}")
    print(f"clusters: {names}")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        stand_in.stop()


if __name__ == "__main__":
    main()
