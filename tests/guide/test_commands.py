"""``flask --app forum guide ...`` and the guide's part of ``flask setup`` (issue #5)."""

from sqlalchemy import func, select

from forum.extensions import db
from forum.guide.content import load_article_files
from forum.models import GuideArticle, GuideRevision

SHIPPED = len(load_article_files())


def run(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    db.session.expire_all()
    return result


def count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def test_guide_load_is_idempotent(app):
    assert run(app, "tags", "load").exit_code == 0
    first = run(app, "guide", "load")
    assert first.exit_code == 0, first.output
    assert f"Guide: {SHIPPED} added, 0 updated, 0 unchanged." in first.output
    second = run(app, "guide", "load")
    assert second.exit_code == 0, second.output
    assert f"Guide: 0 added, 0 updated, {SHIPPED} unchanged." in second.output
    assert count(GuideArticle) == count(GuideRevision) == SHIPPED


def test_guide_load_without_tags_fails_clearly_and_changes_nothing(app):
    result = run(app, "guide", "load")
    assert result.exit_code == 1
    assert "unknown tag" in result.output and "flask --app forum tags load" in result.output
    assert "Traceback" not in result.output
    assert count(GuideArticle) == 0


def test_setup_loads_the_tags_then_the_guide(app):
    for expected in (f"Guide: {SHIPPED} added", f"Guide: 0 added, 0 updated, {SHIPPED} unchanged"):
        result = run(app, "setup")
        assert result.exit_code == 0, result.output
        assert expected in result.output
    assert count(GuideArticle) == SHIPPED


def test_guide_rerender(app):
    run(app, "tags", "load")
    run(app, "guide", "load")
    article = db.session.scalar(select(GuideArticle).order_by(GuideArticle.id))
    article.body_html = "<p>stale</p>"
    db.session.commit()
    result = run(app, "guide", "rerender")
    assert result.exit_code == 0 and "1 article changed" in result.output
    assert "<h2>" in db.session.get(GuideArticle, article.id).body_html
