"""The guide (issue #5): loading the shipped articles, admins' edits in the browser, and the
patients' experiences shown beside the articles.

One module per part (loading, articles, experiences, editing); this module re-exports them,
so ``from forum.guide import services`` reads as one namespace. How loads and edits share an
article's revisions is told in ``loading``.
"""

from forum.guide.services.articles import (
    HIGHLIGHT_COUNT,
    article_choices,
    articles_for_tag,
    get_article,
    highlights,
    list_articles,
    overview_html,
)
from forum.guide.services.editing import (
    BODY_MAX,
    REVIEWER_MAX,
    SUMMARY_MAX,
    TITLE_MAX,
    article_history,
    edit_article,
    edit_values,
)
from forum.guide.services.experiences import (
    CORE_TAG_SLUGS,
    EXPERIENCES_PER_LIST,
    HUB_THREADS_PER_TOPIC,
    Experiences,
    TopicExperiences,
    experiences_for,
    hub_experiences,
    parse_stage,
)
from forum.guide.services.loading import (
    SOURCE_FILE,
    SOURCE_WEB,
    LoadResult,
    load_articles,
    load_shipped_guide,
    rerender_articles,
)

__all__ = [
    "BODY_MAX",
    "CORE_TAG_SLUGS",
    "EXPERIENCES_PER_LIST",
    "Experiences",
    "HIGHLIGHT_COUNT",
    "HUB_THREADS_PER_TOPIC",
    "LoadResult",
    "REVIEWER_MAX",
    "SOURCE_FILE",
    "SOURCE_WEB",
    "SUMMARY_MAX",
    "TITLE_MAX",
    "TopicExperiences",
    "article_choices",
    "article_history",
    "articles_for_tag",
    "edit_article",
    "edit_values",
    "experiences_for",
    "get_article",
    "highlights",
    "hub_experiences",
    "list_articles",
    "load_articles",
    "load_shipped_guide",
    "overview_html",
    "parse_stage",
    "rerender_articles",
]
