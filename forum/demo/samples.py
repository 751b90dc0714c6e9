"""The sample forum ``flask demo load`` builds (issue #11): who the sample members are, what
they wrote, who marked what helpful and what waits in the moderation queue.

Everything here is invented. Every account's name starts with ``sample_`` and its address is
on ``sample.example.org`` (a domain reserved for examples), so a sample is never mistaken
for a real member. The stories are short, kind and deliberately ordinary, across the core
topics, with the experience details that make them comparable. None of them matches a crisis
phrase (a test checks): the samples show the queue with a report and a held post instead.
"""

from dataclasses import dataclass, field

USERNAME_PREFIX = "sample_"
EMAIL_DOMAIN = "sample.example.org"


@dataclass(frozen=True)
class Course:
    """A treatment course relative to the day the samples are loaded."""

    started_days_ago: int
    dose_mg: int | None = None
    finished_days_ago: int | None = None


@dataclass(frozen=True)
class Member:
    name: str  # without the prefix
    role: str = "member"
    course: Course | None = None


@dataclass(frozen=True)
class Reply:
    author: str
    body: str
    replies: tuple["Reply", ...] = ()
    key: str | None = None  # named for helpful marks and the report


@dataclass(frozen=True)
class Story:
    key: str
    author: str
    title: str
    tags: tuple[str, ...]
    body: str
    replies: tuple[Reply, ...] = ()
    # Details typed on the form, for a member with no course in settings.
    stage: str | None = None


@dataclass(frozen=True)
class Report:
    post: str  # a Reply key
    reporter: str
    reason: str
    note: str


@dataclass(frozen=True)
class Samples:
    members: tuple[Member, ...]
    stories: tuple[Story, ...]
    helpful: dict[str, tuple[str, ...]] = field(default_factory=dict)  # post key: who marked
    report: Report | None = None
    # A newcomer's first post with a link: it waits in the queue for a moderator.
    held: Story | None = None


MEMBERS = (
    Member("admin", role="admin"),
    Member("moderator", role="moderator"),
    Member("ana", course=Course(started_days_ago=75, dose_mg=40)),
    Member("ben", course=Course(started_days_ago=45, dose_mg=20)),
    Member("cleo", course=Course(started_days_ago=420, dose_mg=30, finished_days_ago=245)),
    Member("dev", course=Course(started_days_ago=640, dose_mg=40, finished_days_ago=430)),
    Member("eli", course=Course(started_days_ago=20, dose_mg=20)),
    Member("fay", course=Course(started_days_ago=170, dose_mg=60)),
    Member("gus"),
    Member("newcomer"),
)

STORIES = (
    Story(
        key="lips",
        author="ana",
        title="Month 3 and my lips are the hardest part",
        tags=("dryness", "skincare-routine"),
        body=(
            "Everything else is fine so far, but my lips crack by lunchtime however much balm "
            "I use. What finally helped a little:\n\n"
            "- a thick layer of plain ointment at night\n"
            "- a small tube in every coat pocket\n"
            "- a humidifier in the bedroom\n\n"
            "What works for you?"
        ),
        replies=(
            Reply(
                key="lips-ointment",
                author="cleo",
                body=(
                    "Same for me in month 3. Switching from a flavoured balm to a plain "
                    "fragrance-free ointment made the biggest difference. It got easier after "
                    "a few weeks."
                ),
                replies=(
                    Reply(
                        author="ana",
                        body="Good to know it eases. Did you put it on before bed or all day?",
                        replies=(
                            Reply(
                                author="cleo",
                                body=(
                                    "All day, every couple of hours, and a thick layer at "
                                    "night. Annoying, but it worked."
                                ),
                            ),
                        ),
                    ),
                ),
            ),
            Reply(
                author="fay",
                body=(
                    "My eyes were worse than my lips. Preservative-free drops and glasses "
                    "instead of contacts for a while helped."
                ),
            ),
        ),
    ),
    Story(
        key="mood",
        author="ben",
        title="Feeling flat in my second month: did anyone else notice it?",
        tags=("mood",),
        body=(
            "Nothing dramatic, but I have felt tired and a bit flat for two weeks. I told my "
            "dermatologist at my check-up, who asked a few questions and wants to see me again "
            "in a fortnight. Did anyone else notice a change like this, and what helped?"
        ),
        replies=(
            Reply(
                key="mood-tell",
                author="dev",
                body=(
                    "Telling your dermatologist was the right call. For me it helped to tell a "
                    "friend too, so someone else could notice if I changed. Keep them posted."
                ),
                replies=(
                    Reply(
                        author="ben",
                        body="Thanks, I told my sister as well. It feels better to have said it.",
                        replies=(
                            Reply(
                                author="moderator",
                                body=(
                                    "Glad you have people around you, and thank you for "
                                    "sharing this. If it ever gets harder, the help page "
                                    "linked at the bottom of every page lists people to talk to."
                                ),
                            ),
                        ),
                    ),
                ),
            ),
            Reply(
                author="fay",
                body=(
                    "I noticed being more tired in month two. Walking most days and keeping a "
                    "regular bedtime helped me. It is worth writing down how you feel each week "
                    "to show your prescriber."
                ),
            ),
        ),
    ),
    Story(
        key="after",
        author="cleo",
        title="Eight months after finishing: still clear",
        tags=("results-after-finishing",),
        body=(
            "I finished a six-month course last spring. Eight months on my skin is clear apart "
            "from the odd spot before my period. My lips and skin went back to normal within "
            "about a month of stopping. Happy to answer questions."
        ),
        replies=(
            Reply(
                author="eli",
                body="That is so encouraging. Did you keep using anything on your skin afterwards?",
                replies=(
                    Reply(
                        key="after-routine",
                        author="cleo",
                        body=(
                            "A gentle cleanser, a moisturiser and sunscreen every morning. My "
                            "dermatologist suggested adapalene if spots came back, but I "
                            "haven't needed it."
                        ),
                        replies=(
                            Reply(
                                author="eli",
                                body="Thank you, I'm writing that down for when I finish.",
                            ),
                        ),
                    ),
                ),
            ),
        ),
    ),
    Story(
        key="compare",
        author="dev",
        title="Antibiotics, creams, then isotretinoin: how they compared for me",
        tags=("comparisons", "results-after-finishing"),
        body=(
            "Three years of creams, then two rounds of antibiotics, helped for a while each "
            "time and then stopped. Isotretinoin was harder going (dry everything, tired in "
            "month two) but it is the only thing that kept me clear. A year after finishing I "
            "still am."
        ),
        replies=(
            Reply(
                key="compare-fay",
                author="fay",
                body=(
                    "Similar story. The creams were easier to live with, but for deep spots "
                    "nothing else came close."
                ),
            ),
        ),
    ),
    Story(
        key="breakout",
        author="eli",
        title="Week three: is this the initial breakout?",
        tags=("initial-breakout",),
        body=(
            "I'm three weeks in on 20 mg and my chin is worse than before I started. My "
            "dermatologist mentioned this might happen. How long did yours last?"
        ),
        replies=(
            Reply(
                key="breakout-ana",
                author="ana",
                body=(
                    "Mine was weeks three to six, then it calmed down steadily. Hang in there, "
                    "and mention it at your next appointment if it is painful."
                ),
                replies=(
                    Reply(
                        author="eli",
                        body="Three more weeks I can do. Thank you.",
                    ),
                ),
            ),
            Reply(
                author="ben",
                body="I didn't get one at all, so it varies a lot.",
            ),
        ),
    ),
    Story(
        key="moisturiser",
        author="fay",
        title="The moisturiser routine that finally worked for my face",
        tags=("dryness", "skincare-routine"),
        body=(
            "Month six on 60 mg. My face peeled until I changed three things: lukewarm water "
            "only, a fragrance-free cream on damp skin morning and night, and no scrubs at all."
        ),
    ),
    Story(
        key="starting",
        author="gus",
        title="Starting next month: what do you wish you had known?",
        tags=("side-effects", "labs-and-monitoring"),
        stage="considering",
        body=(
            "My dermatologist and I agreed I'll start next month. I've read the guide. What "
            "would you tell yourself before the first capsule?"
        ),
        replies=(
            Reply(
                author="cleo",
                body="Buy lip balm before day one, and keep a little notebook of how you feel.",
            ),
            Reply(
                key="starting-labs",
                author="ben",
                body=(
                    "Honestly the blood tests are box-ticking. I skipped mine after month one "
                    "and it was fine."
                ),
            ),
        ),
    ),
)

HELPFUL = {
    "lips": ("cleo", "fay", "eli"),
    "lips-ointment": ("ana", "fay"),
    "mood": ("dev", "fay"),
    "mood-tell": ("ben", "ana"),
    "after": ("eli", "ana", "dev"),
    "after-routine": ("eli",),
    "compare": ("cleo", "ana"),
    "breakout-ana": ("eli",),
}

REPORT = Report(
    post="starting-labs",
    reporter="cleo",
    reason="misinformation",
    note="Blood tests are part of the monitoring; this could put someone off going.",
)

HELD = Story(
    key="sun",
    author="newcomer",
    title="Is this leaflet right about the sun?",
    tags=("side-effects",),
    body=(
        "Hi all, first post. My pharmacy leaflet says to avoid strong sun, and this page says "
        "the same: https://www.nhs.uk/medicines/isotretinoin-capsules/ "
        "Do you all wear sunscreen every day?"
    ),
)

SAMPLES = Samples(members=MEMBERS, stories=STORIES, helpful=HELPFUL, report=REPORT, held=HELD)
