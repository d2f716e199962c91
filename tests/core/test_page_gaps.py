"""Small page gaps found in review: what the user reads on the page.

- an opportunity's visibility badge shows the capitalised display label in each language;
- form labels carry no ":" suffix (the organisation profile form as the project's other forms);
- a node without members says so honestly and points to the ecosystem's members (the demo data
  assigns organisations to their ecosystem, never to French Tech Brussels).
"""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jumelage.demo import loader
from jumelage.directory.models import Membership
from jumelage.ecosystems.models import NetworkNode
from jumelage.opportunities import services
from jumelage.opportunities.models import Opportunity
from tests import factories

pytestmark = pytest.mark.usefixtures("immediate_tasks")  # tests/conftest.py


def _text(response) -> str:
    """The page's text, tags removed and white space (including no-break spaces) collapsed."""
    assert response.status_code == 200
    html = response.content.decode()
    return " ".join(re.sub(r"<[^>]+>", "", html).replace("\u00a0", " ").replace("\u202f", " ").split())


def _opportunity(world, visibility):
    return services.create_opportunity(
        actor=world.users["admin"],
        organisation=world.fr_org,
        data={
            "kind": Opportunity.Kind.TECHNOLOGY_REQUEST,
            "title": "Capteurs de qualité de l’air",
            "summary": "Nous cherchons un partenaire wallon.",
            "description_fr": "Nous cherchons une entreprise qui conçoit des capteurs.",
            "visibility": visibility,
            "deadline": timezone.localdate() + timedelta(days=60),
        },
        themes=(),
        publish=True,
    )


@pytest.mark.parametrize(
    ("language", "expected"),
    [("fr", "Visible par : Public"), ("nl", "Zichtbaar voor: Openbaar"), ("en", "Visible to: Public")],
)
def test_opportunity_visibility_badge_is_capitalised(world, language, expected):
    opportunity = _opportunity(world, Opportunity.Visibility.PUBLIC)
    client = Client(headers={"accept-language": language})
    text = _text(client.get(reverse("opportunities:opportunity-detail", args=[opportunity.pk])))
    assert expected in text
    assert expected.rsplit(" ", 1)[0] + " " + expected.rsplit(" ", 1)[1].lower() not in text


def test_members_only_visibility_badge_is_capitalised(world):
    opportunity = _opportunity(world, Opportunity.Visibility.MEMBERS)
    client = Client(headers={"accept-language": "en"})
    client.force_login(world.users["admin"])
    text = _text(client.get(reverse("opportunities:opportunity-detail", args=[opportunity.pk])))
    assert "Visible to: Members of the partner ecosystems" in text


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_organisation_profile_form_labels_have_no_colon(world, language):
    client = Client(headers={"accept-language": language})
    client.force_login(world.users["admin"])
    html = client.get(reverse("directory:organisation-edit", args=[world.be_org.slug])).content.decode()
    labels = re.findall(r"<label[^>]*>(.*?)</label>", html, flags=re.S)
    assert len(labels) > 10
    assert [label for label in labels if label.strip().endswith(":")] == []
    city = {"fr": "Ville", "nl": "Gemeente", "en": "City"}[language]
    assert f'<label for="id_city">{city}</label>' in html


def test_login_form_labels_match_the_profile_form(db):
    html = Client(headers={"accept-language": "en"}).get(reverse("login")).content.decode()
    assert '<label for="id_username">Username</label>' in html
    assert '<label for="id_password">Password</label>' in html


def test_opportunity_filter_labels_have_no_colon(world):
    html = Client(headers={"accept-language": "en"}).get(reverse("opportunities:opportunity-list")).content
    labels = re.findall(r"<label[^>]*>(.*?)</label>", html.decode(), flags=re.S)
    assert "Kind" in labels and not [label for label in labels if label.strip().endswith(":")]


@pytest.fixture
def demo_network(db):
    """The demo's ecosystems and nodes (network.json) and, as the demo does, organisations that are
    members of La French Tech at ecosystem level, through no node."""
    report = loader.DemoReport()
    ecosystems = loader._load_ecosystems(report)
    loader._load_nodes(report, ecosystems)
    org = factories.OrganisationFactory(name="Kalray", slug="kalray", country="FR")
    Membership.objects.create(organisation=org, ecosystem=ecosystems["la-french-tech"])
    return NetworkNode.objects.get(slug="french-tech-brussels")


def test_demo_french_tech_brussels_page_is_honest_about_its_members(demo_network):
    client = Client(headers={"accept-language": "en"})
    response = client.get(reverse("ecosystems:node-detail", args=[demo_network.slug]))
    text = _text(response)
    assert "No organisation is recorded as a member through this node yet." in text
    assert "Organisations that belong to La French Tech as a whole are listed in the directory." in text
    assert "No member organisation yet." not in text
    link = reverse("directory:organisation-list") + "?ecosystem=la-french-tech"
    assert f'href="{link}"' in response.content.decode()
    # the link leads to the ecosystem's members
    assert "Kalray" in _text(client.get(link))


def test_node_with_members_lists_them(world):
    text = _text(Client().get(reverse("ecosystems:node-detail", args=[world.ftbxl.slug])))
    assert "Paris Deeptech" in text
    assert "No organisation is recorded as a member" not in text


def test_select_options_start_with_a_capital_like_the_lines_they_are(world):
    # model choices are lower case for use inside sentences ("a business offer"); as options they
    # start a line (the project's select_option.html widget template)
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("opportunities:opportunity-list")).content.decode()
    assert ">Business offer</option>" in page and ">business offer</option>" not in page
    page = Client(HTTP_ACCEPT_LANGUAGE="fr").get(reverse("opportunities:opportunity-list")).content.decode()
    options = re.findall(r"<option value=\"business_offer\"[^>]*>([^<]+)</option>", page)
    assert options and options[0][0].isupper(), options
