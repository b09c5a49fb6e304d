"""``flask audit verify``: walk the hash chain of the audit log."""
from __future__ import annotations

import click
from flask.cli import AppGroup

audit_cli = AppGroup("audit", help="The append-only audit log.")


@audit_cli.command("verify")
def verify_command() -> None:
    """Exit 1 and name the first entry whose link is broken."""
    from app.extensions import db
    from app.models import AuditEntry
    from app import audit

    broken = audit.verify()
    total = db.session.query(AuditEntry).count()
    if broken is None:
        click.echo(f"audit log intact: {total} entries")
        return
    click.echo(f"audit log broken at entry {broken} (of {total})", err=True)
    raise SystemExit(1)
