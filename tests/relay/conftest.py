import pytest


@pytest.fixture(autouse=True)
def _immediate_tasks(immediate_tasks):
    """Relay mail goes through a task: run it in-process (tests/conftest.py)."""


@pytest.fixture(autouse=True)
def _english(settings):
    """Pages in English unless a test asks otherwise (e-mails follow each recipient's language)."""
    settings.LANGUAGE_CODE = "en"
