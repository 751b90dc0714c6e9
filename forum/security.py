"""Response headers that hold on every page, and the request environ the app trusts."""

from flask import Flask, Response, current_app, g, request, session
from werkzeug.exceptions import BadRequest, NotFound
from werkzeug.sansio.utils import host_is_trusted

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
# A page for one member, or one holding a form, must stay out of every cache, the
# browser's on a shared computer included (issue #9).
PRIVATE_CACHE_CONTROL = "private, no-store"


# Request headers that would let a client choose where the site lives (its script root,
# host, port or scheme as seen by a proxy). WSGI servers and middlewares map some of them
# into the environ when told to trust the sender; this app trusts none of them, so they
# are removed before anything can read them (issue #9). X-Forwarded-For and
# X-Forwarded-Proto stay: ProxyFix reads them, and only when PROXY_FIX_X_FOR says so.
FORWARDING_HEADERS = (
    "HTTP_SCRIPT_NAME",
    "HTTP_PATH_INFO",
    "HTTP_X_SCRIPT_NAME",
    "HTTP_X_FORWARDED_PREFIX",
    "HTTP_X_FORWARDED_PATH",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_SERVER",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_FORWARDED_URI",
    "HTTP_FORWARDED",
    "HTTP_X_HOST",
    "HTTP_X_ORIGINAL_HOST",
    "HTTP_X_ORIGINAL_URL",
    "HTTP_X_REWRITE_URL",
)


def script_root(config) -> str:
    """The one script root the site is served under: "" unless APPLICATION_ROOT says."""
    root = (config.get("APPLICATION_ROOT") or "/").strip("/")
    return f"/{root}" if root else ""


class PinnedOrigin:
    """Outermost WSGI layer: the script root is the configured one, whatever was sent.

    gunicorn takes SCRIPT_NAME from a request header when it trusts the sender, and every
    link Flask builds starts with it, so a client that set it could have the page cache
    keep a page whose links all lead elsewhere (issue #9). The full path the server
    received is SCRIPT_NAME + PATH_INFO; it must lie under the configured root (404
    otherwise), and the root is split off it again here. A Host outside TRUSTED_HOSTS
    (when set) gets a plain 400 before any page is built for it.
    """

    def __init__(self, wsgi_app, config):
        self.wsgi_app = wsgi_app
        self.root = script_root(config)
        self.trusted_hosts = list(config.get("TRUSTED_HOSTS") or [])

    def __call__(self, environ, start_response):
        for key in FORWARDING_HEADERS:
            environ.pop(key, None)
        if self.trusted_hosts and not host_is_trusted(
            environ.get("HTTP_HOST") or environ.get("SERVER_NAME"), self.trusted_hosts
        ):
            return BadRequest("Unknown host.")(environ, start_response)
        full_path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
        root = self.root
        if root and full_path != root and not full_path.startswith(root + "/"):
            return NotFound()(environ, start_response)
        environ["SCRIPT_NAME"] = root
        environ["PATH_INFO"] = full_path[len(root) :]
        return self.wsgi_app(environ, start_response)


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
        if _is_private(response):
            response.headers["Cache-Control"] = PRIVATE_CACHE_CONTROL
        return response


def _is_private(response: Response) -> bool:
    """Whether the response belongs to one reader: a signed-in member, or a form page.

    Every form page renders a CSRF token, which Flask-WTF keeps in ``g`` for the request;
    the stylesheet and scripts are the same for everyone and keep their own headers.
    """
    if request.endpoint == "static":
        return False
    config = current_app.config
    if config.get("WTF_CSRF_FIELD_NAME", "csrf_token") in g:
        return True
    user = g.get("_login_user")
    if user is not None and user.is_authenticated:
        return True
    cookies = request.cookies
    if config.get("REMEMBER_COOKIE_NAME", "remember_token") in cookies:
        return True
    # Reading the session only when its cookie came: reading it adds "Vary: Cookie".
    return config["SESSION_COOKIE_NAME"] in cookies and "_user_id" in session
