"""``flask`` commands: users, demo data, audit log, the reviewer pool's code list."""
from __future__ import annotations

from flask import Flask


def register_cli(app: Flask) -> None:
    from app.commands.audit import audit_cli
    from app.commands.demo import demo_cli
    from app.commands.market import market_cli
    from app.commands.pool import pool_cli
    from app.commands.storage import storage_cli
    from app.commands.users import users_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(audit_cli)
    app.cli.add_command(pool_cli)
    app.cli.add_command(market_cli)
    app.cli.add_command(storage_cli)
