"""Scrapy settings for the arrow-crawler project."""

from scrapy.settings import default_settings

BOT_NAME = "arrow-crawler"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
COMMANDS_MODULE = "crawler.commands"

# Store: any SQLAlchemy URL (default sqlite:///arrow.db in the working directory).
DATABASE_URL = None
STORE_BATCH_SIZE = 100
STORE_ENABLED = True  # off: parse and clean only (a dry run; benchmarks)
STORE_WRITE_BEHIND = True  # a full batch is written while the crawl goes on (off: items wait)
STORE_FLUSH_SECONDS = 0.5  # write-behind off: a part batch is written this long after
# Seconds between a run's heartbeats in the store: a run left "running" whose process is
# gone (same host) or whose heartbeat stopped for 5 minutes (another host) is "aborted".
RUN_HEARTBEAT = 60.0

# Processes that read, parse and clean saved pages in a replay: 0, the cores present; 1, all
# in the crawl's own process.
REPLAY_WORKERS = 0

# The site lists at most this many authors per paper.
AUTHOR_DISPLAY_LIMIT = 8

# Spiders yield page records; this stores each page whole and passes its papers on as items
# (crawler/pagestore.py). Closest to the spider, so other middlewares see items and requests.
SPIDER_MIDDLEWARES = {"crawler.pagestore.PageStoreMiddleware": 950}
ITEM_PIPELINES: dict[str, int] = {}
# Paper items are made when something takes them (a feed, -o/-O, Scrapyd's items feed, an
# item pipeline); True or False here decides instead (crawler/pagestore.py says why).
PAPER_ITEMS = None

USER_AGENT = "arrow-crawler/0.1"
ROBOTSTXT_OBEY = True
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
# Items are papers with lists in them: the CSV feed writes cells as `scrapy export` does, the
# XML feed nulls and booleans as XML does; a feed to stdout ends quietly when its reader goes.
FEED_EXPORTERS = {"csv": "crawler.feeds.CsvItemExporter", "xml": "crawler.feeds.XmlItemExporter"}
FEED_STORAGES = {"stdout": "crawler.feeds.StdoutFeedStorage"}
LOG_LEVEL = "INFO"

# No control ports: a crawler on a schedule has no use for them.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
# Nor are they loaded: Scrapy imports every extension it lists (even one set to None) before
# asking it whether it is enabled, and the remote control brings in aiohttp, 0.2 s of every
# command's start-up.
EXTENSIONS_BASE = {
    path: order
    for path, order in default_settings.EXTENSIONS_BASE.items()
    if path.rsplit(".", 1)[-1] not in ("RemoteControl", "TelnetConsole")
}

# Live crawling: polite by default.
ARROW_CONTACT = None  # an e-mail or URL for site operators; sent in User-Agent (and From)
ARROW_SEARCH_URL = None  # e.g. "https://site/search?q={name}"
ARROW_CLUSTER_URL = None  # e.g. "https://site/author/{slug}"; skips the search when set
FOLLOW_DETAIL_PAGES = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_TIMEOUT = 30  # seconds per attempt
# Seconds a page's attempts may take in all, the waits between retries aside: a body dripped
# a byte at a time took 185 s at DOWNLOAD_TIMEOUT x (RETRY_TIMES + 1) plus back-off; now at
# most about a minute. Each retry's DOWNLOAD_TIMEOUT is cut to what is left. 0: no limit.
FETCH_TIME_LIMIT = 60
# Scrapy starts CONCURRENT_ITEMS tasks for every response's output, whatever its size (100 by
# default). A page here gives one item and a few requests: 100 tasks per response cost the
# reactor about a third of a loopback crawl's time.
CONCURRENT_ITEMS = 4
# The cycle collector walked the whole long-lived heap over and over: freeze what start-up
# made and collect young objects every 10,000 allocations rather than 700 (crawler/runtime.py).
EXTENSIONS = {
    "crawler.runtime.GcTuning": 0,
    "crawler.runtime.PromptClose": 0,
    "crawler.progresslog.ProgressLog": 0,
}
# Seconds between progress lines ("replay: 1,200/3,000 pages (40%), 410 pages/s, ETA 4 s");
# 0: none.
PROGRESS_INTERVAL = 5.0
GC_TUNING = True
GC_THRESHOLD = 10_000
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
# A live crawl fetches http(s) only (and data: for its own hand-offs): never a local file, even
# when a page or a pushed target names one.
DOWNLOAD_HANDLERS = {"file": None, "s3": None, "ftp": None}
RETRY_TIMES = 4
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
RETRY_BACKOFF_BASE = 1.0
RETRY_AFTER_MAX = 300.0
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.BackoffRetryMiddleware": 550,
    "scrapy.downloadermiddlewares.useragent.UserAgentMiddleware": None,
    "crawler.middlewares.ContactUserAgentMiddleware": 500,
    # After RedirectMiddleware (600) on the way in, so it sees a redirect before it is followed.
    "crawler.middlewares.RedirectGuardMiddleware": 650,
    # Before the retries (on the way out, last): a 304 becomes the archived page.
    "crawler.middlewares.ConditionalRequestMiddleware": 560,
}
CONDITIONAL_REQUESTS = True
# `scrapy check` runs the spider contracts (crawler/contracts.py) against this site.
SPIDER_CONTRACTS = {"crawler.contracts.SiteContract": 10, "crawler.contracts.PapersContract": 10}
ARROW_CHECK_URL = "http://127.0.0.1:8765"

# Scheduled runs: where the lock file lives when the store is not PostgreSQL.
SCHEDULE_LOCK_DIR = "."

# Run health (README, "Run health"; crawler/health.py, pipelines/health.py). Each run's
# figures are compared with the median of the last HEALTH_WINDOW healthy runs over the same
# targets; a finished run that departs by more than a threshold ends "degraded" (exit 3).
HEALTH_ENABLED = True  # off: figures are still stored, nothing is judged or alerted
HEALTH_WINDOW = 5
HEALTH_MAX_DROP = 0.5  # pages fetched, papers per page: a fall of more than half
HEALTH_MAX_SHIFT = 0.25  # shares (site markup, rejected, cut lists, ...): 25 points the wrong way
HEALTH_MAX_HTTP_ERRORS = 0.1  # the HTTP error rate: a rise of more than 10 points
HEALTH_MAX_DISAPPEARED = 0.2  # more than 20% of the papers of clusters seen before gone
# Alerts for a degraded or failed run; any number may be set. Secrets in them never reach
# the logs or the store; like every setting here, each may come from the environment, which
# keeps secrets off command lines.
HEALTH_WEBHOOK_URL = None  # POST the JSON document (user:password@ in it: basic auth)
HEALTH_EMAIL_TO = None  # comma-separated addresses
HEALTH_EMAIL_FROM = None  # default arrow-crawler@<host name>
HEALTH_SMTP_HOST = "localhost"
HEALTH_SMTP_PORT = None  # default 25, 465 with HEALTH_SMTP_SSL
HEALTH_SMTP_USER = None
HEALTH_SMTP_PASSWORD = None
HEALTH_SMTP_STARTTLS = False
HEALTH_SMTP_SSL = False
HEALTH_COMMAND = None  # run (no shell) with the JSON document on its standard input
HEALTH_ALERT_TIMEOUT = 10.0  # seconds each alert may take

# Distributed crawling (docs/scaling.md): the add-on does nothing unless REDIS_URL is set,
# as a setting (-s REDIS_URL=redis://host:6379/0) or in the environment.
REDIS_URL = None
ADDONS = {"crawler.distributed.addon.RedisAddon": 0}
REDIS_KEY_PREFIX = "arrow"  # every Redis key of a deployment starts with it
DUPEFILTER_TTL = 86400  # seconds a generation's fingerprints outlive its last request
REDIS_LEDGER_TTL = 7 * 86400  # seconds an unreconciled generation's records are kept
REDIS_WORKER_HEARTBEAT = 5.0  # seconds; a worker silent for three is taken for dead
REDIS_REFILL_SECONDS = 0.25  # a worker whose shared queue is empty takes more targets (0: off)
# Seconds the crawl must stay quiet (nothing queued, taken or busy) before a reconciliation
# checks the store (`--settle` wins). Too short costs only pages fetched twice: a page whose
# target a worker was still turning into a request is queued again, never lost.
REDIS_SETTLE_SECONDS = 2.0


# One rule for the environment: every setting above whose value is a single value (not a
# list or a mapping) may be given as an environment variable of the same name, e.g. in a
# systemd unit or a Scrapyd host (DATABASE_URL, REDIS_URL, REDIS_KEY_PREFIX,
# ARROW_SEARCH_URL, ...). The environment overrides this file; `-s NAME=VALUE` overrides
# both. Values are text, read as Scrapy reads `-s` values (getbool, getint, ...).
def environment_overrides(names: dict[str, object]) -> dict[str, str]:
    import os

    scalar = (str, int, float, bool, type(None))
    return {
        name: os.environ[name]
        for name, value in names.items()
        if name.isupper() and isinstance(value, scalar) and name in os.environ
    }


globals().update(environment_overrides(dict(globals())))
