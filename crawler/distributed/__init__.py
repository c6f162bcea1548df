"""Distributed crawling: the live spider on scrapy-redis, switched on by ``REDIS_URL``.

Workers on any number of machines share one request queue and one duplicate filter in
Redis and write to one store. ``scrapy enqueue`` pushes targets as a *generation*; workers
record in Redis what each stored page leads to; ``scrapy reconcile`` (or ``enqueue --wait``)
waits until no worker holds work, checks every page of the generation against the store and
queues again what is missing, until nothing is. See docs/scaling.md.

- ``addon``: the settings profile (``ADDONS``), off unless ``REDIS_URL`` is set
- ``keys``: every Redis key the profile uses
- ``targets``: what is pushed (nodes) and what a request carries (its push)
- ``scheduler``, ``dupefilter``: scrapy-redis's, with worker states and per-generation filters
- ``progress``: the record of stored pages, written by the workers
- ``reconcile``: waiting for quiet, finding what is missing, queueing it again
"""
