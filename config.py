"""Configuration classes.

Every upper-case attribute below can be overridden by an environment variable of the same
name (see ``apply_env``): booleans accept 1/0/true/false/yes/no, numbers are parsed, lists
are comma-separated. Secrets and ``DATABASE_URL`` come only from the environment.
"""

import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent
INSTANCE = Path(os.environ.get("INSTANCE_PATH", ROOT / "instance"))


def _sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


class Config:
    ENV_NAME = "base"
    # Whether DATABASE_URL in the environment chooses the database (not for tests or the
    # benchmark, which must never touch the real one).
    USE_DATABASE_URL = True
    SECRET_KEY: str | None = None
    # The site's address, for links in mail and feeds. Empty means: where the development
    # server listens (see ``resolve_base_url``); production must be given it (issue #11).
    BASE_URL = ""
    # The path the site is served under ("/", or e.g. "/forum" behind a proxy that passes
    # the full path on). Only this value is ever used: no request header can change it.
    APPLICATION_ROOT = "/"
    # Host names the app answers (Host header); others get a plain 400. Empty: any name,
    # since a proxy may pass on a name of its own (no page's bytes depend on the host).
    TRUSTED_HOSTS: list[str] = []
    SITE_NAME = "Isotretinoin Experiences"

    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or _sqlite_url(INSTANCE / "forum.db")
    # No pool_pre_ping: forum.database replaces a connection the server dropped at checkout,
    # without the round trip a ping costs.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SQLITE_BUSY_TIMEOUT_MS = 15000
    SQLITE_SYNCHRONOUS = "FULL"
    REDIS_URL = ""

    # Cookies and sessions: the cookie only carries the id of a server-side session row.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    REMEMBER_COOKIE_DURATION = timedelta(days=90)
    SESSION_IDLE_DAYS = 90
    # SQLite: each worker keeps the sessions it served while nothing was committed since
    # (forum/auth/session_cache.py); False reads the session row on every request.
    SESSION_CACHE = True
    MAX_CONTENT_LENGTH = 512 * 1024

    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session it belongs to

    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 - a hash method name, not a password
    PASSWORD_MIN_LENGTH = 10
    PASSWORD_MAX_LENGTH = 256
    PASSWORD_MIN_SCORE = 3
    MIN_AGE = 16
    GUIDELINES_VERSION = "2026-11"
    PRIVACY_VERSION = "2026-11"
    VERIFY_TOKEN_MAX_AGE = 3 * 24 * 3600
    RESET_TOKEN_MAX_AGE = 3600

    # Mail: "file" writes each message under instance/outbox/, "smtp" sends it.
    MAIL_BACKEND = "file"
    MAIL_OUTBOX = str(INSTANCE / "outbox")
    # A neutral sender name: the site name carries the drug's name, and mail previews are seen.
    MAIL_FROM = "Community forum <no-reply@localhost>"
    SMTP_HOST = "localhost"
    SMTP_PORT = 587
    SMTP_USERNAME = ""
    SMTP_PASSWORD = ""
    SMTP_STARTTLS = True
    SMTP_SSL = False
    SMTP_TIMEOUT = 10
    # Mail is a row of the outbox, sent after the response by the process that served it
    # ("after_response"), on commit ("after_commit", tests) or only by `flask mail send`
    # ("command"). See forum/mail/outbox.py (issue #9).
    MAIL_DELIVERY = "after_response"
    MAIL_MAX_ATTEMPTS = 10
    MAIL_RETRY_SECONDS = 60  # the first retry; each later one waits twice as long
    # A message claimed this long ago and not marked sent is taken to have died mid-send.
    MAIL_CLAIM_SECONDS = 600
    MAIL_KEEP_DAYS = 7  # sent messages are deleted after this many days

    # Notifications (issue #12): a new post's fan-out runs after the response by the process
    # that served it ("after_response"), before the response goes out ("end_of_request",
    # tests) or only from `flask notifications send` / `flask jobs run` ("command").
    NOTIFY_DELIVERY = "after_response"
    NOTIFY_BATCH_SIZE = 500  # recipients told in one transaction
    # A fan-out claimed this long ago and not finished is taken to have died mid-run.
    NOTIFY_CLAIM_SECONDS = 600
    DIGEST_INTERVAL_HOURS = 24  # how often `flask jobs run` sends the digest mails
    JOBS_LEASE_SECONDS = 900  # a periodic task's lock outlives a host that died this long

    # Rate limits (Flask-Limiter). Empty storage means REDIS_URL when set, else the app's
    # own database (forumdb://, shared by every worker); memory:// counts in each process,
    # so only the single-process development server and the tests use it (issue #9).
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = ""
    RATELIMIT_STRATEGY = "fixed-window"
    # Limits are checked in the views (forum/ratelimit.py), which set Retry-After on a 429;
    # Flask-Limiter's own X-RateLimit headers would cost every response some work.
    RATELIMIT_HEADERS_ENABLED = False
    RATELIMIT_KEY_PREFIX = "forum"
    LOGIN_LIMIT = "10 per 5 minutes"
    REGISTER_LIMIT = "5 per hour"
    RESET_LIMIT = "5 per hour"
    VERIFY_LIMIT = "5 per hour"  # confirmation mails a signed-in member asks for
    POST_LIMIT = "10 per minute; 200 per day"
    REPORT_LIMIT = "20 per hour"
    API_LIMIT = "120 per minute"  # requests to /api/v1 per client address (issue #18)
    # Origins allowed to read /api/v1 from a browser (CORS); "*" for any. None by default.
    API_CORS_ORIGINS: list[str] = []

    # Moderation.
    AUTO_HIDE_REPORTS = 3
    NEW_MEMBER_HELD_POSTS = 1
    NEW_MEMBER_DAYS = 3
    # Crisis phrases and resources: "" means the files shipped in forum/moderation/.
    CRISIS_PHRASES_FILE = ""
    CLAIM_MINUTES = 30  # a moderator's claim on a review item keeps others off it this long
    CRISIS_RESOURCES_FILE = ""

    # Threads and pages.
    THREAD_PAGE_SIZE = 50
    THREAD_VISIBLE_DEPTH = 6
    LIST_PAGE_SIZE = 25
    ANON_CACHE_SECONDS = 10
    # How long a thread page's reply tree, rendered once for every member, is kept.
    TREE_CACHE_SECONDS = 60
    # How long the home page and topic lists, rendered once for every member, are kept
    # (forum/member_pages.py); a member who just wrote gets fresh pages for this long.
    MEMBER_PAGE_SECONDS = 10
    # The longest a search may run on PostgreSQL before it is stopped with a message.
    SEARCH_TIMEOUT_MS = 3000
    # How long each process keeps the thread count of every topic (a full scan to compute).
    TAG_COUNTS_SECONDS = 30

    # Number of reverse proxies in front of the app whose X-Forwarded-For/-Proto to trust
    # (rate limits count per client address, so behind a load balancer set this to 1).
    PROXY_FIX_X_FOR = 0
    # Benchmarks: add an X-Query-Count header with the SQL statements each request cost.
    QUERY_COUNT_HEADER = False
    LOG_LEVEL = "INFO"
    ACCESS_LOG = True

    # Your data (issue #13): days between asking for deletion and the purge (log in to
    # cancel); accounts with up to this many posts get their export at once, larger ones
    # from ``flask data exports``; days a prepared export can be downloaded.
    DELETION_GRACE_DAYS = 7
    EXPORT_INLINE_MAX_POSTS = 300
    EXPORT_DAYS = 7

    # Progress photos (issue #15): where the re-encoded files live (forum/photos/storage.py),
    # the largest file and image accepted, photos a member may send a day and a post may
    # carry, and the sizes they are re-encoded to. Only the routes that take photos accept
    # a request larger than MAX_CONTENT_LENGTH (forum/photos/uploads.py).
    PHOTO_DIR = str(INSTANCE / "photos")
    PHOTO_MAX_BYTES = 10 * 1024 * 1024
    PHOTO_MAX_PIXELS = 40_000_000
    PHOTO_PER_DAY = 20
    PHOTO_PER_POST = 4
    PHOTO_DISPLAY_PX = 1600
    PHOTO_THUMB_PX = 360
    PHOTO_FORMAT = "webp"  # or "jpeg"
    # `flask photos sweep` leaves files younger than this alone: they may belong to an
    # upload whose row is not committed yet.
    PHOTO_SWEEP_GRACE_MINUTES = 60


class DevelopmentConfig(Config):
    ENV_NAME = "development"


class TestingConfig(Config):
    ENV_NAME = "testing"
    USE_DATABASE_URL = False
    TESTING = True
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL") or _sqlite_url(
        Path(tempfile.gettempdir()) / f"forum-test-{os.getpid()}.db"
    )
    SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105 - tests only
    BASE_URL = "http://127.0.0.1:5000"
    WTF_CSRF_ENABLED = False
    # One iteration: tests hash many passwords and need no strength.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1"  # noqa: S105 - a hash method name
    MAIL_BACKEND = "memory"
    MAIL_DELIVERY = "after_commit"  # tests read the memory backend right after a commit
    NOTIFY_DELIVERY = "end_of_request"  # tests read the inbox right after a response
    SERVER_NAME = None
    NEW_MEMBER_HELD_POSTS = 0
    ANON_CACHE_SECONDS = 0
    MEMBER_PAGE_SECONDS = 0
    TAG_COUNTS_SECONDS = 0
    # Each test's query counts must not hang on which tests ran before it in this process;
    # tests/test_session_cache.py turns it on in an app of its own.
    SESSION_CACHE = False
    PHOTO_DIR = str(Path(tempfile.gettempdir()) / f"forum-test-photos-{os.getpid()}")


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    MAIL_BACKEND = "smtp"


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


# Where rate-limit counters may live in the process: one process serves everything.
PROCESS_LOCAL_ENVS = frozenset({"development", "testing"})


def _coerce(default, raw: str):
    if isinstance(default, bool) or default is None and raw.lower() in ("true", "false"):
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    if isinstance(default, timedelta):
        return timedelta(seconds=int(raw))
    if isinstance(default, list | tuple):
        return [item.strip() for item in raw.split(",") if item.strip()]
    return raw


def apply_env(config: dict, environ=os.environ) -> None:
    """Override every upper-case setting that has an environment variable of the same name."""
    for key in list(config):
        if key.isupper() and key in environ and not isinstance(config[key], dict):
            config[key] = _coerce(config[key], environ[key])
    # Settings that have no default above but are documented.
    if environ.get("DATABASE_URL") and config.get("USE_DATABASE_URL"):
        config["SQLALCHEMY_DATABASE_URI"] = environ["DATABASE_URL"]
    for key, value in environ.items():
        if key.startswith("RATELIMIT_") and key not in config:
            config[key] = value
    url = config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgres://")
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    config["SQLALCHEMY_DATABASE_URI"] = url
    if not config.get("RATELIMIT_STORAGE_URI"):
        config["RATELIMIT_STORAGE_URI"] = config.get("REDIS_URL") or (
            "memory://" if config.get("ENV_NAME") in PROCESS_LOCAL_ENVS else "forumdb://"
        )


def ensure_secret_key(config: dict) -> None:
    """Production must be given SECRET_KEY; development keeps a generated one under instance/."""
    if config.get("SECRET_KEY"):
        return
    if config.get("ENV_NAME") == "production":
        raise RuntimeError("SECRET_KEY must be set in the environment in production.")
    INSTANCE.mkdir(parents=True, exist_ok=True)
    key_file = INSTANCE / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    config["SECRET_KEY"] = key_file.read_text().strip()


# Addresses a server listens on that no browser can open: links name the loopback instead.
_ANY_ADDRESS = {"0.0.0.0", "::", "[::]"}  # noqa: S104 - compared against, never bound


def resolve_base_url(config: dict, environ=os.environ) -> None:
    """Links in mail and feeds follow where the app really runs (issue #11).

    A BASE_URL that is set wins. Otherwise production refuses to start, and everywhere else
    the address is the one the development server serves on: ``FLASK_RUN_HOST`` and
    ``FLASK_RUN_PORT`` (what ``make run`` and ``flask run`` use), else ``HOST`` and ``PORT``,
    else http://127.0.0.1:5000.
    """
    given = (config.get("BASE_URL") or "").strip()
    if given:
        if not given.startswith(("http://", "https://")):
            raise RuntimeError(
                f"BASE_URL must start with http:// or https://, such as "
                f"https://forum.example.org (it is {given!r})."
            )
        config["BASE_URL"] = given.rstrip("/")
        return
    if config.get("ENV_NAME") == "production":
        raise RuntimeError(
            "BASE_URL must be set in the environment in production: the address readers "
            "open, such as https://forum.example.org. Links in mail and feeds are built from it."
        )
    host = environ.get("FLASK_RUN_HOST") or environ.get("HOST") or "127.0.0.1"
    port = environ.get("FLASK_RUN_PORT") or environ.get("PORT") or "5000"
    if host in _ANY_ADDRESS:
        host = "127.0.0.1"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address
    config["BASE_URL"] = f"http://{host}:{port}"
