"""Several stateless app servers on one database: two real gunicorn processes share sessions, the cache
and every write, because none of it lives in a process's memory or disk.

On PostgreSQL (DATABASE_URL=postgres…) the test creates a database of its own on the same server (the
pytest-django test database sits inside a transaction the servers could not see), migrates it in a
subprocess and drops it at the end. On SQLite the two servers share one database file.
"""

import json
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlencode, urlsplit, urlunsplit
from urllib.request import HTTPCookieProcessor, HTTPRedirectHandler, Request, build_opener

import pytest

from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.xdist_group("multiprocess")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(args, env, timeout=120):
    result = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout)  # noqa: S603
    assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("multiprocess")


@pytest.fixture(scope="module")
def shared_database(workdir):
    """A DATABASE_URL both servers use: a fresh PostgreSQL database, or one SQLite file."""
    test_url = os.environ.get("DATABASE_URL", "")
    if test_url.startswith(("postgres://", "postgresql://")):
        import psycopg

        parts = urlsplit(test_url)
        name = f"jumelage_mp_{uuid.uuid4().hex[:12]}"
        admin_dsn = urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        try:
            yield urlunsplit(parts._replace(path=f"/{name}"))
        finally:
            with psycopg.connect(admin_dsn, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        yield f"sqlite:///{workdir / 'shared.sqlite3'}"


@pytest.fixture(scope="module")
def server_env(shared_database, workdir):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUMELAGE_", "DATABASE_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="jumelage.settings",
        DATABASE_URL=shared_database,
        JUMELAGE_DATA_DIR=str(workdir / "data"),
        JUMELAGE_STORAGE_ROOT=str(workdir / "storage"),
        PYTHONPATH=str(ROOT),
        JUMELAGE_LOGIN_FAILURE_LIMIT="3",
    )
    python = sys.executable
    run([python, "-m", "jumelage.cli", "manage", "migrate", "--noinput", "-v0"], env)
    run([python, "-m", "jumelage.cli", "manage", "createcachetable", "-v0"], env)
    # The same world as the in-process tests, written by a separate process.
    run(
        [
            python,
            "-c",
            "import django; django.setup(); from tests.factories import build_world; build_world()",
        ],
        env,
    )
    return env


@pytest.fixture(scope="module")
def two_servers(server_env, workdir):
    """Two gunicorn processes on free ports, shared by this module's tests (each uses its own user)."""
    servers, procs = [], []
    for name in ("a", "b"):
        port = free_port()
        log = open(workdir / f"gunicorn-{name}.log", "w")  # noqa: SIM115 (closed below)
        proc = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "gunicorn", "jumelage.wsgi:application", "--bind", f"127.0.0.1:{port}"],
            env=server_env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        procs.append((proc, log))
        servers.append(f"http://127.0.0.1:{port}")
    try:
        for base, (proc, _) in zip(servers, procs, strict=True):
            wait_until_up(base, proc, workdir)
        yield servers
    finally:
        for proc, log in procs:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            log.close()


def wait_until_up(base, proc, workdir, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            logs = "\n".join(p.read_text() for p in workdir.glob("gunicorn-*.log"))
            pytest.fail(f"gunicorn exited with {proc.returncode}:\n{logs}")
        try:
            with socket.create_connection((urlsplit(base).hostname, urlsplit(base).port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"{base} did not start within {timeout} s")


class NoRedirect(HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One user agent (one cookie jar) talking to both servers: cookies for 127.0.0.1 go to either port."""

    def __init__(self):
        self.jar = CookieJar()
        self.opener = build_opener(HTTPCookieProcessor(self.jar), NoRedirect)

    def request(self, url, data=None, method=None, headers=None):
        req = Request(  # noqa: S310 (http URLs of the servers this test started)
            url, data=data, method=method, headers={"Accept-Language": "en", **(headers or {})}
        )
        try:
            with self.opener.open(req, timeout=30) as response:
                return response.status, dict(response.headers), response.read().decode()
        except HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()

    def cookie(self, name):
        return next((c.value for c in self.jar if c.name == name), None)


def test_a_login_and_an_edit_through_one_server_are_seen_through_the_other(two_servers):
    a, b = two_servers
    browser = Browser()

    # Log in through A with a real form post and its CSRF token.
    status, _, html = browser.request(f"{a}/accounts/login/")
    assert status == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    form = urlencode({"username": "rep", "password": PASSWORD, "csrfmiddlewaretoken": token, "next": "/"})
    status, headers, _ = browser.request(f"{a}/accounts/login/", data=form.encode(), method="POST")
    assert status == 302, "login through server A failed"
    assert headers["Location"] == "/"

    # B knows the session: the page names the user and the login page sends them on.
    status, _, html = browser.request(f"{b}/")
    assert status == 200 and 'class="user" href="/accounts/data/" title="Your personal data">rep</a>' in html
    status, headers, _ = browser.request(f"{b}/accounts/login/")
    assert status == 302

    # Edit the organisation the user represents through A (the API, session + CSRF header)…
    status, _, body = browser.request(
        f"{a}/api/v1/organisations/wallonie-startup",
        data=json.dumps({"city": "Charleroi", "tagline_fr": "Vu depuis l'autre serveur"}).encode(),
        method="PATCH",
        headers={"Content-Type": "application/json", "X-CSRFToken": browser.cookie("csrftoken")},
    )
    assert status == 200, body
    # …and read it through B, on the page and in the API.
    status, _, html = browser.request(f"{b}/organisations/wallonie-startup/")
    assert status == 200 and "Charleroi" in html
    status, _, body = browser.request(f"{b}/api/v1/organisations/wallonie-startup")
    assert json.loads(body)["city"] == "Charleroi"
    assert json.loads(body)["tagline_fr"] == "Vu depuis l'autre serveur"

    # Logging out through B ends the session on A too.
    status, _, html = browser.request(f"{b}/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    status, _, _ = browser.request(
        f"{b}/accounts/logout/", data=urlencode({"csrfmiddlewaretoken": token}).encode(), method="POST"
    )
    assert status == 302
    status, _, html = browser.request(f"{a}/")
    assert status == 200 and 'class="user"' not in html


def test_a_failed_login_counted_on_one_server_locks_out_on_the_other(two_servers):
    """The login rate limit is kept in the database, so spreading attempts over servers does not help."""
    a, b = two_servers
    for attempt in range(3):
        browser = Browser()
        base = a if attempt % 2 == 0 else b
        _, _, html = browser.request(f"{base}/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        form = urlencode({"username": "member", "password": "wrong", "csrfmiddlewaretoken": token})
        status, _, html = browser.request(f"{base}/accounts/login/", data=form.encode(), method="POST")
    assert status == 429 and "Too many login attempts" in html
