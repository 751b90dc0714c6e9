"""One-line structured logs on stdout, with a request id and timing.

Log lines never carry post text, email addresses or IP addresses.
"""

import json
import logging
import sys
import time
import uuid

from flask import Flask, g, has_request_context, request


class OneLineFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if has_request_context():
            entry["request_id"] = getattr(g, "request_id", None)
        for key in ("request_id", "method", "path", "status", "ms"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, separators=(",", ":"))


def _loggable_path() -> str:
    """The request path, with secrets in it (verification and reset tokens) left out."""
    rule = request.url_rule
    if rule is not None and "token" in rule.arguments:
        return rule.rule
    return request.path


ACCESS = logging.getLogger("forum.access")


def incoming_request_id(value: str) -> str:
    """The caller's X-Request-Id when it is a plain token, else a new one."""
    return value[:64] if value.isalnum() else uuid.uuid4().hex[:16]


def log_access(method: str, path: str, status: int, started: float, **extra) -> None:
    # The path only, never the query string: searches can name health topics.
    ACCESS.info(
        "request",
        extra={
            "method": method,
            "path": path,
            "status": status,
            "ms": round((time.perf_counter() - started) * 1000, 1),
            **extra,
        },
    )


def init_logging(app: Flask) -> None:
    root = logging.getLogger()
    if not any(getattr(h, "_forum", False) for h in root.handlers):
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(OneLineFormatter())
        handler._forum = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(app.config.get("LOG_LEVEL", "INFO"))

    @app.before_request
    def start_timer():
        g.request_id = incoming_request_id(request.headers.get("X-Request-Id", ""))
        g.started = time.perf_counter()

    @app.after_request
    def log_request(response):
        response.headers["X-Request-Id"] = g.get("request_id", "")
        if app.config.get("ACCESS_LOG", True) and not app.testing:
            log_access(
                request.method,
                _loggable_path(),
                response.status_code,
                g.get("started", time.perf_counter()),
            )
        return response
