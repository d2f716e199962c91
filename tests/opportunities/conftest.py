from datetime import timedelta

import pytest
from django.utils import timezone

from jumelage.directory.models import Theme


@pytest.fixture(autouse=True)
def _immediate_tasks(immediate_tasks):
    """Every test here runs its tasks in-process, with a fresh engine (tests/conftest.py)."""


@pytest.fixture
def themes(db):
    energy = Theme.objects.create(code="energy", label_fr="Énergie", label_nl="Energie", label_en="Energy")
    smart = Theme.objects.create(code="smart-city", label_fr="Ville intelligente", label_en="Smart city")
    mobility = Theme.objects.create(
        code="mobility", parent=smart, label_fr="Mobilité", label_nl="Mobiliteit", label_en="Mobility"
    )
    health = Theme.objects.create(code="health", label_fr="Santé", label_en="Health")
    return {"energy": energy, "smart-city": smart, "mobility": mobility, "health": health}


def in_days(n: int):
    return timezone.localdate() + timedelta(days=n)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed(): …` runs what the code inside leaves for after the commit (mail, tasks), as
    a real commit would; the test's own transaction never commits."""

    def run():
        from django.db import connection

        # Refreshes asked for before (by fixtures, outside any `committed()`) wait for a commit that
        # never comes: start a fresh batch for what happens inside.
        connection._matchmaking_pending = None
        return django_capture_on_commit_callbacks(execute=True)

    return run


@pytest.fixture
def client_factory(db):
    """Logged-in test clients that ask for English pages (the assertions read English messages,
    whatever the catalogs translate them to)."""
    from django.test import Client

    def make(user=None):
        c = Client(headers={"accept-language": "en"})
        if user is not None:
            c.force_login(user)
        return c

    return make
