"""Real Chromium against the app served for real on 127.0.0.1.

The app runs in a thread of this process (werkzeug's threaded server) on the
session's test database, with CSRF on, tasks eager and mail written to files.
Each request gets its own app context and database session, as in production, so
a test commits what it builds before the browser looks at it.

Playwright drives Debian's /usr/bin/chromium (``playwright install`` cannot
download a browser here). Every page a test opens is watched: a request to any
host but 127.0.0.1, a console error, an uncaught script error or an exception in
a view fails the step where it happened.
"""
from __future__ import annotations

import logging
import os
import threading

import pytest

from tests.browser.support import Journey, Watch
from tests.conftest import unavailable

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-quic", "--no-first-run", "--disable-sync",
]


@pytest.fixture(scope="session")
def live_server(_schema, make_app):
    """The app served over HTTP on a free port of 127.0.0.1; ``.url`` is its base URL."""
    from flask import got_request_exception
    from werkzeug.serving import make_server

    served = make_app(
        SERVER_NAME=None,  # links follow the host the browser asked for
        WTF_CSRF_ENABLED=True,  # a real browser sends real tokens
        TASKS_EAGER=True,
        MAIL_BACKEND="file",
    )
    errors: list[BaseException] = []
    got_request_exception.connect(lambda sender, exception, **kw: errors.append(exception), served, weak=False)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access log in the test output
    server = make_server("127.0.0.1", 0, served, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="gongmo-live-server", daemon=True)
    thread.start()
    server.view_errors = errors
    server.url = f"http://127.0.0.1:{server.server_port}"
    try:
        yield server
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the session; contexts keep tests apart."""
    if not os.access(CHROMIUM, os.X_OK):
        unavailable(f"{CHROMIUM} is missing: install Debian's chromium (make test does)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright package is missing: pip install -r requirements-dev.txt")
    manager = sync_playwright().start()
    try:
        browser = manager.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    except Exception as exc:  # noqa: BLE001 - a browser that cannot start is a missing service
        manager.stop()
        unavailable(f"Chromium did not start: {exc}")
    yield browser
    browser.close()
    manager.stop()


@pytest.fixture
def open_journey(app, live_server, chromium):
    """``open_journey(name)`` opens a fresh browser context (Korean, Seoul time) on the live server.

    Depends on ``app`` so contexts close before the database is emptied after the test.
    """
    contexts = []

    def open_(name: str, **context_options) -> Journey:
        # A journey may ask for another viewport (390 px for a phone); 1280 px otherwise.
        context_options = {"viewport": {"width": 1280, "height": 900}, **context_options}
        context = chromium.new_context(
            base_url=live_server.url, locale="ko-KR", timezone_id="Asia/Seoul", **context_options,
        )
        context.set_default_timeout(15_000)
        watch = Watch(live_server)
        watch.attach(context)
        contexts.append((context, watch))
        page = context.new_page()
        return Journey(name, page, watch, live_server.url)

    yield open_
    for context, _watch in contexts:
        context.close()
    for _context, watch in contexts:
        watch.check("after the test")
