import click

users_group = click.Group("users", help="Manage member accounts.")
