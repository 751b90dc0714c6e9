"""Who reads which treatment journal and entry (issue #14), beside the SQL that says the same.

- ``can_see_journal`` / ``journals_visible_to``: a journal is its owner's alone when private
  (the default: not even staff read it), readable by signed-in members when ``members``,
  and by anyone when ``everyone``;
- ``can_see_journal_entry`` / ``journal_entries_visible_to``: an entry the member marked
  private stays theirs alone inside a shared journal.
"""

from sqlalchemy import and_, or_

from forum.models import Journal, JournalEntry, JournalVisibility
from forum.visibility import Viewer, ViewerLike


def _owns(viewer: Viewer, user_id: int) -> bool:
    return viewer.id is not None and viewer.id == user_id


def can_see_journal(journal: Journal | None, viewer: ViewerLike, *, user_id: int) -> bool:
    """Whether ``viewer`` may read the journal of member ``user_id`` (no row: private)."""
    viewer = Viewer.of(viewer)
    if _owns(viewer, user_id):
        return True
    if journal is None or journal.visibility == JournalVisibility.PRIVATE:
        return False
    return journal.visibility == JournalVisibility.EVERYONE or viewer.is_signed_in


def journals_visible_to(viewer: ViewerLike):
    """SQL beside ``can_see_journal`` (on ``Journal``)."""
    viewer = Viewer.of(viewer)
    shared = [JournalVisibility.EVERYONE]
    if viewer.is_signed_in:
        shared.append(JournalVisibility.MEMBERS)
    clause = Journal.visibility.in_([str(v) for v in shared])
    return or_(Journal.user_id == viewer.id, clause) if viewer.is_signed_in else clause


def can_see_journal_entry(entry: JournalEntry, journal: Journal | None, viewer: ViewerLike) -> bool:
    """Whether ``viewer`` may read ``entry`` (``journal`` is its member's journal row)."""
    viewer = Viewer.of(viewer)
    if _owns(viewer, entry.user_id):
        return True
    return not entry.is_private and can_see_journal(journal, viewer, user_id=entry.user_id)


def journal_entries_visible_to(viewer: ViewerLike):
    """SQL beside ``can_see_journal_entry`` (``Journal`` joined on the entry's member)."""
    viewer = Viewer.of(viewer)
    shared = and_(~JournalEntry.is_private, journals_visible_to(viewer))
    if not viewer.is_signed_in:
        return shared
    return or_(JournalEntry.user_id == viewer.id, shared)
