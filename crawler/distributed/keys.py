"""Every Redis key of the distributed profile, under one prefix (``REDIS_KEY_PREFIX``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings


@dataclass(frozen=True, slots=True)
class Keys:
    """Key names; one prefix per deployment, so several can share a Redis server."""

    prefix: str

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Keys:
        return cls(settings.get("REDIS_KEY_PREFIX") or "arrow")

    @property
    def targets(self) -> str:
        """List: pushed targets (JSON nodes), read by idle workers."""
        return f"{self.prefix}:targets"

    @property
    def requests(self) -> str:
        """Sorted set: the shared request queue (scrapy-redis, pickled requests)."""
        return f"{self.prefix}:requests"

    @property
    def generations(self) -> str:
        """Sorted set: open generations, scored by push time."""
        return f"{self.prefix}:generations"

    @property
    def activity(self) -> str:
        """Counter: requests queued or taken by any worker, for telling a quiet crawl."""
        return f"{self.prefix}:activity"

    @property
    def workers(self) -> str:
        """Pattern of the worker state keys."""
        return f"{self.prefix}:worker:*"

    def worker(self, worker_id: str) -> str:
        """String "busy" or "idle", expiring unless the worker's heartbeat renews it."""
        return f"{self.prefix}:worker:{worker_id}"

    def ledger(self, generation: str) -> str:
        """Hash: target -> its first page (JSON node), for every target of a generation."""
        return f"{self.prefix}:gen:{generation}:targets"

    def done(self, generation: str) -> str:
        """Hash: page URL -> what its stored fetch was and leads to (JSON), per generation."""
        return f"{self.prefix}:gen:{generation}:done"

    def dupefilter(self, generation: str) -> str:
        """Set: request fingerprints seen in a generation, expiring after DUPEFILTER_TTL."""
        return f"{self.prefix}:gen:{generation}:seen"
