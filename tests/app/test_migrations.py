"""The Alembic history builds exactly the schema the models describe."""
from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext


@pytest.fixture
def empty_database_url(db_backend, request, tmp_path):
    if db_backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    pg = request.getfixturevalue("postgres")
    name = f"mig_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(pg.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield pg.url.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def test_upgrade_to_head_matches_models_without_drift(make_app, empty_database_url):
    from flask_migrate import downgrade, upgrade

    from app.extensions import db

    application = make_app(SQLALCHEMY_DATABASE_URI=empty_database_url)
    with application.app_context():
        upgrade()
        with db.engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True})
            diff = compare_metadata(ctx, db.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        assert "proposals" in sa.inspect(db.engine).get_table_names()
        # The history also runs backwards, so a bad release can be rolled back.
        downgrade(revision="base")
        assert "proposals" not in sa.inspect(db.engine).get_table_names()
        db.engine.dispose()
