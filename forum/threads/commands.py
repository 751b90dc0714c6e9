import click

posts_group = click.Group("posts", help="Maintain posts.")
