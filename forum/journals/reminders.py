"""Check-ins after finishing (issue #14): ``remind_due()`` tells each member, once, that a
check-in 1, 3, 6 or 12 months after their course's end date has fallen due.

Idempotent: the check-in row made with the reminder is unique per member and month, so a
second run (or a second runner) reminds nobody again. A plain function, for a periodic
runner; ``flask journals remind`` runs it daily.
"""

from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from forum.extensions import db
from forum.journals.services import add_months
from forum.models import CheckIn, Journal, User, utcnow
from forum.models.journal import CHECKIN_MONTHS
from forum.notifications import notify
from forum.notifications.email import link
from forum.notifications.kinds import Kind


def _message(months: int) -> str:
    after = "a month" if months == 1 else f"{months} months"
    # An absolute address: the same words are mailed to members who chose it.
    return (
        f"It is {after} since you finished treatment: how is your skin now? "
        f"Your check-in is waiting in your journal: {link('journals.checkin', months=months)}"
    )


def remind_due(today: date | None = None) -> int:
    """Remind every member with a journal of each check-in now due and not yet reminded or
    answered; returns how many reminders were made. Never commits."""
    today = today or utcnow().date()
    members = db.session.execute(
        select(User, Journal.id)
        .join(Journal, Journal.user_id == User.id)
        .where(User.course_end.is_not(None), User.course_end < today)
    ).all()
    if not members:
        return 0
    known = {
        (row.user_id, row.months)
        for row in db.session.execute(
            select(CheckIn.user_id, CheckIn.months).where(
                CheckIn.user_id.in_([user.id for user, _ in members])
            )
        )
    }
    made = 0
    now = utcnow()
    for user, _journal_id in members:
        for months in CHECKIN_MONTHS:
            due = add_months(user.course_end, months)
            if due > today or (user.id, months) in known:
                continue
            try:
                with db.session.begin_nested():
                    db.session.add(
                        CheckIn(user_id=user.id, months=months, due_on=due, reminded_at=now)
                    )
            except IntegrityError:
                continue  # another runner reminded them a moment ago
            # Mailed too when the member chose it (email_checkin), through the outbox.
            notify(user, Kind.CHECKIN_DUE, _message(months))
            made += 1
    return made
