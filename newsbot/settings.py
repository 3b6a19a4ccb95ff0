"""Scrapy settings for newsbot: polite by default, JSON Lines out, state in ``./state``.

Every value can be overridden per run with ``-s NAME=VALUE`` (``scrapy crawl``) or ``--set NAME=VALUE``
(``newsbot crawl``).
"""

from newsbot.record import FIELDS

BOT_NAME = "newsbot"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

# ---- politeness ----------------------------------------------------------------------------------------------
#: Where site owners can reach whoever runs this crawler; shown in the User-Agent.
NEWSBOT_CONTACT_URL = "https://github.com/newsbot/newsbot"
USER_AGENT = f"newsbot/0.1 (+{NEWSBOT_CONTACT_URL})"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
#: An article page is 80–300 KB; anything over 10 MB is not an article.
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408]
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "fa-IR,fa;q=0.9,en;q=0.5",
}
REDIRECT_MAX_TIMES = 5
COOKIES_ENABLED = True
TELNETCONSOLE_ENABLED = False
# Scrapy 2.19 added a remote-control HTTP server (runs Python code sent to it), on by default. A cron crawler needs it
# no more than the telnet console, and every crawl killed with -9 left its job file, auth token included, behind in
# ~/.local/state/scrapy/job_files.
REMOTE_CONTROL_ENABLED = False
#: Items (and requests) of one response handled concurrently. Scrapy starts this many asyncio tasks for every
#: response, whatever it yields; newsbot's pipelines are synchronous, so Scrapy's default of 100 only cost about a
#: millisecond of CPU per article page (a sixth of a crawl's time) for no concurrency gained.
CONCURRENT_ITEMS = 8

# ---- newsbot components ------------------------------------------------------------------------------------------
# Replay folders and host maps are served below every middleware (see newsbot/handlers.py).
DOWNLOAD_HANDLERS = {
    "http": "newsbot.handlers.NewsbotHTTPHandler",
    "https": "newsbot.handlers.NewsbotHTTPHandler",
}
DOWNLOADER_MIDDLEWARES = {
    # Before retries and redirects see the response: a challenge page is counted, not retried.
    "newsbot.middlewares.BotWallMiddleware": 560,
    "newsbot.middlewares.LegacyEncodingMiddleware": 570,
}
SPIDER_MIDDLEWARES = {
    "newsbot.middlewares.SeenFilterMiddleware": 900,
}
ITEM_PIPELINES = {
    "newsbot.pipelines.NormalizePipeline": 100,
    "newsbot.pipelines.DatesPipeline": 200,
    "newsbot.pipelines.ValidatePipeline": 300,
    # Spidermon: every record against the record's JSON Schema (newsbot.monitors.RECORD_SCHEMA), before it is written.
    "spidermon.contrib.scrapy.pipelines.ItemValidationPipeline": 350,
    # Media monitoring: watchlist matches (a no-op without NEWSBOT_WATCHLIST), then republished-story detection.
    "newsbot.watch.WatchPipeline": 370,
    "newsbot.stories.StoryPipeline": 380,
    "newsbot.pipelines.DedupPipeline": 400,
}
EXTENSIONS = {
    # Spidermon's close monitors run before the run summary is made, so that the summary can name their failures.
    "spidermon.contrib.scrapy.extensions.Spidermon": 490,
    "newsbot.extensions.RunSummary": 500,
}

# ---- in-run monitors (Spidermon; the cross-run ones are newsbot's own, see newsbot/history.py) -------------------
SPIDERMON_ENABLED = True
SPIDERMON_VALIDATION_SCHEMAS = {dict: ["newsbot.monitors.RECORD_SCHEMA"]}
SPIDERMON_SPIDER_CLOSE_MONITORS = ("newsbot.monitors.CloseSuite",)
SPIDERMON_MAX_ITEM_VALIDATION_ERRORS = 0
SPIDERMON_ADD_FIELD_COVERAGE = True
#: Fields every written record has; the site-by-site coverage of the others is watched across runs (`status`).
SPIDERMON_FIELD_COVERAGE_RULES = {"dict/url": 1.0, "dict/title": 1.0, "dict/body": 1.0}
SPIDERMON_FIELD_COVERAGE_SKIP_IF_NO_ITEM = True

DUPEFILTER_CLASS = "newsbot.dupefilter.RecentArticlesDupeFilter"
#: How many recent article fingerprints the duplicate-request filter keeps (older ones are the state store's job).
NEWSBOT_DUPEFILTER_MAX_ARTICLES = 20_000

#: Where the seen-articles store (and run summaries) live.
NEWSBOT_STATE_DIR = "state"
#: Skip and drop articles written by earlier runs. Off: every discovered article is fetched and written.
NEWSBOT_INCREMENTAL = True
#: Also read each site's per-service feeds (``service_feeds``): more requests, fewer items missed between runs.
NEWSBOT_SERVICE_FEEDS = False
#: {"www.isna.ir": "127.0.0.1:8080"}: send a site's requests to another server (tests, mirrors).
NEWSBOT_HOST_MAP: dict[str, str] = {}
#: With a host map: refuse every unmapped host instead of going to the network (tests, benchmarks).
NEWSBOT_HOST_MAP_ONLY = False
#: A replay folder (see docs/fixtures.md): answer every request from recorded files instead of the network.
NEWSBOT_REPLAY_DIR = None
#: Failed downloads of one article (after Scrapy's own retries), across runs, before it is given up.
NEWSBOT_MAX_ATTEMPTS = 5
#: Days an article may stay pending (found, not yet written or settled) before it is given up as expired.
NEWSBOT_FRONTIER_MAX_AGE_DAYS = 14.0
#: How deep sitemap indexes of sitemap indexes are followed, and how many sitemaps one run reads at most.
NEWSBOT_SITEMAP_MAX_DEPTH = 3
NEWSBOT_SITEMAP_MAX_DOCS = 5000
#: Keep each spider's run summary in the run history (state/history.sqlite3: `newsbot status`, `gaps`, `report`).
NEWSBOT_HISTORY = True
#: Days of run history kept (rows are small: a year of ten-minute runs of one site is a few MB) and days of
#: state/runs/*.json files kept (the full summary of each run; older ones are deleted at the end of a run).
NEWSBOT_HISTORY_KEEP_DAYS = 400.0
NEWSBOT_RUNS_KEEP_DAYS = 30.0
#: Monitors compare the last day of a site with its own trailing window of this many days.
NEWSBOT_MONITOR_WINDOW_DAYS = 14.0
#: Seconds between progress lines of `newsbot crawl` on a terminal (never under cron, never with -q; 0: none).
NEWSBOT_PROGRESS_INTERVAL = 10.0
#: A command run with a JSON description on stdin when a monitor trips or a site changes status (also --alert-cmd).
NEWSBOT_ALERT_CMD = ""
#: Written articles are fsynced and marked in batches of this many (or every two seconds, whichever comes first).
NEWSBOT_MARK_BATCH = 200

# ---- several workers, one crawl (newsbot/distributed.py; README "Running on several machines") -------------------
#: redis://HOST:6379/0: queue, dupefilter, frontier and seen-store in Redis, shared by every worker (None: SQLite).
NEWSBOT_REDIS_URL = None
#: This worker's name (output files data/<spider>/<date>.<worker>.jsonl, its leases and claims); default: host name.
NEWSBOT_WORKER_ID = None
#: Seconds between two seedings of discovery (feeds, sitemaps, listings) by one of the workers: a little under the
#: cron interval. A worker started within it only works the shared queue.
NEWSBOT_REDIS_SEED_INTERVAL = 300
#: How long each Redis command is retried (with backoff) before the crawl gives up: rides out a Redis restart.
NEWSBOT_REDIS_RETRY_SECONDS = 60.0
#: Seconds a dead worker's claim on an article it may have written keeps others from writing it (restart the
#: worker with the same id before that, and it finishes its own work).
NEWSBOT_REDIS_CLAIM_TTL = 3600.0

# ---- output --------------------------------------------------------------------------------------------------------
FEED_EXPORT_ENCODING = "utf-8"
FEED_EXPORTERS = {
    "jsonlines": "newsbot.feeds.FlushingJsonLinesExporter",
    "jsonl": "newsbot.feeds.FlushingJsonLinesExporter",
}
FEED_URI_PARAMS = "newsbot.feeds.uri_params"
#: The output when no feed is given: one JSON Lines file per spider and UTC day. It is not FEEDS itself, because
#: Scrapy adds FEEDS to the feeds of ``-o``/``-O``: ``scrapy crawl isna -O out.jsonl`` must write out.jsonl only.
#: NewsSpider.update_settings turns this into FEEDS when FEEDS is empty.
NEWSBOT_FEED = {
    "data/%(name)s/%(utc_date)s.jsonl": {
        "format": "jsonlines",
        "encoding": "utf-8",
        "fields": list(FIELDS),
        "overwrite": False,
        "store_empty": False,
    },
}
FEEDS: dict = {}
FEED_EXPORT_FIELDS = list(FIELDS)

LOG_LEVEL = "INFO"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"

# ---- media monitoring (newsbot/watch.py, newsbot/stories.py) -------------------------------------------------------
#: A watchlist file (TOML, see the README): records get ``matches`` and each list's records are also written to
#: data/watch/<list>/<UTC date>.jsonl. Empty: no matching (``newsbot crawl --watch FILE`` sets it).
NEWSBOT_WATCHLIST = ""
#: Find republished stories across sites and runs (records get ``story`` and ``republished_from``), with an index
#: in NEWSBOT_STATE_DIR/stories.sqlite3.
NEWSBOT_STORIES = True
#: Days of records the story index keeps: a copy is recognised if its original was indexed within this window.
NEWSBOT_STORY_WINDOW_DAYS = 14.0
