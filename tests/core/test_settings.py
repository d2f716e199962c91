"""Production mode refuses insecure settings; embedded mode needs none. Each case starts a fresh
interpreter with only the environment variables it names, as an app server would."""

import os
import secrets
import subprocess
import sys

import pytest

GOOD_KEY = secrets.token_urlsafe(50)
SETUP = "import django; django.setup(); from django.conf import settings; print('MODE', settings.MODE)"


def start(tmp_path, code=SETUP, **env):
    """Run `code` in a new interpreter with a clean environment (no JUMELAGE_* or DATABASE_URL from the
    test run) plus `env`."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("JUMELAGE_", "DATABASE_URL"))}
    clean.update({"DJANGO_SETTINGS_MODULE": "jumelage.settings", "JUMELAGE_DATA_DIR": str(tmp_path), **env})
    return subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
        [sys.executable, "-c", code], env=clean, capture_output=True, text=True, timeout=60, cwd=tmp_path
    )


def production(**overrides):
    env = {
        "JUMELAGE_MODE": "production",
        "JUMELAGE_SECRET_KEY": GOOD_KEY,
        "JUMELAGE_ALLOWED_HOSTS": "jumelage.example.org",
    }
    env.update(overrides)
    return env


def test_embedded_mode_starts_with_no_environment_at_all(tmp_path):
    result = start(tmp_path)
    assert result.returncode == 0, result.stderr
    assert "MODE embedded" in result.stdout


def test_production_mode_starts_with_good_values(tmp_path):
    code = SETUP + (
        "; print('DEBUG', settings.DEBUG, 'SECURE', settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE,"
        " 'HSTS', settings.SECURE_HSTS_SECONDS, 'REDIRECT', settings.SECURE_SSL_REDIRECT)"
    )
    result = start(tmp_path, code, **production())
    assert result.returncode == 0, result.stderr
    assert "MODE production" in result.stdout
    assert "DEBUG False SECURE True True HSTS 31536000 REDIRECT True" in result.stdout


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"JUMELAGE_DEBUG": "true"}, "JUMELAGE_DEBUG is on"),
        ({"JUMELAGE_SECRET_KEY": ""}, "JUMELAGE_SECRET_KEY is the development key"),
        (
            {"JUMELAGE_SECRET_KEY": "jumelage-embedded-development-key-not-for-production"},
            "JUMELAGE_SECRET_KEY is the development key",
        ),
        ({"JUMELAGE_SECRET_KEY": "short-but-not-empty"}, "shorter than 32 characters"),
        ({"JUMELAGE_ALLOWED_HOSTS": "*"}, "JUMELAGE_ALLOWED_HOSTS is empty or holds a wildcard"),
        ({"JUMELAGE_ALLOWED_HOSTS": "jumelage.example.org,*"}, "holds a wildcard"),
        ({"JUMELAGE_ALLOWED_HOSTS": ".example.org"}, "holds a wildcard"),
    ],
    ids=[
        "debug",
        "empty-key",
        "dev-key",
        "short-key",
        "wildcard-host",
        "wildcard-among-hosts",
        "domain-wildcard",
    ],
)
def test_production_mode_refuses_an_insecure_setting_and_names_it(tmp_path, env, message):
    result = start(tmp_path, **production(**env))
    assert result.returncode != 0
    assert "ImproperlyConfigured: Refusing to start in production mode" in result.stderr
    assert message in result.stderr
    assert "MODE" not in result.stdout


def test_production_mode_names_every_problem_at_once(tmp_path):
    result = start(
        tmp_path,
        JUMELAGE_MODE="production",
        JUMELAGE_DEBUG="1",
        JUMELAGE_ALLOWED_HOSTS="*",
    )
    assert result.returncode != 0
    for message in ("JUMELAGE_DEBUG is on", "development key", "wildcard"):
        assert message in result.stderr


def test_an_unknown_mode_is_refused_with_the_accepted_values(tmp_path):
    result = start(tmp_path, JUMELAGE_MODE="prod")
    assert result.returncode != 0
    assert "JUMELAGE_MODE must be 'embedded' or 'production', not 'prod'" in result.stderr


def test_production_deploy_check_reports_only_the_documented_choices(tmp_path):
    """`check --deploy` finds nothing but the two HSTS opt-ins left to the operator (docs/deployment.md)."""
    code = (
        "import django; django.setup(); from django.core.management import call_command;"
        " call_command('check', deploy=True)"
    )
    result = start(tmp_path, code, **production())
    assert result.returncode == 0, result.stderr
    issues = {
        line.split(")")[0].lstrip("?: (") for line in result.stderr.splitlines() if line.startswith("?: (")
    }
    assert issues <= {"security.W005", "security.W021"}, result.stderr


def test_passwords_are_hashed_with_argon2id_at_its_default_cost(tmp_path):
    code = (
        "import django; django.setup(); from django.contrib.auth.hashers import make_password, identify_hasher;"
        " h = make_password('correct horse battery staple'); print(h.split('$')[:3]);"
        " print(type(identify_hasher(h)).__module__, type(identify_hasher(h)).__name__)"
    )
    result = start(tmp_path, code, **production())
    assert result.returncode == 0, result.stderr
    assert "['argon2', 'argon2id', 'v=19']" in result.stdout
    assert "django.contrib.auth.hashers Argon2PasswordHasher" in result.stdout


CHILD_SITE_URL = (
    "import django; django.setup(); import subprocess, sys;"
    "from jumelage.core.management.commands.serve import children_env;"
    "env = children_env(sys.argv[1]);"
    "print(subprocess.run([sys.executable, '-c', 'import django; django.setup(); "
    "from django.conf import settings; print(settings.SITE_URL)'], env=env, capture_output=True,"
    " text=True).stdout.strip())"
)


@pytest.mark.parametrize(
    ("bind", "url"), [("127.0.0.1:8765", "http://127.0.0.1:8765"), ("0.0.0.0:9000", "http://127.0.0.1:9000")]
)
def test_the_links_in_e_mails_point_at_the_port_the_demo_serves(tmp_path, bind, url):
    """`jumelage demo --bind 127.0.0.1:8765`: the server and worker processes it starts put that address
    in e-mails and PDFs (it was always the default port 8000)."""
    code = f"import sys; sys.argv = ['x', {bind!r}]; " + CHILD_SITE_URL
    result = start(tmp_path, code=code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == url


def test_a_site_url_given_is_kept_whatever_the_bind_address(tmp_path):
    code = "import sys; sys.argv = ['x', '127.0.0.1:8765']; " + CHILD_SITE_URL
    result = start(tmp_path, code=code, JUMELAGE_SITE_URL="https://jumelage.example.org")
    assert result.stdout.strip() == "https://jumelage.example.org"
