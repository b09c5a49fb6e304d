"""Flask-Migrate, loaded only when a migration runs.

Alembic and Flask-Migrate take ~9 MiB in every process that imports them, and a web or
Celery worker never migrates. The app registers a ``flask db`` group and an
``app.extensions["migrate"]`` that both load the real Flask-Migrate on first use, so
``flask db upgrade``, ``migrations/env.py`` and ``flask_migrate.upgrade()`` work as before.
"""
from __future__ import annotations

from typing import Any

import click
from flask import Flask


class _DbCommands(click.Group):
    """``flask db``: Flask-Migrate's command group, imported when the group is opened."""

    @staticmethod
    def _real() -> click.Group:
        from flask_migrate.cli import db

        return db

    def make_context(self, info_name, args, parent=None, **extra) -> click.Context:
        # The context's command is then the real group: its options, callback and subcommands.
        return self._real().make_context(info_name, args, parent=parent, **extra)


class _PendingMigrate:
    """Stands in ``app.extensions["migrate"]`` until something reads it."""

    def __init__(self, app: Flask, db, options: dict[str, Any]):
        self._app, self._db, self._options = app, db, options

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # copy, pickle and the like probe before __init__ ran
            raise AttributeError(name)
        from flask_migrate import Migrate

        Migrate(self._app, self._db, **self._options)  # puts the real one in app.extensions
        return getattr(self._app.extensions["migrate"], name)


def init_app(app: Flask, db, **options: Any) -> None:
    app.extensions["migrate"] = _PendingMigrate(app, db, options)
    app.cli.add_command(_DbCommands("db", help="Perform database migrations."))
