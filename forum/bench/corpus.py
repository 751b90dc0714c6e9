"""Synthetic but realistic text for the benchmark database.

Bodies are assembled from sentences members of a forum like this one write, so common
words ("dry", "lips") are common and rarer ones are rare, as search costs depend on it.
"""

import random

from forum.markup import render_user_text

POOL_SIZE = 400
# Search terms of three frequencies: in most bodies, in a few percent, in a few titles.
COMMON_TERM = "dry"
MEDIUM_TERM = "optician"
RARE_TERM = "tinnitus"

TITLES = [
    "Month 2 and my lips are falling apart",
    "Initial breakout: how long did yours last?",
    "Finished my course six months ago, here is where I am",
    "Low dose vs standard dose, anyone compared?",
    "Dry eyes with contact lenses",
    "Mood has been flat this month",
    "Blood test results came back with high triglycerides",
    "Best moisturiser for peeling skin",
    "Nosebleeds every morning",
    "Tretinoin before and after isotretinoin",
    "Back pain after exercise on treatment",
    "Second course after relapse",
    "What I wish I knew before starting",
    "Sun sensitivity on holiday",
    "Pregnancy tests every month: how do you cope?",
    "Spironolactone or isotretinoin?",
    "Red marks fading after finishing",
    "Hair thinning, is it the medication?",
    "Week one: nothing yet",
    "Cumulative dose question",
]

SENTENCES = [
    "My lips have been so dry that I keep a balm in every pocket.",
    "The dryness started in week two and peaked around month three.",
    "Skin on my hands is dry and cracking, a thick ointment at night helps.",
    "I use a gentle cleanser and a plain moisturiser, nothing with fragrance.",
    "The initial breakout lasted about five weeks for me.",
    "My dermatologist raised my dose to 40 mg after the first month.",
    "Blood tests were fine apart from slightly raised cholesterol.",
    "I noticed my mood dipping, so I told my prescriber straight away.",
    "Talking to my GP about how I felt made a real difference.",
    "Nosebleeds happened a few times, a little petroleum jelly inside the nose stopped them.",
    "Eye drops without preservatives saved me with contact lenses.",
    "I finished eight months ago and my skin is still clear.",
    "A few small spots came back, nothing like before.",
    "Sunscreen every single day, even when it is cloudy.",
    "My back ached after running, so I took it easier for a while.",
    "Compared with years of antibiotics, this actually worked.",
    "Tretinoin helped with blackheads but never touched the cysts.",
    "The pregnancy prevention rules felt like a lot, but they exist for good reasons.",
    "I take it with a fatty meal because it absorbs better that way.",
    "Low dose was easier on my skin and still cleared it slowly.",
    "The red marks took another six months to fade after finishing.",
    "My scalp got flaky and my hair felt thinner for a while.",
    "Drinking more water did not fix the dryness, but it did not hurt.",
    "I kept a diary of side effects to show at each appointment.",
    "If you are struggling, please talk to someone, it helped me.",
    "Month four was the turning point for my skin.",
    "Make-up sat badly on the dry patches until I changed primer.",
    "The monthly appointments were quick once I got used to them.",
    "Chapped corners of the mouth were the worst part for me.",
    "My skin feels different now, less oily than it has ever been.",
]

# Each body takes one of these now and then, so their words are of medium frequency.
OCCASIONAL = [
    "My optician suggested warm compresses for my eyes.",
    "A pharmacist recommended a thicker barrier cream for my hands.",
    "I had a cold sore flare and needed antiviral cream.",
    "My orthodontist noticed how dry my mouth had become.",
]

LINKS = [
    "The NHS page was useful: https://www.nhs.uk/medicines/isotretinoin-capsules/",
    "This [guide on dryness](/guide/managing-dryness) has a good routine.",
]


def _body(rng: random.Random) -> str:
    paragraphs = []
    for _ in range(rng.randint(1, 4)):
        paragraphs.append(" ".join(rng.sample(SENTENCES, rng.randint(2, 5))))
    if rng.random() < 0.08:
        paragraphs.append(rng.choice(OCCASIONAL))
    if rng.random() < 0.2:
        paragraphs.append("\n".join(f"- {s}" for s in rng.sample(SENTENCES, 3)))
    if rng.random() < 0.1:
        paragraphs.append(rng.choice(LINKS))
    if rng.random() < 0.15:
        paragraphs[0] = "**Update:** " + paragraphs[0]
    return "\n\n".join(paragraphs)


def body_pool(rng: random.Random, size: int = POOL_SIZE) -> list[tuple[str, str]]:
    """``size`` (Markdown, HTML) pairs, rendered once through the real pipeline."""
    pool = []
    for _ in range(size):
        source = _body(rng)
        pool.append((source, render_user_text(source)))
    return pool
