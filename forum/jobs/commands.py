"""``flask --app forum jobs run``: every periodic task that is due (issue #12)."""

import time

import click
from flask.cli import with_appcontext

from forum.jobs.services import TASKS, run_due

jobs_group = click.Group("jobs", help="Periodic work: run from cron or a systemd timer.")


@jobs_group.command("run")
@click.option("--task", "only", multiple=True, help="Run only this task (repeatable).")
@click.option("--force", is_flag=True, help="Run even if not due (never while another runs).")
@click.option(
    "--loop",
    type=click.IntRange(0, 3600),
    default=0,
    help="Run again every N seconds until stopped (development: `make run`).",
)
@with_appcontext
def run_command(only, force, loop):
    """Run every task that is due, each under a lease: safe often and from several hosts.

    Exits with status 1 when a task failed (it is due again at the next run).
    """
    unknown = sorted(set(only) - set(TASKS))
    if unknown:
        raise click.BadParameter(f"unknown task {', '.join(unknown)}; tasks: {', '.join(TASKS)}")
    while True:
        report = run_due(only=list(only) or None, force=force)
        for name, summary in report.ran.items():
            click.echo(f"{name}: {summary}.")
        for name, error in report.failed.items():
            click.echo(f"{name} failed: {error}", err=True)
        if not loop:
            break
        time.sleep(loop)
    if report.failed:
        raise click.exceptions.Exit(1)
