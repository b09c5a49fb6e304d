"""``flask market create-alliance NAME`` and ``flask market create-group ALLIANCE NAME``: admins set
up alliances and their research groups (연구회); the rest happens on the pages."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from app.core.errors import MarketError
from app.extensions import db
from app.market import groups

market_cli = AppGroup("market", help="Alliances and research groups (수요·공급).")


def _commit(do):
    try:
        made = do()
        db.session.commit()
    except MarketError as error:
        db.session.rollback()
        raise click.ClickException(str(error.message))
    return made


@market_cli.command("create-alliance")
@click.argument("name")
@click.option("--region", default="", help="e.g. 경남")
@click.option("--description", default="")
def create_alliance(name: str, region: str, description: str) -> None:
    """Create an alliance (recorded in the audit log without an actor: the operator ran it)."""
    alliance = _commit(lambda: groups.create_alliance(None, name, region, description))
    click.echo(f"Alliance {alliance.id}: {alliance.name}")


@market_cli.command("create-group")
@click.argument("alliance")
@click.argument("name")
@click.option("--industry", default="")
@click.option("--coordinator", default="", help="the coordinator's e-mail (an existing account)")
def create_group(alliance: str, name: str, industry: str, coordinator: str) -> None:
    """Create a research group in the alliance named ALLIANCE, run by --coordinator."""
    def do():
        found = groups.alliance_by_name(alliance)
        if found is None:
            raise MarketError(f"No alliance named {alliance!r}.")
        user = groups.user_by_email(coordinator) if coordinator else None
        if coordinator and user is None:
            raise MarketError(f"No account {coordinator!r}.")
        return groups.create_group(None, found, name, industry, user)

    group = _commit(do)
    click.echo(f"Research group {group.id}: {group.name}")
