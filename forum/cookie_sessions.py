"""The signed session cookie, checked once per process for each cookie (issue #17).

A member's browser sends the same cookie on every request until something in it changes,
and Flask checked its signature, inflated it and parsed its JSON each time: a seventh of a
signed-in page from the members' store. Checking a cookie gives the same answer for the
same string until it expires, so each worker remembers the answers of the cookies it has
seen: a cookie seen before costs a dictionary lookup and its age, still checked against
the session lifetime on every request. Only cookies that passed the full check are
remembered, so a forged one is never accepted, and only those holding plain values
(strings, numbers, booleans): a request gets its own session to change, never one shared
with another request. The CSRF token a form carries is made the same way, once a second
for each session (Flask-WTF's token only changes with the session's secret and the second
it is signed in).
"""

import time

from flask import Flask, Request, current_app, g, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_wtf.csrf import generate_csrf
from itsdangerous import BadSignature

from forum.bounded import BoundedMap

MAX_COOKIES = 4096  # per worker, the least recently seen dropped first
PLAIN = (str, int, float, bool, type(None))
CSRF_FIELD = "csrf_token"  # Flask-WTF's default, which the app keeps


class RememberingSessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie sessions, each cookie's check remembered (see above)."""

    def __init__(self, size: int = MAX_COOKIES):
        self.remembered = BoundedMap(size)

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie:
            return super().open_session(app, request)
        max_age = int(app.permanent_session_lifetime.total_seconds())
        seen = self.remembered.get(cookie)
        if seen is not None:
            data, signed_at = seen
            if 0 <= time.time() - signed_at <= max_age:
                return self.session_class(data)
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        try:
            data, signed = serializer.loads(cookie, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        if isinstance(data, dict) and all(isinstance(v, PLAIN) for v in data.values()):
            self.remembered.put(cookie, (dict(data), signed.timestamp()))
        return self.session_class(data)


_csrf_tokens = BoundedMap(MAX_COOKIES)


def csrf_token() -> str:
    """This request's CSRF token, as ``flask_wtf.csrf.generate_csrf`` gives it, signed once
    a second for each session's raw token rather than on every request."""
    raw = session.get(CSRF_FIELD)
    if CSRF_FIELD in g or not isinstance(raw, str):
        return generate_csrf()
    secret = current_app.config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key
    second = int(time.time())
    key = (secret, raw, second)
    token = _csrf_tokens.get(key)
    if token is None:
        token = generate_csrf()
        if int(time.time()) == second:  # signed in that second, so it is that second's
            _csrf_tokens.put(key, token)
    else:
        setattr(g, CSRF_FIELD, token)
    return token


def init_cookie_sessions(app: Flask) -> None:
    app.session_interface = RememberingSessionInterface()
    app.jinja_env.globals["csrf_token"] = csrf_token  # in place of generate_csrf
