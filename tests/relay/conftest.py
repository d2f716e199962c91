import pytest

from jumelage.ecosystems.models import NodeKind, NodeStaff
from tests.factories import NodeFactory, UserFactory
from tests.opportunities.helpers import make_opportunity


@pytest.fixture(autouse=True)
def _immediate_tasks(immediate_tasks):
    """Relay mail goes through a task: run it in-process (tests/conftest.py)."""


@pytest.fixture(autouse=True)
def _english(settings):
    """Pages in English unless a test asks otherwise (e-mails follow each recipient's language)."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def net(world):
    """The world, a public opportunity of Paris Deeptech, and a third node (French Tech Paris) with its
    own staff member."""
    staff = world.users["ecosystem_staff"]
    staff.email, staff.language = "dw@example.org", "en"
    staff.save()
    world.paris = NodeFactory(
        ecosystem=world.frenchtech, kind=NodeKind.CAPITAL, name="French Tech Paris", slug="french-tech-paris"
    )
    world.paris_staff = UserFactory(username="paris-staff", email="paris@example.org", language="fr")
    NodeStaff.objects.create(user=world.paris_staff, node=world.paris)
    world.opportunity = make_opportunity(world, title="Capteurs pour bâtiments")
    return world
