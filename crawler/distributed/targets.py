"""What is pushed to the workers and what each request carries.

A *target* is a cluster URL or an author name, as for ``-a url=`` / ``-a name=``. Its first
page is a *node*: the cluster page itself, or the search page that leads to it. Targets are
pushed together as a *generation*; every request made for a target carries its *push* (the
generation and the target) in ``request.meta["push"]``, down to the detail pages.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlparse

from crawler.politeness import without_credentials
from pipelines.text import slug

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from redis import Redis
    from scrapy.settings import BaseSettings

    from crawler.distributed.keys import Keys

PUSH = "push"  # request meta key
CHUNK = 1000  # entries per Redis round trip when pushing many


@dataclass(frozen=True, slots=True)
class Node:
    """A page to fetch: a cluster page (``continues``: the cluster a later page belongs to)
    or the search page for ``name``."""

    url: str
    kind: str = "cluster"  # "cluster" or "search"
    name: str | None = None
    continues: str | None = None

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in asdict(self).items() if v is not None}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Node:
        return cls(
            url=str(data["url"]),
            kind=str(data.get("kind", "cluster")),
            name=data.get("name"),
            continues=data.get("continues"),
        )


@dataclass(frozen=True, slots=True)
class Push:
    """The generation a request belongs to and the target it was pushed for (no target: a
    crawl the reconciliation does not follow, from a plain string or ``-a`` arguments)."""

    generation: str
    target: str | None = None

    def as_meta(self) -> dict[str, str | None]:
        return {"generation": self.generation, "target": self.target}

    @classmethod
    def from_meta(cls, meta: Mapping[str, Any]) -> Push | None:
        push = meta.get(PUSH)
        if not isinstance(push, dict) or not push.get("generation"):
            return None
        return cls(str(push["generation"]), push.get("target"))


@dataclass(frozen=True, slots=True)
class Pushed:
    """One entry of the targets list: a node, its push, and whether it is fetched even if
    the duplicate filter has seen it (a page the reconciliation queues again)."""

    node: Node
    push: Push
    refetch: bool = False

    def to_json(self) -> str:
        data: dict[str, Any] = {**self.node.as_dict(), "generation": self.push.generation}
        if self.push.target is not None:
            data["target"] = self.push.target
        if self.refetch:
            data["refetch"] = True
        return json.dumps(data, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_data(
        cls, data: bytes | str, search_url: str | None, cluster_url: str | None
    ) -> Pushed:
        """An entry as pushed: JSON from ``scrapy enqueue``, or a bare target (URL or name)
        pushed by hand, which becomes a generation of its own."""
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        if text.lstrip().startswith("{"):
            entry = json.loads(text)
            push = Push(str(entry["generation"]), entry.get("target"))
            return cls(Node.from_dict(entry), push, bool(entry.get("refetch")))
        target = text.strip()
        return cls(target_node(target, search_url, cluster_url), Push(new_generation()))


def is_url(target: str) -> bool:
    return target.startswith(("http://", "https://"))


def name_node(name: str, search_url: str | None, cluster_url: str | None) -> Node:
    """The first page for an author name: the cluster page when ARROW_CLUSTER_URL is set,
    else the search page of ARROW_SEARCH_URL."""
    if cluster_url:
        return Node(cluster_url.format(name=quote(name), slug=slug(name)))
    if search_url:
        return Node(search_url.format(name=quote(name), slug=slug(name)), "search", name=name)
    msg = "a name needs the ARROW_SEARCH_URL or ARROW_CLUSTER_URL setting"
    raise ValueError(msg)


def target_node(target: str, search_url: str | None, cluster_url: str | None) -> Node:
    """The first page for a target: a URL is a cluster page, anything else a name."""
    return Node(target) if is_url(target) else name_node(target, search_url, cluster_url)


# Size: one branch per kind of target (a name, a search, a cluster URL, a next page).
def target_nodes(targets: Iterable[str], settings: BaseSettings) -> dict[str, Node]:
    """Each target's first page under the site templates of ``settings``, duplicates once;
    ValueError naming a target the workers could not crawl (a name with no template, a URL
    off the site's hosts, which the workers refuse) or must not be given (a URL with
    credentials, which every worker and Redis would see)."""
    search_url, cluster_url = settings.get("ARROW_SEARCH_URL"), settings.get("ARROW_CLUSTER_URL")
    hosts = sorted({h for u in (search_url, cluster_url) if u and (h := urlparse(u).hostname)})
    nodes = {}
    for target in dict.fromkeys(targets):
        try:
            node = target_node(target, search_url, cluster_url)
        except ValueError as exc:
            msg = f"{target}: {exc}"
            raise ValueError(msg) from exc
        parts = urlparse(node.url)
        if parts.username is not None or parts.password is not None:
            msg = (
                f"{without_credentials(target)[0]}: a pushed URL cannot carry credentials"
                " (Redis and the store would keep them); give the site's URL without them"
            )
            raise ValueError(msg)
        host = parts.hostname or ""
        if hosts and not any(host == h or host.endswith(f".{h}") for h in hosts):
            msg = f"{target}: off the site ({', '.join(hosts)}); the workers keep to it"
            raise ValueError(msg)
        nodes[target] = node
    return nodes


def new_generation(now: datetime | None = None) -> str:
    """A generation id that sorts by time: ``20260101T120000-1a2b3c``."""
    moment = now or datetime.now(UTC)
    return f"{moment:%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"


def push_generation(
    server: Redis,
    keys: Keys,
    nodes: Mapping[str, Node],
    ledger_ttl: int,
    now: datetime | None = None,
) -> str:
    """Record ``nodes`` (target -> first page) as a new generation and queue them."""
    moment = now or datetime.now(UTC)
    generation = new_generation(moment)
    items = list(nodes.items())
    # The whole ledger first, then the generation is open: a reconciliation never sees it
    # without its ledger (it would take it for one whose records expired).
    for start in range(0, len(items), CHUNK):
        chunk = dict(items[start : start + CHUNK])
        with server.pipeline() as pipe:
            ledger = {t: json.dumps(n.as_dict(), ensure_ascii=False) for t, n in chunk.items()}
            pipe.hset(keys.ledger(generation), mapping=ledger)  # type: ignore[arg-type]
            pipe.expire(keys.ledger(generation), ledger_ttl)
            pipe.execute()
    server.zadd(keys.generations, {generation: moment.timestamp()})
    for start in range(0, len(items), CHUNK):
        chunk = dict(items[start : start + CHUNK])
        queue(server, keys, (Pushed(n, Push(generation, t)) for t, n in chunk.items()))
    return generation


def queue(server: Redis, keys: Keys, entries: Iterable[Pushed]) -> int:
    """Append entries to the targets list, in order; how many were queued."""
    pending = [e.to_json() for e in entries]
    for start in range(0, len(pending), CHUNK):
        server.rpush(keys.targets, *pending[start : start + CHUNK])
    return len(pending)
