"""Reading the search index back in tests."""

from forum.extensions import db


def searchable(post) -> bool:
    """Whether the search index would show ``post`` to readers."""
    return bool(
        db.session.execute(
            db.text(
                "SELECT visible AND NOT members_only FROM search_documents"
                " WHERE kind IN ('thread', 'reply') AND ref_id = :id"
            ),
            {"id": post.id},
        ).scalar()
    )
