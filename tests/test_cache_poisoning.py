"""No request can plant a page in the page cache that other readers then get (issue #9).

Each attack sends one header or environ key that a WSGI server or middleware may turn into
the script root, host, port or scheme, then a plain reader asks for the same page: the
bytes must name no other site and the site's own links must be intact. Every layer is
tested on its own too: the pinned script root, and the cache's refusal of odd requests.
"""

import pytest

from forum import cache, security
from forum.extensions import db
from tests.factories import make_thread
from tests.services import redis_url

EVIL = "evil.example"

# (what is sent, keyword arguments of the test client's get)
ATTACKS = {
    "SCRIPT_NAME environ": {"environ_overrides": {"SCRIPT_NAME": f"//{EVIL}"}},
    "SCRIPT_NAME header, as gunicorn maps it": {
        "environ_overrides": {"SCRIPT_NAME": f"//{EVIL}"},
        "raw_prefix": f"//{EVIL}",
    },
    "PATH_INFO environ": {"environ_overrides": {"PATH_INFO": f"//{EVIL}"}},
    "SCRIPT_NAME request header": {"headers": {"SCRIPT_NAME": f"//{EVIL}"}},
    "PATH_INFO request header": {"headers": {"PATH_INFO": f"//{EVIL}/t"}},
    "X-Script-Name": {"headers": {"X-Script-Name": f"//{EVIL}"}},
    "X-Forwarded-Prefix": {"headers": {"X-Forwarded-Prefix": f"//{EVIL}"}},
    "X-Forwarded-Path": {"headers": {"X-Forwarded-Path": f"//{EVIL}"}},
    "X-Forwarded-Host": {"headers": {"X-Forwarded-Host": EVIL}},
    "X-Forwarded-Server": {"headers": {"X-Forwarded-Server": EVIL}},
    "X-Forwarded-Proto": {"headers": {"X-Forwarded-Proto": "https", "X-Forwarded-Host": EVIL}},
    "X-Forwarded-Port": {"headers": {"X-Forwarded-Port": "666", "X-Forwarded-Host": EVIL}},
    "Forwarded": {"headers": {"Forwarded": f"for=1.2.3.4;host={EVIL};proto=https"}},
    "X-Original-URL": {"headers": {"X-Original-URL": f"//{EVIL}/"}},
    "X-Rewrite-URL": {"headers": {"X-Rewrite-URL": f"//{EVIL}/"}},
    "X-Host": {"headers": {"X-Host": EVIL, "X-Original-Host": EVIL}},
    "Host header": {"headers": {"Host": EVIL}},
    "HTTP_HOST environ": {"environ_overrides": {"HTTP_HOST": f"{EVIL}:443"}},
    "SERVER_NAME environ": {"environ_overrides": {"SERVER_NAME": EVIL, "HTTP_HOST": ""}},
    "wsgi.url_scheme environ": {
        "environ_overrides": {"wsgi.url_scheme": "https", "HTTP_HOST": EVIL}
    },
    "absolute request target": {"environ_overrides": {"RAW_URI": f"http://{EVIL}"}},
}


@pytest.fixture(params=["memory", "redis"])
def site(request, make_app, tmp_path):
    """The real app with the page cache on, in each process or in Redis."""
    redis = redis_url() if request.param == "redis" else ""

    def build(**settings):
        app = make_app(**settings)
        # Set after creation so that REDIS_URL in the environment cannot change the store.
        app.config.update(ANON_CACHE_SECONDS=10, REDIS_URL=redis)
        app.instance_path = str(tmp_path)
        cache.init_store(app)
        app.extensions["page_cache"].purge()  # nothing left from an earlier test
        return app

    return build


@pytest.fixture
def thread_path(app):
    thread = make_thread()
    db.session.commit()
    return f"/t/{thread.id}"


def _attack(client, path: str, attack: dict):
    """Send ``attack`` for ``path``; PATH_INFO and RAW_URI in it are prefixes of the path."""
    attack = dict(attack)
    prefix = attack.pop("raw_prefix", "")
    overrides = dict(attack.pop("environ_overrides", {}))
    for key in ("PATH_INFO", "RAW_URI"):
        if key in overrides:
            overrides[key] += path
    if prefix:
        overrides["RAW_URI"] = overrides["REQUEST_URI"] = prefix + path
    return client.get(path, environ_overrides=overrides, **attack)


def _assert_clean(response, path: str):
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert EVIL not in body
    assert 'href="/static/style.css"' in body and 'href="/"' in body
    assert 'href="/tags/dryness"' in body and f'href="/login?next={path}/' in body


@pytest.mark.parametrize("attack", ATTACKS.values(), ids=ATTACKS.keys())
def test_no_header_or_environ_key_plants_a_page_for_the_next_reader(site, thread_path, attack):
    app = site()
    _attack(app.test_client(), thread_path, attack)
    for _ in range(2):  # rendered, then from the cache
        _assert_clean(app.test_client().get(thread_path), thread_path)


@pytest.mark.parametrize("attack", ATTACKS.values(), ids=ATTACKS.keys())
def test_a_cached_page_is_never_served_to_an_odd_request(site, thread_path, attack):
    app = site()
    assert app.test_client().get(thread_path).headers["X-Cache"] == "miss"
    response = _attack(app.test_client(), thread_path, attack)
    if response.status_code == 200:
        assert EVIL not in response.get_data(as_text=True)
    _assert_clean(app.test_client().get(thread_path), thread_path)


def test_behind_a_trusted_proxy_forwarded_headers_plant_nothing(site, thread_path):
    app = site(PROXY_FIX_X_FOR=1)
    for attack in ATTACKS.values():
        _attack(app.test_client(), thread_path, attack)
    _assert_clean(app.test_client().get(thread_path), thread_path)


# --- each layer on its own --------------------------------------------------------------


def _echo(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    seen = {key: environ.get(key) for key in ("SCRIPT_NAME", "PATH_INFO")}
    seen["forwarding"] = sorted(key for key in security.FORWARDING_HEADERS if key in environ)
    return [repr(seen).encode()]


def _call(middleware, **environ):
    from werkzeug.test import Client

    client = Client(middleware)
    path = environ.pop("path", "/t/1")
    return client.get(path, environ_overrides=environ.pop("overrides", {}), **environ)


def test_the_script_root_is_the_configured_one_whatever_was_sent():
    pinned = security.PinnedOrigin(_echo, {"APPLICATION_ROOT": "/"})
    headers = {
        name.removeprefix("HTTP_").replace("_", "-"): "x" for name in security.FORWARDING_HEADERS
    }
    response = _call(pinned, overrides={"SCRIPT_NAME": f"//{EVIL}"}, headers=headers)
    assert response.text == repr(
        {"SCRIPT_NAME": "", "PATH_INFO": f"//{EVIL}/t/1", "forwarding": []}
    )


def test_under_an_application_root_only_that_root_is_accepted():
    pinned = security.PinnedOrigin(_echo, {"APPLICATION_ROOT": "/forum/"})
    inside = _call(pinned, path="/forum/t/1")
    assert "'SCRIPT_NAME': '/forum', 'PATH_INFO': '/t/1'" in inside.text
    assert _call(pinned, path="/t/1").status_code == 404
    assert _call(pinned, path="/forumx/t/1").status_code == 404
    spoofed = _call(pinned, path="/forum/t/1", overrides={"SCRIPT_NAME": "/elsewhere"})
    assert spoofed.status_code == 404


def test_the_site_under_an_application_root_builds_its_links_there(site, thread_path):
    app = site(APPLICATION_ROOT="/forum")
    # As a server passes it on: the full path, no script root (Flask's test client would
    # otherwise put APPLICATION_ROOT into SCRIPT_NAME itself).
    client = app.test_client()
    server = {"base_url": "http://localhost/"}
    page = client.get("/forum" + thread_path, headers={"X-Script-Name": f"//{EVIL}"}, **server)
    assert page.status_code == 200
    assert 'href="/forum/static/style.css"' in page.text and EVIL not in page.text
    assert client.get("/forum" + thread_path, **server).headers["X-Cache"] == "hit"
    assert client.get(thread_path, **server).status_code == 404


def test_hosts_outside_trusted_hosts_get_a_plain_400(make_app):
    app = make_app(TRUSTED_HOSTS=["forum.example", ".forum.example"])
    client = app.test_client()
    assert client.get("/healthz", headers={"Host": "forum.example"}).status_code == 200
    assert client.get("/healthz", headers={"Host": "www.forum.example:8000"}).status_code == 200
    refused = client.get("/", headers={"Host": EVIL})
    assert refused.status_code == 400 and EVIL not in refused.text


def test_without_the_pinned_root_the_cache_still_stores_no_odd_page(site, thread_path):
    app = site()
    app.wsgi_app = app.wsgi_app.wsgi_app  # take the outermost layer away
    odd = app.test_client().get(thread_path, environ_overrides={"SCRIPT_NAME": f"//{EVIL}"})
    assert odd.status_code == 200 and f"//{EVIL}/static/" in odd.text  # what it guards against
    assert "X-Cache" not in odd.headers
    _assert_clean(app.test_client().get(thread_path), thread_path)


def _environ(**changes):
    environ = {
        "SCRIPT_NAME": "",
        "PATH_INFO": "/t/1/a-title",
        "QUERY_STRING": "page=2",
        "RAW_URI": "/t/1/a-title?page=2",
        "wsgi.url_scheme": "https",
        "HTTP_HOST": "forum.example",
    }
    environ.update(changes)
    return environ


@pytest.mark.parametrize(
    "changes",
    [
        {"SCRIPT_NAME": f"//{EVIL}"},
        {"PATH_INFO": f"//{EVIL}/t/1", "RAW_URI": f"//{EVIL}/t/1"},
        {"PATH_INFO": "/t/./1", "RAW_URI": "/t/./1"},
        {"PATH_INFO": "/t/../t/1", "RAW_URI": "/t/../t/1"},
        {"PATH_INFO": "/t/1/..", "RAW_URI": "/t/1/.."},
        {"PATH_INFO": "/t\\1", "RAW_URI": "/t\\1"},
        {"PATH_INFO": "t/1", "RAW_URI": "t/1"},
        {"RAW_URI": f"http://{EVIL}/t/1/a-title"},
        {"RAW_URI": f"//{EVIL}/t/1/a-title"},
        {"HTTP_HOST": f"{EVIL}/x"},
        {"HTTP_HOST": "forum.example@evil"},
        {"HTTP_HOST": ""},
        {"wsgi.url_scheme": "gopher"},
        {"HTTP_X_FORWARDED_HOST": EVIL},
        {"HTTP_FORWARDED": f"host={EVIL}"},
        {"HTTP_X_SCRIPT_NAME": "/x"},
    ],
    ids=repr,
)
def test_odd_requests_are_not_canonical(changes):
    assert cache.canonical(_environ(), "")
    assert not cache.canonical(_environ(**changes), "")


def test_canonical_requests_under_a_root_and_with_encoded_paths():
    assert cache.canonical(_environ(SCRIPT_NAME="/forum", RAW_URI="/forum/t/1/a-title"), "/forum")
    assert not cache.canonical(_environ(), "/forum")
    encoded = _environ(PATH_INFO="/tags/caf\xc3\xa9", RAW_URI="/tags/caf%C3%A9")
    assert cache.canonical(encoded, "")


def test_the_key_holds_everything_that_changes_the_bytes():
    keys = {
        cache.environ_key(_environ()),
        cache.environ_key(_environ(HTTP_HOST="other.example")),
        cache.environ_key(_environ(**{"wsgi.url_scheme": "http"})),
        cache.environ_key(_environ(SCRIPT_NAME="/forum")),
        cache.environ_key(_environ(PATH_INFO="/t/2")),
        cache.environ_key(_environ(QUERY_STRING="page=3")),
    }
    assert len(keys) == 6
    assert cache.environ_key(_environ(HTTP_HOST="Forum.Example")) == cache.environ_key(_environ())
