"""What every browser test uses: visit a page and check it with axe-core, log in, watch the page.

visit(page, "/directory/")      go there, wait for the load, check with axe (fails on serious/critical)
axe_check(page)                 check the page as it is now (after a click, a form post, an htmx swap)
login(page, "rep")              log in through the real login form (checks the login page too)
force_login(page, user)         put an authenticated session cookie in the page's context, no form
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.test import Client

from tests.factories import PASSWORD

AXE_JS = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
FAILING_IMPACTS = ("serious", "critical")
_axe_source: str | None = None


def _axe() -> str:
    global _axe_source
    if _axe_source is None:
        if not AXE_JS.exists():
            raise AssertionError(
                f"axe-core is not installed ({AXE_JS} is missing): run `npm ci` in tests/browser "
                "(scripts/test.sh does it)."
            )
        _axe_source = AXE_JS.read_text(encoding="utf-8")
    return _axe_source


def _path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


class PageWatch:
    """Listens to a page for what must fail a test even when its assertions pass: a page loaded but
    never checked with axe, a Content-Security-Policy violation, an uncaught script error, a style
    sheet, script or image that failed to load.

    Every document load must be followed by an axe_check before the next load. htmx swaps (and the
    address changes they push) do not load a document: tests call axe_check after each swap.
    """

    def __init__(self, page, base_url: str, *, locale: str, javascript: bool = True):
        self.page = page
        self.base_url = base_url
        self.locale = locale
        self.javascript = javascript
        self.loads: list[list] = []  # [url, checked] for each document loaded in the page
        self.errors: list[str] = []
        page._jumelage_watch = self
        page.on("domcontentloaded", self._loaded)
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(f"uncaught script error on {page.url}: {exc}"))
        page.on("response", self._response)

    def _loaded(self, page) -> None:
        if not page.url.startswith("about:"):
            self.loads.append([page.url, False])

    def _console(self, message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.errors.append(f"CSP violation on {self.page.url}: {message.text}")

    def _response(self, response) -> None:
        kind = response.request.resource_type
        if kind in {"stylesheet", "script", "image", "font"} and response.status >= 400:
            self.errors.append(
                f"{kind} {_path_of(response.url)} answered {response.status} on {self.page.url}"
            )

    def checked(self) -> None:
        if self.loads:
            self.loads[-1][1] = True

    def problems_at_end(self) -> list[str]:
        problems = list(self.errors)
        for url, checked in self.loads:
            if not checked:
                problems.append(f"{_path_of(url)} was loaded but never checked with axe_check(page)")
        return problems


def _run_axe(page) -> list[dict]:
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe())
    return page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ["violations"]});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary})),
            }));
        }"""
    )


def axe_check(page) -> None:
    """Run axe-core on the page as it is now; fail listing every serious or critical violation.

    axe is injected through the DevTools protocol (page.evaluate), which the page's strict CSP does
    not govern, so the CSP stays enforced for the page itself.
    """
    page.wait_for_load_state("load")
    watch = getattr(page, "_jumelage_watch", None)
    if watch is not None and not watch.javascript:
        # axe needs scripts: check the same address, with the same cookies, in a twin page that runs them.
        twin_context = page.context.browser.new_context(
            base_url=watch.base_url,
            locale=watch.locale,
            storage_state=page.context.storage_state(),
            viewport=page.viewport_size,
        )
        try:
            twin = twin_context.new_page()
            twin.goto(page.url)
            result = _run_axe(twin)
        finally:
            twin_context.close()
    else:
        result = _run_axe(page)
    if watch is not None:
        watch.checked()
    bad = [v for v in result if v["impact"] in FAILING_IMPACTS]
    if bad:
        lines = [f"axe-core found {len(bad)} serious/critical violation(s) on {_path_of(page.url)}:"]
        for v in bad:
            lines.append(f"- [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
            for node in v["nodes"]:
                summary = " ".join((node["summary"] or "").split())
                lines.append(f"    at {node['target']}: {summary}")
        raise AssertionError("\n".join(lines))


def visit(page, path: str, *, expect_status: int = 200):
    """Open `path` (relative to the live server), check the answer's status, then check with axe."""
    response = page.goto(path)
    assert response is not None, f"no response for {path}"
    assert response.status == expect_status, f"{path} answered {response.status}, not {expect_status}"
    axe_check(page)
    return response


def login(page, username: str, password: str = PASSWORD, *, next_path: str = "/") -> None:
    """Log in through the real login form (the page is checked with axe on the way)."""
    visit(page, f"/accounts/login/?next={next_path}")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    axe_check(page)


def force_login(page, user) -> None:
    """Give the page's browser context an authenticated session without going through the form."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [
            {
                "name": cookie.key,
                "value": cookie.value,
                "url": page._jumelage_watch.base_url,
                "httpOnly": True,
                "sameSite": "Lax",
            }
        ]
    )
