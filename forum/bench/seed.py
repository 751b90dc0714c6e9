"""Fill a benchmark database with realistic synthetic data, fast and reproducibly.

Everything comes from one seeded random generator, so the same arguments give the same
database. Rows are written in bulk: COPY on PostgreSQL, executemany on SQLite, with the
search index filled in the same pass (SQLite's FTS5 triggers index each document as it
lands; PostgreSQL computes the tsvector column). Bodies come from a pool rendered once, and
every member shares one password hash. The bulk writer and the user and report rows live in
``forum.bench.tables``.
"""

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta

from forum.bench import journals as journal_seed
from forum.bench import tables
from forum.bench.corpus import RARE_TERM, TITLES, body_pool
from forum.extensions import db
from forum.models import Stage, Tag, utcnow
from forum.search.backend import plain_text
from forum.threads.tree import segment

DEFAULT_SEED = 20261125
BATCH_POSTS = 20_000
BIG_THREAD_MIN = 500
CHAIN_DEPTH = 50
TAG_WEIGHTS = {
    "dryness": 9,
    "side-effects": 7,
    "mood": 5,
    "results-after-finishing": 5,
    "initial-breakout": 4,
    "skincare-routine": 4,
    "dosage": 3,
    "comparisons": 3,
    "labs-and-monitoring": 2,
    "pregnancy-prevention": 1,
}
DOSES = (10, 20, 20, 30, 40, 40, 40, 60, 60, 80)


@dataclass
class SeedReport:
    users: int
    threads: int
    posts: int
    big_threads: list[int]
    small_thread: int
    chain_thread: int
    journals: int = 0
    entries: int = 0


def _thread_sizes(rng: random.Random, threads: int, replies: int) -> list[int]:
    """Replies per thread: a heavy tail with a few threads of 500+ replies."""
    sizes = [0] * threads
    big = max(1, threads // 2000) if replies >= BIG_THREAD_MIN * 2 else 0
    big_sizes = [rng.randint(BIG_THREAD_MIN, BIG_THREAD_MIN * 3) for _ in range(big)]
    while big_sizes and sum(big_sizes) > replies // 2:
        big_sizes.pop()
    positions = rng.sample(range(threads), len(big_sizes) + 1) if threads > 1 else [0]
    for position, size in zip(positions, big_sizes, strict=False):
        sizes[position] = size
    rest = replies - sum(big_sizes)
    small_slot = positions[len(big_sizes)] if len(positions) > len(big_sizes) else None
    if small_slot is not None and rest >= 25:
        sizes[small_slot] = 25  # the benchmark's "25-reply thread"
        rest -= 25
    others = [i for i in range(threads) if sizes[i] == 0 and i != small_slot]
    if others and rest > 0:
        weights = [min(rng.paretovariate(1.2), 200.0) for _ in others]
        total = sum(weights)
        shares = [int(rest * w / total) for w in weights]
        for k in range(rest - sum(shares)):
            shares[k % len(shares)] += 1
        for i, share in zip(others, shares, strict=True):
            sizes[i] = share
    elif rest > 0:
        sizes[0] += rest
    return sizes


def _experience(rng: random.Random) -> dict:
    roll = rng.random()
    if roll < 0.15:
        return {"stage": Stage.CONSIDERING.value}
    if roll < 0.7:
        return {
            "stage": Stage.ON_TREATMENT.value,
            "treatment_month": rng.randint(1, 9),
            "daily_dose_mg": rng.choice(DOSES),
        }
    return {"stage": Stage.FINISHED.value, "months_since": rng.randint(0, 36)}


def seed(
    *,
    threads: int,
    posts: int,
    seed_value: int = DEFAULT_SEED,
    progress: Callable[[int], None] | None = None,
    journals: int = 0,
    entries: int = 0,
) -> SeedReport:
    """Write ``threads`` threads holding ``posts`` posts in all (opening posts included),
    and ``journals`` treatment journals holding ``entries`` entries in all."""
    if posts < threads:
        raise ValueError("--posts counts every post, opening posts included: posts >= threads.")
    rng = random.Random(seed_value)  # noqa: S311 - reproducible synthetic data, not secrets
    now = utcnow().replace(microsecond=0)
    tags = {tag.slug: tag.id for tag in db.session.scalars(db.select(Tag))}
    tag_slugs = [slug for slug in TAG_WEIGHTS if slug in tags] or list(tags)
    tag_weights = [TAG_WEIGHTS.get(slug, 1) for slug in tag_slugs]
    pool = body_pool(rng)
    pool_text = [plain_text(html) for _, html in pool]

    # Journals draw from a generator of their own: the forum's rows do not depend on them.
    journal_rng = random.Random(seed_value + 14)  # noqa: S311 - reproducible synthetic data
    # Enough members for the posts and for every journal (staff keep none).
    user_count = max(50, posts // 40, journals + 4)
    courses = journal_seed.plan_courses(
        journal_rng, list(range(1, user_count + 1)), journals, now.date()
    )
    users = tables.seed_users(
        rng,
        user_count,
        now,
        {user_id: journal_seed.course_columns(c) for user_id, c in courses.items()},
    )
    sizes = _thread_sizes(rng, threads, posts - threads)
    big_threads = [i + 1 for i, size in enumerate(sizes) if size >= BIG_THREAD_MIN]
    small_thread = next((i + 1 for i, size in enumerate(sizes) if size == 25), 1)
    chain_thread = big_threads[0] if big_threads else 1

    post_id = 0
    thread_rows: list[tuple] = []
    tag_rows: list[tuple] = []
    post_rows: list[tuple] = []
    search_rows: list[tuple] = []
    mark_rows: list[tuple] = []

    def flush(force: bool = False) -> None:
        if not force and len(post_rows) < BATCH_POSTS:
            return
        tables.bulk_insert("threads", tables.THREAD_COLUMNS, thread_rows)
        tables.bulk_insert("thread_tags", ("thread_id", "tag_id"), tag_rows)
        tables.bulk_insert("posts", tables.POST_COLUMNS, post_rows)
        tables.bulk_insert("helpful_marks", ("user_id", "post_id", "created_at"), mark_rows)
        tables.bulk_insert("search_documents", tables.SEARCH_COLUMNS, search_rows)
        # A transaction a batch: SQLite's WAL is checkpointed as it goes instead of growing
        # to gigabytes, and PostgreSQL keeps no huge transaction open.
        db.session.commit()
        if progress:
            progress(len(post_rows))
        for rows in (thread_rows, tag_rows, post_rows, search_rows, mark_rows):
            rows.clear()

    for index, size in enumerate(sizes):
        thread_id = index + 1
        created = now - timedelta(seconds=rng.randint(3600, 730 * 86400))
        author = _pick_user(rng, users)
        details = _experience(rng)
        hidden_thread = rng.random() < 0.002
        status = "hidden" if hidden_thread else "visible"
        body_index = rng.randrange(len(pool))
        title = _title(rng, body_index)
        nodes = _reply_tree(rng, size, chain=thread_id == chain_thread)
        op_helpful = min(int(rng.expovariate(0.25)), len(users) - 1)
        post_id += 1
        opening_id = post_id
        post_rows.append(
            (
                opening_id,
                thread_id,
                None,
                author,
                pool[body_index][0],
                pool[body_index][1],
                created,
                status,
                0,
                "",
                0,
                0,  # an opening post's replies are numbered by its thread
                op_helpful,
                details.get("stage"),
                details.get("treatment_month"),
                details.get("months_since"),
                details.get("daily_dose_mg"),
            )
        )
        mark_rows.extend(_marks(rng, users, opening_id, op_helpful, created))
        search_rows.append(
            (
                "thread",
                opening_id,
                thread_id,
                title,
                pool_text[body_index],
                details.get("stage"),
                not hidden_thread,
                created,
            )
        )
        ids = [opening_id]
        moment = created
        for node in nodes[1:]:
            post_id += 1
            ids.append(post_id)
            moment = min(now, moment + timedelta(seconds=rng.randint(30, 6 * 3600)))
            body_index = rng.randrange(len(pool))
            reply_status = "visible"
            roll = rng.random()
            if roll < 0.003:
                reply_status = "hidden"
            elif roll < 0.004:
                reply_status = "pending"
            helpful = int(rng.expovariate(1.5)) if rng.random() < 0.3 else 0
            snapshot = _experience(rng)
            post_rows.append(
                (
                    post_id,
                    thread_id,
                    ids[node.parent],
                    _pick_user(rng, users),
                    pool[body_index][0],
                    pool[body_index][1],
                    moment,
                    reply_status,
                    node.depth,
                    node.path,
                    node.branch,
                    node.children,
                    helpful,
                    snapshot.get("stage"),
                    snapshot.get("treatment_month"),
                    snapshot.get("months_since"),
                    snapshot.get("daily_dose_mg"),
                )
            )
            mark_rows.extend(_marks(rng, users, post_id, helpful, moment))
            search_rows.append(
                (
                    "reply",
                    post_id,
                    thread_id,
                    "",
                    pool_text[body_index],
                    snapshot.get("stage"),
                    reply_status == "visible" and not hidden_thread,
                    moment,
                )
            )
        thread_rows.append(
            (
                thread_id,
                title,
                author,
                created,
                moment,
                size,
                nodes[0].children,
                op_helpful,
                status,
                False,
                False,
                details.get("stage"),
                details.get("treatment_month"),
                details.get("months_since"),
                details.get("daily_dose_mg"),
            )
        )
        chosen = set(rng.choices(tag_slugs, weights=tag_weights, k=rng.randint(1, 3)))
        tag_rows.extend((thread_id, tags[slug]) for slug in sorted(chosen))
        flush()
    flush(force=True)
    tables.seed_reports(rng, users, post_id, now)
    written = journal_seed.seed_journals(journal_rng, courses, entries, now)
    tables.reset_sequences()
    return SeedReport(
        len(users),
        threads,
        post_id,
        big_threads,
        small_thread,
        chain_thread,
        len(courses),
        written,
    )


@dataclass
class _Node:
    parent: int  # index of the parent node in the thread's list (0 is the opening post)
    depth: int
    path: str
    branch: int
    children: int = 0


def _reply_tree(rng: random.Random, size: int, *, chain: bool) -> list[_Node]:
    """The shape of one thread: nodes in creation order, each with its tree columns."""
    nodes = [_Node(parent=-1, depth=0, path="", branch=0)]
    for k in range(size):
        if chain and k < CHAIN_DEPTH:
            parent_index = len(nodes) - 1  # a chain of replies 50 deep
        elif len(nodes) == 1 or rng.random() < 0.4:
            parent_index = 0
        elif rng.random() < 0.7:
            parent_index = rng.randrange(max(1, len(nodes) - 15), len(nodes))
        else:
            parent_index = rng.randrange(1, len(nodes))
        parent = nodes[parent_index]
        parent.children += 1
        ordinal = parent.children
        nodes.append(
            _Node(
                parent=parent_index,
                depth=parent.depth + 1,
                path=parent.path + segment(ordinal),
                branch=ordinal if parent.depth == 0 else parent.branch,
            )
        )
    return nodes


def _pick_user(rng: random.Random, users: list[int]) -> int:
    # A few members write much of the forum, as in real communities.
    return users[int(len(users) * rng.random() ** 2.5)]


def _marks(rng, users, post_id, count, moment) -> Iterable[tuple]:
    if not count:
        return ()
    return ((user, post_id, moment) for user in rng.sample(users, min(count, len(users))))


def _title(rng: random.Random, body_index: int) -> str:
    title = rng.choice(TITLES)
    if rng.random() < 0.001:
        title += f" and {RARE_TERM}"  # a word in about one thread in a thousand
    return title
