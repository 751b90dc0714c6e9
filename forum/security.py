"""Response headers that hold on every page."""

from flask import Flask, Response

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)
HSTS = ("Strict-Transport-Security", "max-age=31536000")


def register_security_headers(app: Flask) -> None:
    defaults = SECURITY_HEADERS + ((HSTS,) if app.config.get("SESSION_COOKIE_SECURE") else ())

    @app.after_request
    def set_headers(response: Response) -> Response:
        # One pass over the headers already set (a view may set its own policy) instead of
        # a setdefault per header, which raises and catches a KeyError for each: this runs
        # on every response, page-cache hits included.
        present = {name.lower() for name, _ in response.headers.items()}
        response.headers.extend(
            (name, value) for name, value in defaults if name.lower() not in present
        )
        return response
