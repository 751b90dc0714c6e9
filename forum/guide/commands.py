import click

guide_group = click.Group("guide", help="Load and maintain the guide.")


def load_guide() -> str:
    """Load the shipped guide articles (issue #5)."""
    return ""
