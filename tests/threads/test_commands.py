from sqlalchemy import update

from forum.extensions import db
from forum.models import Post
from forum.threads import services
from tests.factories import make_post, make_thread


def test_posts_rerender_renders_every_post_again_in_batches(app):
    thread = make_thread(body="**bold** opening")
    replies = [make_post(thread, body=f"reply *{n}*") for n in range(4)]
    db.session.commit()
    # As if stored under an older, looser policy.
    db.session.execute(update(Post).values(body_html="<script>old</script>"))
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["posts", "rerender", "--batch-size", "2"])

    assert result.exit_code == 0, result.output
    assert "Re-rendered 5 posts; 5 changed." in result.output
    db.session.expire_all()
    assert services.opening_post(thread).body_html == "<p><strong>bold</strong> opening</p>"
    assert [db.session.get(Post, r.id).body_html for r in replies] == [
        f"<p>reply <em>{n}</em></p>" for n in range(4)
    ]

    again = app.test_cli_runner().invoke(args=["posts", "rerender"])
    assert "Re-rendered 5 posts; 0 changed." in again.output
