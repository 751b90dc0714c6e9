import click

tags_group = click.Group("tags", help="Manage the topic tags.")


def load_tags() -> str:
    """Load the shipped tag set (issue #3)."""
    return ""
