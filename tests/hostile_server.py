"""A hostile stand-in of the site, on loopback: the stand-in's clusters, plus pages that
attack the crawler, each at ``/cluster/hostile-<case>`` (so an author name ``hostile <case>``
reaches it through ``ARROW_CLUSTER_URL={url}/cluster/{slug}``).

Each case is what a broken or malicious server can do to a crawler: a gzip bomb, a body
dripped a byte at a time, a redirect loop, a body without end or Content-Length, types that
lie, a connection reset mid-body, a ``file://`` next link, errors that never clear, a
redirect to a closed port, and a large but legal page. ``OurFaultMiddleware`` fails requests
on the crawler's side instead, as a bug or a lost database would.
"""

from __future__ import annotations

import contextlib
import gzip
import socket
import struct
import time
import zlib
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from crawler.pages.render import render_site_html
from crawler.standin import StandIn

if TYPE_CHECKING:
    from http.server import BaseHTTPRequestHandler

    from scrapy import Request
    from scrapy.crawler import Crawler

PREFIX = "/cluster/hostile-"
BOMB_BYTES = 1 << 30  # what the gzip bomb inflates to: 1 GiB of zeros in about 1 MB
BOMB_MEMBERS = 16  # gzip members, one compressed once and repeated (a reader joins them)
HUGE_BYTES = 50 << 20  # sent without a Content-Length, unless the client hangs up first
BIG_PAGE_BYTES = 8 << 20  # a legal page, under the default DOWNLOAD_MAXSIZE (10 MiB)
DRIP_EVERY = 0.2  # seconds between the bytes of a dripped body
PNG = (
    b"\x89PNG\r\n\x1a\n"
    + struct.pack(">I", 13)
    + b"IHDR"
    + struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    + b"\x00" * 4
    + b"\x00\x00\x00\x00IEND\xaeB`\x82"
)

# Every case, with the words the reason of its reject must contain.
CASES: dict[str, str] = {
    "bomb": "larger than DOWNLOAD_MAXSIZE",
    "drip": "FETCH_TIME_LIMIT",
    "loop": "redirect loop",
    "huge": "larger than DOWNLOAD_MAXSIZE",
    "pdf": "not an HTML page: application/pdf",
    "png": "not an HTML page: image/png",
    "binary-html": "not an author-cluster page",
    "no-type": "not an HTML page: no type",
    "reset": "connection",
    "error": "HTTP 500",
    "gone": "HTTP 410",
    "refused": "connection refused",
}


@cache
def gzip_bomb() -> bytes:
    """BOMB_BYTES of zeros, gzip-compressed (made once per process)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b"\0" * (1 << 20)
    parts = [packer.compress(chunk) for _ in range(BOMB_BYTES // BOMB_MEMBERS // len(chunk))]
    return b"".join([*parts, packer.flush()]) * BOMB_MEMBERS


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then closed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@dataclass
class HostileStandIn(StandIn):
    """The stand-in of the site with the hostile cases beside its clusters. The cases
    ``file-next`` (a ``file://`` next link), ``big`` and ``big-gzip`` (a legal page of
    BIG_PAGE_BYTES, plain and compressed) serve the page of the cluster ``good_cluster``."""

    good_cluster: str = "oriol-vinyals"

    @property
    def port_number(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        path = request.path.split("?")[0]
        if not path.startswith(PREFIX):
            super().handle(request)
            return
        self.log.append((time.monotonic(), request.path, request.headers.get("User-Agent", "")))
        case = path.removeprefix(PREFIX)
        # The crawler hanging up is what it should do with most of these.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            getattr(self, f"_{case.replace('-', '_')}", self._missing)(request)

    def large_page(self) -> bytes:
        """A cluster page of BIG_PAGE_BYTES: a real cluster padded by a comment."""
        page = render_site_html(self.site.clusters[self.good_cluster])
        pad = BIG_PAGE_BYTES - len(page.encode())
        return page.replace("</body>", f"<!--{'x' * pad}--></body>").encode()

    # -- the cases ----------------------------------------------------------------------------

    def _missing(self, request: BaseHTTPRequestHandler) -> None:
        _head(request, 404, {"Content-Type": "text/plain", "Content-Length": "0"})

    def _bomb(self, request: BaseHTTPRequestHandler) -> None:
        body = gzip_bomb()
        _head(
            request,
            200,
            {
                "Content-Type": "text/html; charset=utf-8",
                "Content-Encoding": "gzip",
                "Content-Length": str(len(body)),
            },
        )
        request.wfile.write(body)

    def _drip(self, request: BaseHTTPRequestHandler) -> None:
        _head(request, 200, {"Content-Type": "text/html; charset=utf-8", "Connection": "close"})
        request.wfile.write(b"<!doctype html><html><body>")
        request.wfile.flush()
        for _ in range(3000):  # ten minutes: longer than any limit should let it
            request.wfile.write(b" ")
            request.wfile.flush()
            time.sleep(DRIP_EVERY)

    def _loop(self, request: BaseHTTPRequestHandler) -> None:
        _head(request, 302, {"Location": f"{PREFIX}loop-back", "Content-Length": "0"})

    def _loop_back(self, request: BaseHTTPRequestHandler) -> None:
        _head(request, 302, {"Location": f"{PREFIX}loop", "Content-Length": "0"})

    def _huge(self, request: BaseHTTPRequestHandler) -> None:
        _head(request, 200, {"Content-Type": "text/html; charset=utf-8", "Connection": "close"})
        chunk = b"<p>" + b"a" * ((1 << 16) - 7) + b"</p>\n"
        for _ in range(HUGE_BYTES // len(chunk)):
            request.wfile.write(chunk)

    def _pdf(self, request: BaseHTTPRequestHandler) -> None:
        _body(request, "application/pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")

    def _png(self, request: BaseHTTPRequestHandler) -> None:
        _body(request, "image/png", PNG)

    def _binary_html(self, request: BaseHTTPRequestHandler) -> None:
        _body(request, "text/html", PNG * 50)

    def _no_type(self, request: BaseHTTPRequestHandler) -> None:
        _body(request, None, render_site_html(self.site.clusters["quoc-v-le"]).encode())

    def _reset(self, request: BaseHTTPRequestHandler) -> None:
        _head(
            request, 200, {"Content-Type": "text/html; charset=utf-8", "Content-Length": "200000"}
        )
        request.wfile.write(b"<!doctype html><html><body>" + b"x" * 1000)
        request.wfile.flush()
        # SO_LINGER with a zero time-out: close() sends a RST instead of a FIN.
        request.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        request.connection.close()

    def _error(self, request: BaseHTTPRequestHandler) -> None:
        _body(request, "text/plain", b"internal error\n", status=500)

    def _gone(self, request: BaseHTTPRequestHandler) -> None:
        _body(request, "text/html", b"<html><body><h1>Gone</h1></body></html>", status=410)

    def _refused(self, request: BaseHTTPRequestHandler) -> None:
        location = f"http://127.0.0.1:{closed_port()}/cluster/nowhere"
        _head(request, 302, {"Location": location, "Content-Length": "0"})

    def _file_next(self, request: BaseHTTPRequestHandler) -> None:
        page = self.site.clusters[self.good_cluster]
        body = render_site_html(replace(page, next_url=None), "file:///etc/passwd")
        _body(request, "text/html; charset=utf-8", body.encode())

    def _big(self, request: BaseHTTPRequestHandler) -> None:
        _body(request, "text/html; charset=utf-8", self.large_page())

    def _big_gzip(self, request: BaseHTTPRequestHandler) -> None:
        body = gzip.compress(self.large_page(), 6)
        _body(request, "text/html; charset=utf-8", body, encoding="gzip")


def _head(request: BaseHTTPRequestHandler, status: int, headers: dict[str, str]) -> None:
    request.send_response(status)
    for name, value in headers.items():
        request.send_header(name, value)
    request.end_headers()


def _body(
    request: BaseHTTPRequestHandler,
    content_type: str | None,
    body: bytes,
    *,
    status: int = 200,
    encoding: str | None = None,
) -> None:
    headers = {"Content-Length": str(len(body))}
    if content_type:
        headers["Content-Type"] = content_type
    if encoding:
        headers["Content-Encoding"] = encoding
    _head(request, status, headers)
    request.wfile.write(body)


class OurFaultMiddleware:
    """A downloader middleware that fails requests the way a bug or a database of ours
    would (a RuntimeError), not the site: the first N attempts at each path of the
    OUR_FAULTS setting ({path: N})."""

    def __init__(self, faults: dict[str, int]) -> None:
        self.faults = faults

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> OurFaultMiddleware:
        return cls({k: int(v) for k, v in crawler.settings.getdict("OUR_FAULTS").items()})

    def process_request(self, request: Request) -> None:
        path = urlsplit(request.url).path
        if self.faults.get(path, 0) > 0:
            self.faults[path] -= 1
            msg = f"a fault of ours on {path}"
            raise RuntimeError(msg)
