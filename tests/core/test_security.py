"""Security by default: headers and a strict CSP on every page, templates that keep the CSP honest,
hardened cookies, Argon2 password hashes, login rate limiting, and CSRF refusals a user understands."""

import os
import subprocess
import sys
from html.parser import HTMLParser

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import make_password
from django.test import Client

from tests.core.route_matrix import ROWS, extend_world, url_for
from tests.factories import PASSWORD, UserFactory

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
DATA_TYPES = {"application/ld+json", "application/json"}  # data blocks: never executed, allowed by the CSP


class InlineCode(HTMLParser):
    """Collects what a strict CSP (script-src/style-src 'self') would block: inline scripts, <style>
    elements, style="" attributes and on*="" event-handler attributes."""

    def __init__(self):
        super().__init__()
        self.problems = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        line = self.getpos()[0]
        if tag == "script" and "src" not in attrs and attrs.get("type") not in DATA_TYPES:
            self.problems.append(f"line {line}: inline <script>")
        if tag == "style":
            self.problems.append(f"line {line}: <style> element")
        if "style" in attrs:
            self.problems.append(f"line {line}: style attribute on <{tag}>")
        for name in attrs:
            if name.startswith("on"):
                self.problems.append(f"line {line}: {name}= handler on <{tag}>")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.problems


def csp_directives(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        if part.strip():
            name, *values = part.split()
            out[name] = values
    return out


def header_problems(response) -> list[str]:
    problems = []
    csp = response.get("Content-Security-Policy")
    if not csp:
        return ["no Content-Security-Policy header"]
    d = csp_directives(csp)
    if "'unsafe-inline'" in csp or "'unsafe-eval'" in csp:
        problems.append(f"CSP allows unsafe code: {csp}")
    for name, want in {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    }.items():
        if d.get(name) != want:
            problems.append(f"CSP {name} is {d.get(name)}, expected {want}")
    for name, value in {
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "X-Frame-Options": "DENY",
        "Cross-Origin-Opener-Policy": "same-origin",
    }.items():
        if response.get(name) != value:
            problems.append(f"{name} is {response.get(name)!r}, expected {value!r}")
    return problems


# --- Every page of the matrix -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["visitor", "node_staff", "admin"])
def test_every_html_page_sends_the_security_headers_and_has_no_inline_code(role, world, client_factory):
    extend_world(world)
    client = client_factory(world.users[role])
    failures, pages = [], 0
    for row in ROWS:
        if row.method != "GET" or row.isolated:
            continue
        url = url_for(row, world)
        response = client.get(url)
        if not response.get("Content-Type", "").startswith("text/html"):
            if getattr(response, "streaming", False):
                # A file download (a deck) holds its file open until read to the end; the test client
                # closes it then without closing the database connection (response.close() would).
                b"".join(response.streaming_content)
            continue
        pages += 1
        failures += [f"{url}: {p}" for p in header_problems(response)]
        if not getattr(response, "streaming", False):
            failures += [f"{url}: {p}" for p in inline_code(response.content.decode())]
    assert pages >= 10, "the matrix should yield HTML pages to check"
    assert not failures, "\n".join(failures)


def test_the_inline_code_check_catches_what_the_csp_would_block():
    html = (
        '<script>alert(1)</script><script src="/static/x.js"></script>'
        '<script type="application/ld+json">{}</script><style>p{}</style>'
        '<p style="color:red" onclick="x()">x</p>'
    )
    assert inline_code(html) == [
        "line 1: inline <script>",
        "line 1: <style> element",
        "line 1: style attribute on <p>",
        "line 1: onclick= handler on <p>",
    ]


def test_error_pages_carry_the_headers_too(world, client):
    for url in ("/organisations/no-such-org/", "/directory/import/"):
        response = client.get(url)
        assert response.status_code in (403, 404)
        assert header_problems(response) == []


# --- Cookies ------------------------------------------------------------------------------------------


def test_session_and_csrf_cookies_are_httponly_and_samesite(world):
    client = Client(enforce_csrf_checks=True)
    page = client.get("/accounts/login/", **EN)
    csrf = page.cookies["csrftoken"]
    assert csrf["httponly"] and csrf["samesite"] == "Lax"
    token = page.context["csrf_token"]
    response = client.post(
        "/accounts/login/",
        {"username": "member", "password": PASSWORD, "csrfmiddlewaretoken": token},
        REMOTE_ADDR="10.0.0.1",
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["httponly"] and session["samesite"] == "Lax"
    assert client.get("/", **EN).context["user"].username == "member"


def test_production_mode_marks_cookies_secure_and_sends_hsts(tmp_path):
    """A fresh interpreter in production mode answers an HTTPS request (as the proxy forwards it) with
    Secure cookies and Strict-Transport-Security, and redirects plain HTTP to HTTPS."""
    code = """
import django
django.setup()
from django.test import Client
from django.test.utils import override_settings
# No collectstatic in this test: plain static storage instead of the manifest one.
with override_settings(STORAGES={"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
                                 "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}):
    c = Client()
    r = c.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https", HTTP_HOST="jumelage.example.org")
    print("STATUS", r.status_code)
    print("HSTS", r.get("Strict-Transport-Security"))
    m = r.cookies["csrftoken"]
    print("CSRF", bool(m["secure"]), bool(m["httponly"]), m["samesite"])
    r = c.get("/accounts/login/", HTTP_HOST="jumelage.example.org")
    print("PLAIN", r.status_code, r.get("Location"))
"""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUMELAGE_", "DATABASE_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="jumelage.settings",
        JUMELAGE_MODE="production",
        JUMELAGE_SECRET_KEY="a-long-random-production-secret-key-0123456789-abcdef",
        JUMELAGE_ALLOWED_HOSTS="jumelage.example.org",
        JUMELAGE_DATA_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'unused.sqlite3'}",
    )
    result = subprocess.run(  # noqa: S603 (our own interpreter, fixed code)
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "STATUS 200" in out
    assert "HSTS max-age=31536000" in out
    assert "CSRF True True Lax" in out
    assert "PLAIN 301 https://jumelage.example.org/accounts/login/" in out


# --- Passwords ----------------------------------------------------------------------------------------


def test_passwords_are_hashed_with_argon2(world):
    for user in world.users.values():
        if user is not None:
            assert user.password.startswith("argon2$argon2id$")


def test_an_old_hash_is_upgraded_to_argon2_at_login(db):
    user = UserFactory(username="legacy")
    user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    user.save()
    response = Client().post("/accounts/login/", {"username": "legacy", "password": PASSWORD}, **EN)
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2")


# --- Login rate limiting (django-axes) ----------------------------------------------------------------


def login(client, username, password, ip="10.1.1.1"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip, **EN)


def test_the_right_password_is_refused_after_too_many_failures(world, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = login(client, "member", "wrong password")
        assert response.status_code == 200
        assert "Please enter a correct username and password" in response.content.decode()
    # The failure that reaches the limit already gets the lockout page, and so does the right password.
    assert login(client, "member", "wrong password").status_code == 429
    response = login(client, "member", PASSWORD)
    assert response.status_code == 429
    body = response.content.decode()
    assert "Too many login attempts" in body and "locked for 15 minutes" in body
    assert "_auth_user_id" not in client.session
    # Another account from the same address, and the same account from another address, still work.
    assert login(Client(), "rep", PASSWORD).status_code == 302
    assert login(Client(), "member", PASSWORD, ip="10.9.9.9").status_code == 302


def test_a_success_before_the_limit_resets_the_counter(world, settings):
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        login(Client(), "member", "wrong password")
    assert AccessAttempt.objects.get(username="member").failures_since_start == limit - 1
    assert login(Client(), "member", PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username="member").exists()
    for _ in range(limit - 1):
        login(Client(), "member", "wrong password")
    assert login(Client(), "member", PASSWORD).status_code == 302


def test_the_admin_login_is_rate_limited_too(world, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": "admin", "password": "nope"}, REMOTE_ADDR="10.2.2.2", **EN)
    response = client.post(
        "/admin/login/", {"username": "admin", "password": PASSWORD}, REMOTE_ADDR="10.2.2.2", **EN
    )
    assert response.status_code == 429
    assert "Too many login attempts" in response.content.decode()


# --- CSRF: a forged form ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/i18n/setlang/", {"language": "nl", "next": "/"}),
        ("/accounts/login/", {"username": "member", "password": PASSWORD}),
        ("/accounts/logout/", {}),
    ],
)
def test_a_form_posted_without_its_csrf_token_is_refused_with_a_clear_message(world, url, data):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["member"])
    response = client.post(url, data, **EN)
    assert response.status_code == 403
    body = response.content.decode()
    assert "This form could not be accepted" in body
    assert "Nothing was saved" in body
    assert header_problems(response) == []
    assert inline_code(body) == []
    # Nothing happened: still logged in, language unchanged.
    assert client.session.get("_auth_user_id") == str(world.users["member"].pk)
    assert "django_language" not in response.cookies


def test_a_form_with_a_stale_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.get("/accounts/login/", **EN)
    response = client.post(
        "/accounts/login/",
        {"username": "member", "password": PASSWORD, "csrfmiddlewaretoken": "x" * 64},
        **EN,
    )
    assert response.status_code == 403
    assert "This form could not be accepted" in response.content.decode()


def test_behind_a_proxy_the_limit_counts_the_forwarded_client_address(world, settings):
    """With JUMELAGE_PROXY_COUNT=1 every request comes from the proxy; the limit applies per client
    address as the proxy saw it, and addresses the client wrote itself into the header are ignored."""
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2", **EN}

    def attempt(password, forwarded):
        data = {"username": "member", "password": password}
        return Client().post("/accounts/login/", data, HTTP_X_FORWARDED_FOR=forwarded, **proxy)

    for n in range(settings.AXES_FAILURE_LIMIT):
        # The attacker varies a forged left-most address; the proxy appends the real one.
        attempt("wrong", f"198.51.100.{n}, 203.0.113.7")
    assert attempt(PASSWORD, "203.0.113.7").status_code == 429
    assert AccessAttempt.objects.get(username="member").ip_address == "203.0.113.7"
    # Another client behind the same proxy is not locked out.
    assert attempt(PASSWORD, "203.0.113.8").status_code == 302
