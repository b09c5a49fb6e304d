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


def test_the_fixed_proposal_form_becomes_each_calls_sections_with_nothing_lost(make_app, empty_database_url):
    """Calls made while the form was code get its pages as rows; the three texts move to
    proposal_texts and frozen versions read the same (schema 2) — and back on downgrade."""
    import json

    from flask_migrate import downgrade, upgrade

    from app.extensions import db

    application = make_app(SQLALCHEMY_DATABASE_URI=empty_database_url)
    with application.app_context():
        upgrade(revision="f4b8d6c0e2a3")
        old = {"schema": 1, "overview": {"title": "t"}, "master_plan": "계획 원문", "alliance_plan": "동맹",
               "aidc_linkage": "", "infra_items": [], "poc_plans": []}
        with db.engine.begin() as conn:
            _insert(conn, "organisations", id=1, name="기관", type="other", brn="1234567890")
            _insert(conn, "users", id=1, email="a@b.kr", organisation_id=1)
            _insert(conn, "programmes", id=1, agency_id=1)
            _insert(conn, "calls", id=1, programme_id=1, code="C-1", first_year=2025, last_year=2026,
                    rubric={}, policy={})
            _insert(conn, "consortia", id=1, lead_org_id=1, created_by_id=1)
            _insert(conn, "proposals", id=1, call_id=1, consortium_id=1, created_by_id=1, title="t",
                    master_plan="계획 원문", alliance_plan="동맹", aidc_linkage="", complex_id=None)
            _insert(conn, "proposal_versions", id=1, proposal_id=1, number=1, receipt_no="C-1-0001",
                    snapshot=old, submitted_by_id=1)
        upgrade()
        with db.engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT key, kind FROM call_sections WHERE call_id = 1 ORDER BY position")).all()
            texts = dict(conn.execute(sa.text("SELECT section_key, body FROM proposal_texts WHERE proposal_id = 1")).all())
            snap = conn.execute(sa.text("SELECT snapshot FROM proposal_versions WHERE id = 1")).scalar_one()
        snap = snap if isinstance(snap, dict) else json.loads(snap)
        assert [r.key for r in rows] == ["infra", "poc", "master_plan", "alliance", "aidc"]
        assert [r.kind for r in rows] == ["items", "plans", "text", "text", "text"]
        assert texts == {"master_plan": "계획 원문", "alliance": "동맹"}  # an empty answer needs no row
        assert snap["schema"] == 2 and snap["texts"] == {"master_plan": "계획 원문", "alliance": "동맹", "aidc": ""}
        assert [s["key"] for s in snap["sections"]] == ["infra", "poc", "master_plan", "alliance", "aidc"]
        assert "master_plan" not in snap and snap["overview"] == {"title": "t"}

        downgrade(revision="f4b8d6c0e2a3")
        with db.engine.connect() as conn:
            back = conn.execute(sa.text("SELECT master_plan, alliance_plan, aidc_linkage FROM proposals")).one()
        assert tuple(back) == ("계획 원문", "동맹", "")
        db.engine.dispose()


def _insert(conn, table_name: str, **values) -> None:
    """One row at an old revision: the given values, and a plain value for every other NOT NULL column
    (the models of today no longer describe those tables)."""
    from datetime import datetime

    table = sa.Table(table_name, sa.MetaData(), autoload_with=conn)
    for column in table.columns:
        if column.name in values or column.nullable or column.server_default is not None:
            continue
        kind = column.type
        if isinstance(kind, sa.Boolean):
            values[column.name] = False
        elif isinstance(kind, (sa.Integer, sa.Numeric)):
            values[column.name] = 0
        elif isinstance(kind, sa.JSON):
            values[column.name] = {}
        elif isinstance(kind, (sa.DateTime, sa.Date)) or "date" in type(kind).__name__.lower():
            values[column.name] = datetime(2025, 1, 1)
        else:
            values[column.name] = ""
    conn.execute(table.insert().values(**values))
