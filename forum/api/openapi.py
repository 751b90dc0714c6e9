"""The OpenAPI 3.1 description of /api/v1, served at /api/v1/openapi.json (issue #18).

Written by hand beside the serializers it describes; a test validates it and checks that
every /api/v1 rule of the app is in it, and the fuzzing checks every answer against it.
"""

import functools

from flask import current_app

from forum.api.schemas import ID_SCHEMA, NEXT_SCHEMA, SCHEMAS, TIME_SCHEMA, nullable, obj, ref
from forum.dose_bands import DOSE_BANDS
from forum.models import Stage
from forum.search.services import MAX_PAGE
from forum.threads import lists

VERSION = "1.0.0"


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


RESPONSES = {
    "NotModified": {"description": "The ETag sent in If-None-Match still matches."},
    "BadRequest": {
        "description": "A parameter is malformed or out of range.",
        "content": {"application/problem+json": {"schema": ref("Problem")}},
    },
    "NotFound": {
        "description": (
            "No such thing, or not one this reader may see (a signed-out reader, or the "
            "token's member)."
        ),
        "content": {"application/problem+json": {"schema": ref("Problem")}},
    },
    "Unauthorized": {
        "description": (
            "No token where one is needed, or a token that is unknown, revoked, expired or "
            "whose member is banned. A bad token is refused on every endpoint, public ones "
            "included, rather than answered as a signed-out reader: a script learns at once "
            "that its token stopped working."
        ),
        "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}},
        "content": {"application/problem+json": {"schema": ref("Problem")}},
    },
    "TooManyRequests": {
        "description": "API_LIMIT reached; Retry-After says when to come back.",
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
        "content": {"application/problem+json": {"schema": ref("Problem")}},
    },
}

ETAG_HEADER = {
    "ETag": {"schema": {"type": "string"}, "description": "Send it back in If-None-Match."}
}


def _query(name: str, schema: dict, description: str) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


def _path(name: str, schema: dict) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": schema}


IF_NONE_MATCH = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "schema": {"type": "string"},
    "description": "An ETag from an earlier answer: 304 while it still matches.",
}


def _get(
    operation_id: str,
    summary: str,
    body: dict,
    *,
    parameters=(),
    errors=("BadRequest",),
    secured: bool = False,
) -> dict:
    ok = _json(body, "OK")
    ok["headers"] = ETAG_HEADER
    responses = {"200": ok, "304": {"$ref": "#/components/responses/NotModified"}}
    codes = {"BadRequest": "400", "NotFound": "404", "Unauthorized": "401"}
    for name in errors:
        responses[codes[name]] = {"$ref": f"#/components/responses/{name}"}
    responses["401"] = {"$ref": "#/components/responses/Unauthorized"}
    responses["429"] = {"$ref": "#/components/responses/TooManyRequests"}
    operation = {
        "operationId": operation_id,
        "summary": summary,
        "parameters": [*parameters, IF_NONE_MATCH],
        "responses": responses,
    }
    if secured:
        operation["security"] = [{"token": []}]
    return {"get": operation}


def _list_of(key: str, item: dict, *, paged: bool = False) -> dict:
    properties = {key: {"type": "array", "items": item}}
    if paged:
        properties["next"] = NEXT_SCHEMA
    return obj(properties)


_DOSE = {"type": "string", "enum": [band.slug for band in DOSE_BANDS]}
_STAGE = {"type": "string", "enum": list(Stage)}
_MONTH = {"type": "integer", "minimum": lists.MONTHS_SINCE_MIN, "maximum": lists.MONTHS_SINCE_MAX}
_LIMIT = {"type": "integer", "minimum": 1, "maximum": 100}


def _list_parameters() -> list[dict]:
    month = "Treatment month, or months since finishing with stage=finished."
    return [
        _query("tag", {"type": "string"}, "A topic's slug (404 when there is no such topic)."),
        _query("stage", _STAGE, "Only stories at this stage."),
        _query("dose", _DOSE, "A daily-dose band's slug."),
        _query("month_min", _MONTH, month),
        _query("month_max", _MONTH, month),
        _query(
            "sort", {"type": "string", "enum": list(lists.SORTS)}, "active (default), new or top."
        ),
        _query("after", {"type": "string"}, "The cursor from the previous page's next link."),
        _query("limit", _LIMIT, "Threads per page (LIST_PAGE_SIZE by default)."),
    ]


def paths() -> dict:
    thread_detail = obj(
        {
            "thread": ref("Thread"),
            "opening_post": {"oneOf": [ref("Post"), {"type": "null"}]},
            "replies": {"type": "array", "items": ref("Node")},
            "page": {"type": "integer", "minimum": 1},
            "pages": {"type": "integer", "minimum": 1},
            "next": NEXT_SCHEMA,
        }
    )
    search = obj(
        {
            "results": {"type": "array", "items": ref("SearchHit")},
            "page": {"type": "integer", "minimum": 1},
            "message": nullable("string"),
            "next": NEXT_SCHEMA,
        }
    )
    one_thread = {"oneOf": [thread_detail, obj({"teaser": ref("Teaser")})]}
    one_post = {"oneOf": [obj({"post": ref("Post")}), obj({"teaser": ref("Teaser")})]}
    return {
        "/api/v1/threads": _get(
            "listThreads",
            "Public threads (members-only ones too with a token), newest sort key first, "
            "with cursor paging.",
            _list_of("threads", ref("Thread"), paged=True),
            parameters=_list_parameters(),
            errors=("BadRequest", "NotFound"),
        ),
        "/api/v1/threads/{thread_id}": _get(
            "getThread",
            "A thread with a page of its reply tree, placeholders as readers see them; a "
            "members-only thread asked without a token answers its teaser.",
            one_thread,
            parameters=[
                _path("thread_id", ID_SCHEMA),
                _query("page", {"type": "integer", "minimum": 1}, "A page of top-level replies."),
                _query("root", ID_SCHEMA, "Only this reply and the replies below it."),
            ],
            errors=("BadRequest", "NotFound"),
        ),
        "/api/v1/posts/{post_id}": _get(
            "getPost",
            "One post, or its placeholder; a post of a members-only thread asked without a "
            "token answers the thread's teaser.",
            one_post,
            parameters=[_path("post_id", ID_SCHEMA)],
            errors=("BadRequest", "NotFound"),
        ),
        "/api/v1/tags": _get(
            "listTags", "Every topic with its thread count.", _list_of("tags", ref("Tag"))
        ),
        "/api/v1/guide": _get(
            "listGuide",
            "The published guide articles, in guide order.",
            _list_of("articles", ref("ArticleSummary")),
        ),
        "/api/v1/guide/{slug}": _get(
            "getGuideArticle",
            "One published guide article.",
            obj({"article": ref("Article")}),
            parameters=[_path("slug", {"type": "string", "pattern": "^[a-z0-9-]+$"})],
            errors=("BadRequest", "NotFound"),
        ),
        "/api/v1/search": _get(
            "search",
            "Full-text search over public threads, replies and the guide (members-only "
            "threads too with a token).",
            search,
            parameters=[
                _query("q", {"type": "string"}, "Words to find."),
                _query("tag", {"type": "string"}, "A topic's slug."),
                _query("stage", _STAGE, "Only stories at this stage."),
                _query("dose", _DOSE, "A daily-dose band's slug."),
                _query("month_min", _MONTH, "As for threads."),
                _query("month_max", _MONTH, "As for threads."),
                _query("page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}, "A page."),
            ],
        ),
        "/api/v1/me": _get(
            "getMe",
            "The token holder's own account.",
            obj({"me": ref("Me")}),
            errors=(),
            secured=True,
        ),
        "/api/v1/me/notifications": _get(
            "listMyNotifications",
            "The token holder's notifications, newest first.",
            _list_of("notifications", ref("Notification"), paged=True),
            parameters=[
                _query("before", ID_SCHEMA, "The cursor from the previous page's next link."),
                _query("limit", _LIMIT, "Notifications per page."),
            ],
            errors=("BadRequest",),
            secured=True,
        ),
        "/api/v1/me/bookmarks": _get(
            "listMyBookmarks",
            "The token holder's bookmarks, newest first; one gone since is a placeholder.",
            _list_of("bookmarks", ref("Bookmark"), paged=True),
            parameters=[
                _query("before", ID_SCHEMA, "The cursor from the previous page's next link."),
                _query("limit", _LIMIT, "Bookmarks per page."),
            ],
            errors=("BadRequest",),
            secured=True,
        ),
        "/api/v1/me/journal": _get(
            "getMyJournal",
            "The token holder's own journal: settings, course with dose periods, and "
            "entries (private ones included), newest first.",
            obj(
                {
                    "journal": ref("Journal"),
                    "course": ref("Course"),
                    "entries": {"type": "array", "items": ref("JournalEntry")},
                    "next": NEXT_SCHEMA,
                }
            ),
            parameters=[
                _query(
                    "before",
                    {"type": "string", "format": "date"},
                    "The cursor from the previous page's next link: entries before this day.",
                ),
                _query("limit", _LIMIT, "Entries per page."),
            ],
            errors=("BadRequest",),
            secured=True,
        ),
        "/api/v1/insights": _get(
            "getInsights",
            "What members report, as /insights shows it: each cell with its number of "
            "members; a cell from fewer than min_members members is null.",
            obj(
                {
                    "computed_at": TIME_SCHEMA,
                    "min_members": {"type": "integer", "minimum": 1},
                    "disclaimer": {"type": "string"},
                    "series": {"type": "array", "items": ref("InsightSeries")},
                }
            ),
            errors=(),
        ),
        "/api/v1/openapi.json": _get(
            "getDescription", "This description.", {"type": "object"}, errors=()
        ),
    }


@functools.cache
def _document(base_url: str) -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Isotretinoin Experiences API",
            "version": VERSION,
            "description": (
                "Read-only. Public endpoints answer what a signed-out reader sees; with a "
                "personal access token, what the pages show that member (members-only "
                "threads in full, their own held or hidden posts; never a moderator's view). "
                "Answers to a request with a token are Cache-Control: private, no-store. "
                "Every GET carries an ETag; errors are application/problem+json."
            ),
        },
        "servers": [{"url": base_url}],
        "paths": paths(),
        "components": {
            "schemas": SCHEMAS,
            "responses": RESPONSES,
            "securitySchemes": {
                "token": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A personal access token made at /settings/tokens.",
                }
            },
        },
    }


def document() -> dict:
    """The description, with this site's address as its server."""
    return _document(current_app.config["BASE_URL"].rstrip("/"))
