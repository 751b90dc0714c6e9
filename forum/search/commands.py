import click

search_group = click.Group("search", help="Maintain the search index.")
