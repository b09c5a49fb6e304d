"""What every browser test uses: the watch on a context, and a journey with its screenshots."""
from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.factories import PASSWORD

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "browser"
# The two widths every usability journey runs at (issue 12): a desktop and a phone.
VIEWPORTS = {"wide": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
LOCAL_SCHEMES = ("data", "blob", "about")


class Watch:
    """What a browser context did that a page must never do."""

    def __init__(self, server):
        self.server = server
        self.external: list[str] = []
        self.console: list[str] = []
        self.expected_console: list[re.Pattern] = []

    def attach(self, context) -> None:
        context.on("request", self._request)
        context.on("page", self.attach_page)
        # Recorded above, and stopped here before it leaves the machine.
        context.route(re.compile(r"^(?!http://127\.0\.0\.1[:/])"), lambda route: route.abort("blockedbyclient"))

    def attach_page(self, page) -> None:
        page.on("console", lambda msg: msg.type == "error" and self._console(
            f"{page.url}: {msg.text} ({msg.location.get('url', '')})"))
        page.on("pageerror", lambda exc: self.console.append(f"{page.url}: uncaught {exc}"))

    def _request(self, request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in LOCAL_SCHEMES:
            return
        if parts.hostname != "127.0.0.1":
            self.external.append(request.url)

    def _console(self, text: str) -> None:
        if not any(p.search(text) for p in self.expected_console):
            self.console.append(text)

    def expect_console(self, pattern: str) -> None:
        """A console error the step provokes on purpose (e.g. a 422 answer to a refused form)."""
        self.expected_console.append(re.compile(pattern))

    def check(self, where: str) -> None:
        problems = []
        if self.external:
            problems.append(f"requests to hosts other than 127.0.0.1: {self.external}")
        if self.console:
            problems.append(f"console errors: {self.console}")
        if self.server.view_errors:
            problems.append(f"exceptions in views: {[repr(e) for e in self.server.view_errors]}")
        self.external, self.console, self.expected_console = [], [], []
        self.server.view_errors.clear()
        if problems:
            pytest.fail(f"{where}: " + "; ".join(problems), pytrace=False)


class Journey:
    """One person's way through the portal: a page, its screenshots and its checks."""

    def __init__(self, name: str, page, watch: Watch, base_url: str):
        self.name = name
        self.page = page
        self.watch = watch
        self.base_url = base_url
        self.steps = 0
        self.folder = SCREENSHOTS / name
        shutil.rmtree(self.folder, ignore_errors=True)

    def step(self, label: str) -> Path:
        """Screenshot the page as NN-label.png, then fail if anything unwanted happened so far."""
        self.steps += 1
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{self.steps:02d}-{label}.png"
        self.page.screenshot(path=str(path), full_page=True)
        self.watch.check(f"{self.name} step {self.steps:02d} ({label})")
        return path

    def goto(self, path: str):
        return self.page.goto(self.base_url + path)

    def log_in(self, email: str, password: str = PASSWORD) -> None:
        """Through the header's link and the real form."""
        page = self.page
        page.get_by_role("navigation", name="주 메뉴").get_by_role("link", name="로그인").click()
        page.get_by_label("이메일").fill(email)
        page.get_by_label("비밀번호").fill(password)
        page.locator("main form").get_by_role("button", name="로그인").click()
        page.get_by_role("button", name="로그아웃").wait_for()
