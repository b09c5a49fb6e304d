"""Fixtures shared by the whole suite.

``--db=postgresql`` (what ``make test`` runs first) starts a throw-away cluster;
``--db=sqlite`` uses a file database. Under CI=true a service that cannot start
fails the run instead of skipping.
"""
from __future__ import annotations

import contextvars
import os
from contextlib import contextmanager

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event, text

from tests import services

IN_CI = os.environ.get("CI", "").lower() == "true"


def pytest_addoption(parser):
    parser.addoption("--db", default=os.environ.get("GONGMO_TEST_DB", "sqlite"),
                     choices=("sqlite", "postgresql"), help="database the app tests run against")



def unavailable(reason: str):
    if IN_CI:
        pytest.fail(f"required service missing in CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def db_backend(request) -> str:
    return request.config.getoption("--db")


@pytest.fixture(scope="session")
def postgres():
    try:
        pg = services.start_postgres()
    except services.ServiceUnavailable as exc:
        unavailable(str(exc))
    yield pg
    pg.stop()


@pytest.fixture(scope="session")
def redis_server():
    try:
        r = services.start_redis()
    except services.ServiceUnavailable as exc:
        unavailable(str(exc))
    yield r
    r.stop()


@pytest.fixture(scope="session")
def s3_server():
    """A real S3-compatible server (moto's) on 127.0.0.1, with the test credentials exported."""
    try:
        server = services.start_s3()
    except services.ServiceUnavailable as exc:
        unavailable(str(exc))
    names = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION")
    saved = {n: os.environ.get(n) for n in names}
    os.environ.update(AWS_ACCESS_KEY_ID="gongmo-test", AWS_SECRET_ACCESS_KEY="gongmo-test-secret",
                      AWS_DEFAULT_REGION="us-east-1")
    yield server
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    server.stop()


@pytest.fixture(scope="session")
def database_url(db_backend, request, tmp_path_factory) -> str:
    if db_backend == "postgresql":
        return request.getfixturevalue("postgres").url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def instance_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("instance")


@pytest.fixture(scope="session")
def make_app(database_url, instance_dir):
    """Build an app on the session's database; tests may override settings."""
    from app import create_app
    from config import TestingConfig

    def factory(**overrides):
        settings = dict(
            SQLALCHEMY_DATABASE_URI=database_url,
            UPLOAD_DIR=str(instance_dir / "uploads"),
            MAIL_DIR=str(instance_dir / "mail"),
            MAIL_BACKEND="file",
            SERVER_NAME="gongmo.test",
        )
        settings.update(overrides)
        application = create_app(TestingConfig, **settings)
        application.test_client_class = IsolatedClient
        return application

    return factory


@pytest.fixture(scope="session")
def _schema(make_app):
    from app.extensions import db

    application = make_app()
    with application.app_context():
        db.drop_all()
        db.create_all()
    return application


@pytest.fixture
def app(_schema):
    from app.extensions import db

    ctx = _schema.app_context()
    ctx.push()
    try:
        yield _schema
    finally:
        db.session.rollback()
        db.session.remove()
        _truncate_all(db)
        ctx.pop()


def _truncate_all(db) -> None:
    from app.web.selection import ranking_cache

    # Ids start again at 1 in the next test: nothing kept by id may outlive its rows.
    ranking_cache.clear()
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            _empty_postgresql(conn, tables)
        else:
            for t in tables:
                conn.execute(t.delete())


def _empty_postgresql(conn, tables) -> None:
    # A TRUNCATE of all ~100 tables costs ~110 ms a test (new files for every table); a test
    # writes to a handful, so only those are emptied, with foreign-key triggers off for this
    # transaction (no order to respect), and the sequences it advanced start again at 1.
    probe = " UNION ALL ".join(f"SELECT '{t.name}' WHERE EXISTS (SELECT 1 FROM \"{t.name}\")" for t in tables)
    written = conn.execute(text(probe)).scalars().all()
    if written:
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        for name in written:
            conn.execute(text(f'DELETE FROM "{name}"'))
    conn.execute(text("SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, 1, false) "
                      "FROM pg_sequences WHERE last_value IS NOT NULL"))


class IsolatedClient(FlaskClient):
    """Each request runs in its own app context, as in production.

    Without this, requests would reuse the test's app context: one ``g`` (so
    Flask-Login's cached user leaks between clients) and one SQLAlchemy session
    (so a view that forgets to commit would look as if it had). The test's own
    work is committed first, and its session re-reads after the request.
    """

    def open(self, *args, **kwargs):
        from flask import has_app_context

        from app.extensions import db

        if not has_app_context():  # a redirect followed from inside the isolated request
            return super().open(*args, **kwargs)
        db.session.commit()
        try:
            return contextvars.Context().run(super().open, *args, **kwargs)
        finally:
            db.session.expire_all()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def db_session(app):
    from app.extensions import db

    return db.session


@pytest.fixture
def isolated_dirs(app, tmp_path, monkeypatch):
    """Uploads and mail files of this test only (the app and its instance dir are per session)."""
    from app.core import storage

    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path / "uploads"))
    monkeypatch.setitem(app.config, "MAIL_DIR", str(tmp_path / "mail"))
    monkeypatch.setitem(app.extensions, "storage", storage.LocalStorage(tmp_path / "uploads"))
    return tmp_path


@pytest.fixture
def mailbox(isolated_dirs):
    """This test's own mail folder, so mails of other tests never get in the way."""
    return isolated_dirs / "mail"


@pytest.fixture
def login(client):
    """Log a user in through the real form; returns the client."""

    def do(user, password: str = "Correct-horse-9"):
        resp = client.post("/login", data={"email": user.email, "password": password})
        assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
        return client

    return do


@pytest.fixture
def count_queries(app):
    """``with count_queries() as q: ...`` then ``q.count`` is the number of SQL statements."""
    from app.extensions import db

    @contextmanager
    def counter():
        class Box:
            count = 0
            statements: list[str] = []

        box = Box()
        box.statements = []

        def before(conn, cursor, statement, *args):
            box.count += 1
            box.statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield box
        finally:
            event.remove(db.engine, "before_cursor_execute", before)

    return counter


@pytest.fixture
def clock():
    """A controlled clock: ``clock.move_to(dt)``, ``clock.shift(seconds)``."""
    import time_machine

    with time_machine.travel("2025-07-01 00:00:00+00:00", tick=False) as traveller:
        yield traveller


@pytest.fixture
def expertise_codes(app):
    """The configured expertise code list (EXPERTISE_CODES_FILE), loaded as `flask pool load-codes` does."""
    from app.extensions import db
    from app.review import expertise

    expertise.load()
    db.session.commit()
    return {c.code: c for c in expertise.all_codes()}
