"""The schemas of what the API answers, beside the serializers they describe (issue #18)."""

from forum.journals.services import side_effect_slugs
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


STATES = ("pending", "auto_hidden", "hidden", "removed")
DATE_SCHEMA = nullable("string", format="date")
SIDE_EFFECT_LEVEL = {"type": "integer", "minimum": 0, "maximum": 3}


def _side_effects() -> dict:
    return obj({slug: SIDE_EFFECT_LEVEL for slug in side_effect_slugs()})


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
            "visibility": {
                "type": "string",
                "enum": ["everyone", "members"],
                "description": "members: listed and readable only with a token.",
            },
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
                "state": {
                    **nullable("string", enum=[*STATES, None]),
                    "description": "null for a post every reader sees; else why they don't.",
                },
                "notice": {
                    **nullable("string"),
                    "description": "What the page tells the author of a post readers don't see.",
                },
            }
        ),
        "description": (
            "A post as its reader sees it. A deleted, hidden or removed post keeps its place "
            "with a placeholder instead of its text and author; held posts are left out. "
            "With a token, the member's own held or hidden posts are shown to them with "
            "their state and notice, as their pages show them; never anyone else's."
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
    "Teaser": {
        **obj(
            {
                "id": ID_SCHEMA,
                "title": {"type": "string"},
                "url": URL_SCHEMA,
                "tags": {"type": "array", "items": {"type": "string"}},
                "excerpt": {"type": "string", "maxLength": 200},
                "truncated": {"type": "boolean"},
                "visibility": {"type": "string", "enum": ["members"]},
            }
        ),
        "description": (
            "What a signed-out reader gets of a members-only thread: its title, tags and "
            "first lines, no author, no replies. Send a token to read it in full."
        ),
    },
    "Bookmark": obj(
        {
            "id": ID_SCHEMA,
            "saved_at": TIME_SCHEMA,
            "kind": {"type": "string", "enum": ["thread", "reply"]},
            "post_id": ID_SCHEMA,
            "thread_id": nullable("integer"),
            "title": {**nullable("string"), "description": "null once the post has gone."},
            "author": nullable("string"),
            "url": nullable("string", format="uri"),
            "placeholder": nullable("string"),
        }
    ),
    "Journal": obj(
        {
            "visibility": {"type": "string", "enum": ["private", "members", "everyone"]},
            "contribute": {"type": "boolean"},
            "url": URL_SCHEMA,
        }
    ),
    "Course": obj(
        {
            "start": DATE_SCHEMA,
            "end": DATE_SCHEMA,
            "days": {"type": "integer", "minimum": 0},
            "cumulative_mg": {"type": "integer", "minimum": 0},
            "weight_kg": nullable("number"),
            "mg_per_kg": nullable("number"),
            "dose_periods": {
                "type": "array",
                "items": obj(
                    {
                        "starts_on": {"type": "string", "format": "date"},
                        "dose_mg": {"type": "integer"},
                    }
                ),
            },
        }
    ),
    "JournalEntry": obj(
        {
            "date": {"type": "string", "format": "date"},
            "skin": {"type": "integer", "minimum": 1, "maximum": 5},
            "mood": {"type": "integer", "minimum": 1, "maximum": 5},
            "side_effects": _side_effects(),
            "note_html": {"type": "string"},
            "private": {"type": "boolean"},
            "updated_at": TIME_SCHEMA,
        }
    ),
    "InsightSeries": obj(
        {
            "measure": {"type": "string"},
            "label": {"type": "string"},
            "axis": {
                "type": "string",
                "enum": ["month", "after"],
                "description": "month: month of treatment; after: months after finishing.",
            },
            "kind": {
                "type": "string",
                "enum": ["share", "median"],
                "description": "share: a fraction of the cell's members (0–1); median: 1–5.",
            },
            "cells": {
                "type": "array",
                "items": obj(
                    {
                        "bucket": {"type": "integer", "minimum": 1},
                        "value": {
                            **nullable("number"),
                            "description": "null: fewer than min_members members, suppressed.",
                        },
                        "n": {**nullable("integer", minimum=1), "description": "Members counted."},
                    }
                ),
            },
        }
    ),
}
