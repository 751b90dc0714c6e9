"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py`.

Every value can be changed from the environment. The app logs each request itself as one
JSON line with its request id and timing, so gunicorn's own access log is off.
"""

import os

wsgi_app = "forum.wsgi:app"
bind = os.environ.get(
    "GUNICORN_BIND", f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
)
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Load the app once in the master and fork it: workers share its memory pages. The app
# opens no database connection at import, so nothing is shared across the fork.
preload_app = True
# Recycle workers now and then so a slow leak can never take a worker down; rarely, since
# a fresh worker starts with cold caches (every 20,000 requests showed in p99 latency).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "200000"))
max_requests_jitter = 20000
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# Trust no peer's forwarding headers here: the app reads X-Forwarded-For and -Proto through
# ProxyFix when PROXY_FIX_X_FOR says how many proxies stand in front. gunicorn would
# otherwise take SCRIPT_NAME and PATH_INFO from a trusted peer's request headers, and a
# client can send those through a proxy that passes unknown headers on (issue #9).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "")
forwarder_headers = ""
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}


def _hide_server_name() -> None:
    """Send no Server header: it names the server and its version to every client."""
    from gunicorn.http import wsgi

    default_headers = wsgi.Response.default_headers

    def without_server(self):
        return [line for line in default_headers(self) if not line.startswith("Server:")]

    wsgi.Response.default_headers = without_server


_hide_server_name()
