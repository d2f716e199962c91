import pytest


@pytest.fixture(autouse=True)
def _english(settings):
    """Pages in English (the platform's default is French)."""
    settings.LANGUAGE_CODE = "en"
