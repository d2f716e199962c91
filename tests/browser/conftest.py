"""Browser tests: Playwright for Python driving the system Chromium against pytest-django's live server.

- One Chromium per worker for its run of browser tests, one fresh browser context (cookies) per test.
- Every page a test visits is checked with axe-core (serious and critical violations fail the test);
  a page the test navigated to but never checked fails the test at teardown, so no page slips through.
- The page's Content-Security-Policy stays enforced: axe is injected through the DevTools protocol,
  which CSP does not govern, and any CSP violation or uncaught script error reported by the browser
  fails the test too.
- A failing test leaves a full-page screenshot (and the page's HTML) in test-artifacts/screenshots/.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import PageWatch

CHROMIUM = os.environ.get("JUMELAGE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
TIMEOUT_MS = 15_000
# Assertions wait this long for the page to get there (htmx answers, task workers): generous, as the
# suite shares two cores with a second test worker.
expect.set_options(timeout=10_000)


class _Chromium:
    """One Chromium for a run of consecutive browser tests in a worker.

    Playwright's sync API keeps an asyncio loop "running" in the test thread from start() to stop();
    meanwhile Django refuses synchronous ORM calls (unless DJANGO_ALLOW_ASYNC_UNSAFE is set, as
    pytest-django advises for Playwright) and asgiref's async_to_sync refuses to run at all. So the
    browser is started lazily by the first browser test and stopped as soon as the next test in
    this worker is not a browser test (see pytest_runtest_teardown below): ordinary tests never run
    beside the loop. Browser tests carry xdist_group("browser"), so under `--dist loadgroup` they run
    back to back in one worker and Chromium starts once per run.
    """

    def __init__(self):
        self.playwright = None
        self.browser = None
        self._previous_env = None

    def get(self):
        if self.browser is None:
            from playwright.sync_api import sync_playwright

            if not Path(CHROMIUM).exists():
                pytest.fail(f"Chromium not found at {CHROMIUM}: run `sudo apt-get install -y chromium`.")
            self._previous_env = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
            self.playwright = sync_playwright().start()
            # launch() gives Chromium a fresh temporary user-data dir of its own, removed on close.
            self.browser = self.playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
        return self.browser

    def stop(self) -> None:
        if self.playwright is None:
            return
        try:
            if self.browser is not None:
                self.browser.close()
        finally:
            self.playwright.stop()
            self.playwright = self.browser = None
            if self._previous_env is None:
                os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
            else:
                os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = self._previous_env


_chromium = _Chromium()


@pytest.fixture
def browser():
    """The system Chromium (never downloaded), headless, shared by consecutive browser tests."""
    return _chromium.get()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    try:
        return (yield)
    finally:
        if nextitem is None or not nextitem.get_closest_marker("browser"):
            _chromium.stop()


def pytest_sessionfinish(session, exitstatus):
    _chromium.stop()


class PageFactory:
    """Makes pages, each in a fresh browser context (own cookies), and checks them at the end."""

    def __init__(self, browser, base_url: str):
        self.browser = browser
        self.base_url = base_url
        self.watches: list[PageWatch] = []

    def __call__(self, *, locale: str = "fr-BE", **context_options):
        """`locale` sets the browser's Accept-Language (default: Belgian French, the main audience)."""
        context = self.browser.new_context(
            base_url=self.base_url,
            locale=locale,
            viewport={"width": 1280, "height": 900},
            **context_options,
        )
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        self.watches.append(
            PageWatch(
                page,
                self.base_url,
                locale=locale,
                javascript=context_options.get("java_script_enabled", True),
            )
        )
        return page

    @property
    def pages(self):
        return [watch.page for watch in self.watches]

    def close(self) -> None:
        for watch in self.watches:
            watch.page.context.close()


@pytest.fixture
def new_page(request, browser, live_server):
    """A factory of pages, for tests that need several browsers side by side or another locale."""
    for old in _artifacts_folder(request.node).glob(f"{_artifact_stem(request.node)}.*"):
        old.unlink()  # a screenshot left by an earlier failure of this test is no longer true
    factory = PageFactory(browser, live_server.url)
    yield factory
    problems = [problem for watch in factory.watches for problem in watch.problems_at_end()]
    if problems:
        _save_failure_artifacts(request.node, factory.pages)
    factory.close()
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


@pytest.fixture
def page(new_page):
    """A fresh page (own cookies), French-speaking browser."""
    return new_page()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call" and report.failed and item.get_closest_marker("browser"):
        factory = getattr(item, "funcargs", {}).get("new_page")
        if isinstance(factory, PageFactory):
            _save_failure_artifacts(item, factory.pages)
    return report


def _artifacts_folder(item) -> Path:
    return Path(item.config.rootpath) / "test-artifacts" / "screenshots"


def _artifact_stem(item) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{item.path.stem}.{item.name}")


def _save_failure_artifacts(item, pages) -> None:
    """A full-page PNG and the HTML of each page the test opened, named after the test."""
    if not pages:
        return
    folder = _artifacts_folder(item)
    folder.mkdir(parents=True, exist_ok=True)
    stem = _artifact_stem(item)
    for index, pg in enumerate(pages):
        name = stem if index == 0 else f"{stem}.{index + 1}"
        try:
            pg.screenshot(path=str(folder / f"{name}.png"), full_page=True)
            (folder / f"{name}.html").write_text(pg.content(), encoding="utf-8")
        except Exception as exc:  # the page may have crashed or closed; say so, don't mask the failure
            item.add_report_section("call", "screenshot", f"could not save a screenshot of {pg.url}: {exc}")
