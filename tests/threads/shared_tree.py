"""The people and the thread the shared-tree tests read (tests/threads/test_fragments.py,
tests/threads/test_member_page.py): four members who wrote in it, and a moderator."""

from datetime import timedelta

from forum.extensions import db
from forum.models import Role, utcnow
from forum.threads import services
from tests.factories import make_post, make_thread, make_user


def make_people() -> dict:
    old = utcnow() - timedelta(days=100)
    people = {name: make_user(name, created_at=old) for name in ("starter", "alice", "bea", "cal")}
    people["mod"] = make_user("mod", role=Role.MODERATOR)
    db.session.commit()
    return people


def make_shared_thread(people: dict, title: str):
    thread = make_thread(people["starter"], title=title, body="The story.")
    first = make_post(thread, people["alice"], body="Alice writes first.")
    make_post(thread, people["bea"], parent=first, body="Bea answers Alice.")
    make_post(thread, people["cal"], body="Cal replies here.")
    services.toggle_helpful(first, people["bea"])
    db.session.commit()
    return thread
