"""The schemas of what the API answers, beside the serializers they describe (issue #18)."""

from forum.models import Stage
from forum.validation import ID_MAX


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(kind: str, **extra) -> dict:
    return {"type": [kind, "null"], **extra}


TIME_SCHEMA = nullable("string", format="date-time")
URL_SCHEMA = {"type": "string", "format": "uri"}
ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": ID_MAX}
NEXT_SCHEMA = {**nullable("string", format="uri"), "description": "The next page, or null."}


def obj(properties: dict, *, optional: tuple = ()) -> dict:
    return {
        "type": "object",
        "properties": properties,
        "required": [name for name in properties if name not in optional],
    }


SCHEMAS = {
    "Problem": {
        **obj(
            {
                "type": {"type": "string"},
                "title": {"type": "string"},
                "status": {"type": "integer", "minimum": 400, "maximum": 599},
                "detail": {"type": "string"},
            }
        ),
        "description": "An error as RFC 9457 problem details.",
    },
    "Experience": obj(
        {
            "stage": nullable("string", enum=[*Stage, None]),
            "treatment_month": nullable("integer"),
            "months_since": nullable("integer"),
            "daily_dose_mg": nullable("integer"),
        }
    ),
    "Thread": obj(
        {
            "id": ID_SCHEMA,
            "title": {"type": "string"},
            "url": URL_SCHEMA,
            "author": {
                **nullable("string"),
                "description": "null once the opening post was deleted.",
            },
            "created_at": TIME_SCHEMA,
            "last_activity_at": TIME_SCHEMA,
            "reply_count": {"type": "integer", "minimum": 0},
            "helpful_count": {"type": "integer", "minimum": 0},
            "locked": {"type": "boolean"},
            "pinned": {"type": "boolean"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "experience": ref("Experience"),
            "excerpt": {"type": "string", "description": "In lists only."},
        },
        optional=("excerpt",),
    ),
    "Post": {
        **obj(
            {
                "id": ID_SCHEMA,
                "thread_id": ID_SCHEMA,
                "parent_id": nullable("integer"),
                "depth": {"type": "integer", "minimum": 0},
                "url": URL_SCHEMA,
                "author": nullable("string"),
                "created_at": TIME_SCHEMA,
                "edited_at": TIME_SCHEMA,
                "body_html": nullable("string"),
                "placeholder": nullable("string"),
                "helpful_count": {"type": "integer", "minimum": 0},
                "label": nullable("string"),
                "experience": ref("Experience"),
            }
        ),
        "description": (
            "A post as a signed-out reader sees it. A deleted, hidden or removed post keeps "
            "its place with a placeholder instead of its text and author; held posts are "
            "left out."
        ),
    },
    "Node": {
        "allOf": [ref("Post")],
        "type": "object",
        "properties": {
            "more_replies": {
                "type": "boolean",
                "description": "Replies lie deeper: ask again with root set to this post's id.",
            },
            "replies": {"type": "array", "items": ref("Node")},
        },
        "required": ["more_replies", "replies"],
    },
    "Tag": obj(
        {
            "slug": {"type": "string"},
            "name": {"type": "string"},
            "description": {"type": "string"},
            "thread_count": {"type": "integer", "minimum": 0},
            "url": URL_SCHEMA,
        }
    ),
    "ArticleSummary": obj(
        {
            "slug": {"type": "string"},
            "title": {"type": "string"},
            "summary": {"type": "string"},
            "url": URL_SCHEMA,
            "updated_at": TIME_SCHEMA,
        }
    ),
    "Article": {
        "allOf": [ref("ArticleSummary")],
        "type": "object",
        "properties": {
            "body_html": {"type": "string"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "written_by": nullable("string"),
            "reviewed_by": nullable("string"),
            "last_reviewed_on": nullable("string", format="date"),
        },
        "required": ["body_html", "tags", "written_by", "reviewed_by", "last_reviewed_on"],
    },
    "Me": obj(
        {
            "username": {"type": "string"},
            "role": {"type": "string", "enum": ["member", "moderator", "admin"]},
            "status": {"type": "string"},
            "created_at": TIME_SCHEMA,
            "url": URL_SCHEMA,
            "token": obj({"name": {"type": "string"}, "expires_at": TIME_SCHEMA}),
        }
    ),
    "Notification": obj(
        {
            "id": ID_SCHEMA,
            "kind": {"type": "string"},
            "message": {"type": "string"},
            "post_id": nullable("integer"),
            "thread_id": nullable("integer"),
            "url": nullable("string", format="uri"),
            "created_at": TIME_SCHEMA,
            "read_at": TIME_SCHEMA,
        }
    ),
    "SearchHit": obj(
        {
            "kind": {"type": "string", "enum": ["thread", "reply", "guide"]},
            "id": {"type": "integer"},
            "thread_id": nullable("integer"),
            "title": {"type": "string"},
            "thread_title": nullable("string"),
            "guide_slug": nullable("string"),
            "author": nullable("string"),
            "created_at": TIME_SCHEMA,
            "snippet_html": {"type": "string"},
            "url": URL_SCHEMA,
        }
    ),
}
