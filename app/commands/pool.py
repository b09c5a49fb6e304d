"""``flask pool load-codes [PATH]``: the expertise code list (기술분류) of the reviewer pool."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from app.extensions import db
from app.review import expertise

pool_cli = AppGroup("pool", help="The reviewer pool (평가위원 후보단).")


@pool_cli.command("load-codes")
@click.argument("path", required=False, type=click.Path(dir_okay=False))
def load_codes(path: str | None) -> None:
    """Load or update the code list from PATH (default: the EXPERTISE_CODES_FILE setting)."""
    try:
        result = expertise.load(path)
        db.session.commit()
    except expertise.CodeListError as error:
        db.session.rollback()
        raise click.ClickException(str(error.message))
    click.echo(f"Expertise codes from {path or expertise.default_path()}: "
               f"{result.created} added, {result.updated} updated, {result.unchanged} unchanged.")
