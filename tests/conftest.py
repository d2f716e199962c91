import pytest

from tests import factories
from tests.core.hashers import fast_password_hashing  # noqa: F401 (autouse: cheap Argon2 for every test)


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    """Uploads go to a per-test folder, never into the developer's data dir."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGE_ROOT = settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def _fresh_directory_index():
    """Each test starts with no per-process search results or index: a browser test's committed index
    version could otherwise outlive its data and be trusted by the next test of this worker."""
    from jumelage.directory import queries

    queries.clear_result_cache()


@pytest.fixture
def immediate_tasks(settings):
    """Tasks (mail, matchmaking refreshes) run in-process when enqueued; a fresh matchmaking engine
    before and after (publishing an opportunity or a profile enqueues matchmaking work)."""
    from jumelage.matchmaking import service

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    service.reset_engine()
    yield
    service.reset_engine()


@pytest.fixture
def world(db):
    """Two ecosystems with a node each, an organisation on each side, and one user per role."""
    return factories.build_world()


@pytest.fixture
def role_clients(world, client_factory):
    """A logged-in test client for each role (and an anonymous one for the visitor)."""
    return {role: client_factory(user) for role, user in world.users.items()}


@pytest.fixture
def client_factory(db):
    from django.test import Client

    def make(user=None):
        c = Client()
        if user is not None:
            c.force_login(user)
        return c

    return make


@pytest.fixture
def smtp(settings):
    """A real SMTP server on loopback; the app's mail goes to it over SMTP. `smtp.messages` holds
    what it received, parsed."""
    from tests.smtp import SmtpServer

    server = SmtpServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield server
    server.stop()
