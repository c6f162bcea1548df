"""Scrapy settings for the arrow-crawler project."""

BOT_NAME = "arrow-crawler"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
COMMANDS_MODULE = "crawler.commands"

# Store: any SQLAlchemy URL; the DATABASE_URL environment variable is read when unset.
DATABASE_URL = None
STORE_BATCH_SIZE = 100

# The site lists at most this many authors per paper.
AUTHOR_DISPLAY_LIMIT = 8

ITEM_PIPELINES = {
    "pipelines.cleaning.CleaningPipeline": 300,
    "pipelines.store.pipeline.StorePipeline": 800,
}

USER_AGENT = "arrow-crawler (+https://example.org/arrow-crawler)"
ROBOTSTXT_OBEY = True
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"

# No control ports: a crawler on a schedule has no use for them.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
