"""Loading the sample forum (issue #11) through the services that production uses, so the
samples are built exactly as members' own posts are: accounts by ``create_account``,
threads and replies by the thread services (screened, held, indexed, counted), helpful
marks by ``toggle_helpful``, the report by ``report_post``, approvals by ``act_on_item``.

Only for a development database that has no real members. Plain functions: they add and
flush, and never commit.
"""

import secrets
import string
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import and_, func, not_, select

from forum.auth.services import create_account, set_password
from forum.demo.samples import EMAIL_DOMAIN, SAMPLES, USERNAME_PREFIX, Course, Reply, Samples, Story
from forum.errors import ForumError
from forum.extensions import db
from forum.models import ItemStatus, Post, ReviewItem, User, utcnow
from forum.moderation import services as moderation
from forum.threads import services as threads
from forum.users.services import update_course

# The accounts whose passwords the command prints: one of each role.
SHOWN_ACCOUNTS = ("admin", "moderator", "ana")
APPROVAL_REASON = "Sample data: a first post, approved when the samples were loaded."


def is_sample_member():
    """The SQL condition that picks sample accounts (name and address both say so)."""
    return and_(
        User.username.startswith(USERNAME_PREFIX, autoescape=True),
        User.email.endswith(f"@{EMAIL_DOMAIN}", autoescape=True),
    )


def username(name: str) -> str:
    return f"{USERNAME_PREFIX}{name}"


PASSWORD_ALPHABET = string.ascii_letters + string.digits


def new_password() -> str:
    """A random password that passes every strength rule and copies cleanly."""
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(20))


@dataclass
class Account:
    username: str
    role: str
    password: str


@dataclass
class LoadResult:
    accounts: list[Account] = field(default_factory=list)
    members: int = 0
    threads: int = 0
    replies: int = 0
    helpful: int = 0
    reports: int = 0
    held: int = 0

    @property
    def summary(self) -> str:
        return (
            f"Sample data loaded: {self.members} members, {self.threads} threads, "
            f"{self.replies} replies, {self.helpful} helpful marks; in the moderation queue, "
            f"{self.reports} reported post{'s' if self.reports != 1 else ''} and "
            f"{self.held} held post{'s' if self.held != 1 else ''}."
        )


def check_can_load() -> bool:
    """Whether the samples are already loaded (True) or may be loaded now (False).

    Raises ForumError outside the development configuration, and when the database has any
    account that is not a sample: the samples are for a newcomer's empty database only.
    """
    if current_app.config.get("ENV_NAME") != "development":
        raise ForumError(
            "The sample data is for development only (FORUM_CONFIG=development); "
            "nothing was loaded."
        )
    real = db.session.scalar(select(func.count(User.id)).where(not_(is_sample_member())))
    if real:
        raise ForumError(
            f"This database already has {real} real member{'s' if real != 1 else ''}, so the "
            "sample data was not loaded: it is only for a new, empty development database."
        )
    return bool(db.session.scalar(select(func.count(User.id)).where(is_sample_member())))


def _set_course(user: User, course: Course | None, today: date) -> None:
    if course is None:
        return
    end = today - timedelta(days=course.finished_days_ago) if course.finished_days_ago else None
    update_course(
        user,
        start=today - timedelta(days=course.started_days_ago),
        dose_mg=course.dose_mg,
        end=end,
    )


class _Loader:
    def __init__(self, samples: Samples):
        self.samples = samples
        self.users: dict[str, User] = {}
        self.posts: dict[str, Post] = {}
        self.result = LoadResult()

    def members(self) -> None:
        today = utcnow().date()
        for member in self.samples.members:
            password = new_password()
            name = username(member.name)
            user = create_account(
                name, f"{name}@{EMAIL_DOMAIN}", password, role=member.role, verified=True
            )
            _set_course(user, member.course, today)
            db.session.flush()
            self.users[member.name] = user
            if member.name in SHOWN_ACCOUNTS:
                self.result.accounts.append(Account(user.username, user.role, password))
        self.result.members = len(self.samples.members)

    def _approve_first_post(self, post: Post, screening) -> None:
        """A new member's first post waits for a moderator (NEW_MEMBER_HELD_POSTS): the
        sample moderator approves it, as one would."""
        if not screening.held:
            return
        item = db.session.scalar(
            select(ReviewItem).where(
                ReviewItem.post_id == post.id, ReviewItem.status == ItemStatus.PENDING
            )
        )
        moderation.act_on_item(item, self.users["moderator"], "approve", APPROVAL_REASON)

    def _replies(self, thread, parent: Post, replies: tuple[Reply, ...]) -> None:
        for reply in replies:
            post, _ = threads.reply(
                thread, self.users[reply.author], body=reply.body, parent_id=parent.id
            )
            self._approve_first_post(post, post.screening)
            self.result.replies += 1
            if reply.key:
                self.posts[reply.key] = post
            self._replies(thread, post, reply.replies)

    def _thread(self, story: Story):
        details = threads.explicit_experience(stage=story.stage) if story.stage else None
        thread, _ = threads.create_thread(
            self.users[story.author],
            title=story.title,
            body=story.body,
            tag_slugs=list(story.tags),
            details=details,
        )
        return thread, threads.opening_post(thread), thread.screening

    def stories(self) -> None:
        for story in self.samples.stories:
            thread, opening, screening = self._thread(story)
            self._approve_first_post(opening, screening)
            self.posts[story.key] = opening
            self.result.threads += 1
            self._replies(thread, opening, story.replies)

    def helpful(self) -> None:
        for key, names in self.samples.helpful.items():
            for name in names:
                threads.toggle_helpful(self.posts[key], self.users[name])
                self.result.helpful += 1

    def queue(self) -> None:
        report = self.samples.report
        if report is not None:
            moderation.report_post(
                self.posts[report.post], self.users[report.reporter], report.reason, report.note
            )
            self.result.reports += 1
        if self.samples.held is not None:
            _thread, _opening, screening = self._thread(self.samples.held)
            self.result.held += int(bool(screening.held))


def load_samples(samples: Samples = SAMPLES) -> LoadResult:
    """Create the sample members, threads, replies, helpful marks, a report and a held post.

    The caller checks ``check_can_load`` first. Raises what the services raise (a rate
    limit, for instance); the caller rolls back, and nothing is left half-loaded.
    """
    loader = _Loader(samples)
    loader.members()
    loader.stories()
    loader.helpful()
    loader.queue()
    db.session.flush()
    return loader.result


def new_passwords() -> list[Account]:
    """Give the shown sample accounts new passwords (when the printed ones are lost)."""
    accounts = []
    for name in SHOWN_ACCOUNTS:
        user = db.session.scalar(select(User).where(User.username == username(name)))
        if user is None:
            continue
        password = new_password()
        set_password(user, password)
        accounts.append(Account(user.username, user.role, password))
    return accounts
