"""The OpenAPI 3.1 description of /api/v1, served at /api/v1/openapi.json (issue #18).

Written by hand beside the serializers it describes; a test validates it and checks that
every /api/v1 rule of the app is in it, and the fuzzing checks every answer against it.
"""

import functools

from flask import current_app

from forum.models import Stage
from forum.threads import lists
from forum.validation import ID_MAX

VERSION = "1.0.0"


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(kind: str, **extra) -> dict:
    return {"type": [kind, "null"], **extra}


_TIME = _nullable("string", format="date-time")
_URL = {"type": "string", "format": "uri"}
_ID = {"type": "integer", "minimum": 1, "maximum": ID_MAX}
_NEXT = {**_nullable("string", format="uri"), "description": "The next page, or null."}


def _object(properties: dict, *, optional: tuple = ()) -> dict:
    return {
        "type": "object",
        "properties": properties,
        "required": [name for name in properties if name not in optional],
    }


SCHEMAS = {
    "Problem": {
        **_object(
            {
                "type": {"type": "string"},
                "title": {"type": "string"},
                "status": {"type": "integer", "minimum": 400, "maximum": 599},
                "detail": {"type": "string"},
            }
        ),
        "description": "An error as RFC 9457 problem details.",
    },
    "Experience": _object(
        {
            "stage": _nullable("string", enum=[*Stage, None]),
            "treatment_month": _nullable("integer"),
            "months_since": _nullable("integer"),
            "daily_dose_mg": _nullable("integer"),
        }
    ),
    "Thread": _object(
        {
            "id": _ID,
            "title": {"type": "string"},
            "url": _URL,
            "author": {
                **_nullable("string"),
                "description": "null once the opening post was deleted.",
            },
            "created_at": _TIME,
            "last_activity_at": _TIME,
            "reply_count": {"type": "integer", "minimum": 0},
            "helpful_count": {"type": "integer", "minimum": 0},
            "locked": {"type": "boolean"},
            "pinned": {"type": "boolean"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "experience": _ref("Experience"),
            "excerpt": {"type": "string", "description": "In lists only."},
        },
        optional=("excerpt",),
    ),
    "Post": {
        **_object(
            {
                "id": _ID,
                "thread_id": _ID,
                "parent_id": _nullable("integer"),
                "depth": {"type": "integer", "minimum": 0},
                "url": _URL,
                "author": _nullable("string"),
                "created_at": _TIME,
                "edited_at": _TIME,
                "body_html": _nullable("string"),
                "placeholder": _nullable("string"),
                "helpful_count": {"type": "integer", "minimum": 0},
                "label": _nullable("string"),
                "experience": _ref("Experience"),
            }
        ),
        "description": (
            "A post as a signed-out reader sees it. A deleted, hidden or removed post keeps "
            "its place with a placeholder instead of its text and author; held posts are "
            "left out."
        ),
    },
    "Node": {
        "allOf": [_ref("Post")],
        "type": "object",
        "properties": {
            "more_replies": {
                "type": "boolean",
                "description": "Replies lie deeper: ask again with root set to this post's id.",
            },
            "replies": {"type": "array", "items": _ref("Node")},
        },
        "required": ["more_replies", "replies"],
    },
    "Tag": _object(
        {
            "slug": {"type": "string"},
            "name": {"type": "string"},
            "description": {"type": "string"},
            "thread_count": {"type": "integer", "minimum": 0},
            "url": _URL,
        }
    ),
    "ArticleSummary": _object(
        {
            "slug": {"type": "string"},
            "title": {"type": "string"},
            "summary": {"type": "string"},
            "url": _URL,
            "updated_at": _TIME,
        }
    ),
    "Article": {
        "allOf": [_ref("ArticleSummary")],
        "type": "object",
        "properties": {
            "body_html": {"type": "string"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "written_by": _nullable("string"),
            "reviewed_by": _nullable("string"),
            "last_reviewed_on": _nullable("string", format="date"),
        },
        "required": ["body_html", "tags", "written_by", "reviewed_by", "last_reviewed_on"],
    },
    "SearchHit": _object(
        {
            "kind": {"type": "string", "enum": ["thread", "reply", "guide"]},
            "id": {"type": "integer"},
            "thread_id": _nullable("integer"),
            "title": {"type": "string"},
            "thread_title": _nullable("string"),
            "guide_slug": _nullable("string"),
            "author": _nullable("string"),
            "created_at": _TIME,
            "snippet_html": {"type": "string"},
            "url": _URL,
        }
    ),
}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


RESPONSES = {
    "NotModified": {"description": "The ETag sent in If-None-Match still matches."},
    "BadRequest": {
        "description": "A parameter is malformed or out of range.",
        "content": {"application/problem+json": {"schema": _ref("Problem")}},
    },
    "NotFound": {
        "description": "No such thing, or not one a signed-out reader may see.",
        "content": {"application/problem+json": {"schema": _ref("Problem")}},
    },
    "TooManyRequests": {
        "description": "API_LIMIT reached; Retry-After says when to come back.",
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
        "content": {"application/problem+json": {"schema": _ref("Problem")}},
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
        properties["next"] = _NEXT
    return _object(properties)


_STAGE = {"type": "string", "enum": list(Stage)}
_MONTH = {"type": "integer", "minimum": lists.MONTHS_SINCE_MIN, "maximum": lists.MONTHS_SINCE_MAX}
_LIMIT = {"type": "integer", "minimum": 1, "maximum": 100}


def _list_parameters() -> list[dict]:
    month = "Treatment month, or months since finishing with stage=finished."
    return [
        _query("tag", {"type": "string"}, "A topic's slug."),
        _query("stage", _STAGE, "Only stories at this stage."),
        _query("dose", {"type": "string"}, "A daily-dose band's slug."),
        _query("month_min", _MONTH, month),
        _query("month_max", _MONTH, month),
        _query(
            "sort", {"type": "string", "enum": list(lists.SORTS)}, "active (default), new or top."
        ),
        _query("after", {"type": "string"}, "The cursor from the previous page's next link."),
        _query("limit", _LIMIT, "Threads per page (LIST_PAGE_SIZE by default)."),
    ]


def _paths() -> dict:
    thread_detail = _object(
        {
            "thread": _ref("Thread"),
            "opening_post": {"oneOf": [_ref("Post"), {"type": "null"}]},
            "replies": {"type": "array", "items": _ref("Node")},
            "page": {"type": "integer", "minimum": 1},
            "pages": {"type": "integer", "minimum": 1},
            "next": _NEXT,
        }
    )
    search = _object(
        {
            "results": {"type": "array", "items": _ref("SearchHit")},
            "page": {"type": "integer", "minimum": 1},
            "message": _nullable("string"),
            "next": _NEXT,
        }
    )
    return {
        "/api/v1/threads": _get(
            "listThreads",
            "Public threads, newest sort key first, with cursor paging.",
            _list_of("threads", _ref("Thread"), paged=True),
            parameters=_list_parameters(),
        ),
        "/api/v1/threads/{thread_id}": _get(
            "getThread",
            "A thread with a page of its reply tree, placeholders as readers see them.",
            thread_detail,
            parameters=[
                _path("thread_id", _ID),
                _query("page", {"type": "integer", "minimum": 1}, "A page of top-level replies."),
                _query("root", _ID, "Only this reply and the replies below it."),
            ],
            errors=("BadRequest", "NotFound"),
        ),
        "/api/v1/posts/{post_id}": _get(
            "getPost",
            "One post, or its placeholder.",
            _object({"post": _ref("Post")}),
            parameters=[_path("post_id", _ID)],
            errors=("BadRequest", "NotFound"),
        ),
        "/api/v1/tags": _get(
            "listTags", "Every topic with its thread count.", _list_of("tags", _ref("Tag"))
        ),
        "/api/v1/guide": _get(
            "listGuide",
            "The published guide articles, in guide order.",
            _list_of("articles", _ref("ArticleSummary")),
        ),
        "/api/v1/guide/{slug}": _get(
            "getGuideArticle",
            "One published guide article.",
            _object({"article": _ref("Article")}),
            parameters=[_path("slug", {"type": "string", "pattern": "^[a-z0-9-]+$"})],
            errors=("BadRequest", "NotFound"),
        ),
        "/api/v1/search": _get(
            "search",
            "Full-text search over public threads, replies and the guide.",
            search,
            parameters=[
                _query("q", {"type": "string"}, "Words to find."),
                _query("tag", {"type": "string"}, "A topic's slug."),
                _query("stage", _STAGE, "Only stories at this stage."),
                _query("dose", {"type": "string"}, "A daily-dose band's slug."),
                _query("month_min", _MONTH, "As for threads."),
                _query("month_max", _MONTH, "As for threads."),
                _query("page", {"type": "integer", "minimum": 1}, "A page of results."),
            ],
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
                "Read-only. Public endpoints answer what a signed-out reader sees. Every GET "
                "carries an ETag; errors are application/problem+json."
            ),
        },
        "servers": [{"url": base_url}],
        "paths": _paths(),
        "components": {"schemas": SCHEMAS, "responses": RESPONSES},
    }


def document() -> dict:
    """The description, with this site's address as its server."""
    return _document(current_app.config["BASE_URL"].rstrip("/"))
