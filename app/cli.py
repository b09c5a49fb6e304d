"""``flask`` commands: users, demo data."""
from __future__ import annotations

import click
from flask import Flask


def register_cli(app: Flask) -> None:
    from app.commands.demo import demo_cli
    from app.commands.users import users_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
