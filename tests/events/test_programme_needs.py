"""Market needs feed event themes: the co-programming board lists the needs of the market-needs register
recorded for the event's themes and markets (by theme and market, most expressed first) to those who may
read the register, and a co-organiser turns one into a theme proposal in one click."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jumelage.events.models import EventPartner, Proposal, ProposalApproval
from jumelage.events.services import market_needs, programme
from jumelage.opportunities.models import MarketNeed
from tests.factories import EventFactory, ThemeFactory, build_event

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
BOARD = "/events/smart-city-day/programme/"


@pytest.fixture
def themes(db):
    smart_city = ThemeFactory(code="smart-city", label_en="Smart city", label_fr="Ville intelligente")
    return {
        "smart_city": smart_city,
        "mobility": ThemeFactory(
            code="mobility", label_en="Mobility", label_fr="Mobilité", parent=smart_city
        ),
        "energy": ThemeFactory(code="energy", label_en="Energy", label_fr="Énergie"),
        "health": ThemeFactory(code="health", label_en="Health", label_fr="Santé"),
    }


@pytest.fixture
def event(world, themes):
    event = build_event(world)
    event.themes.set([themes["smart_city"], themes["energy"]])
    return event


def need(theme, market, *, day=1, sector="", world=None):
    return MarketNeed.objects.create(
        theme=theme,
        market=market,
        sector=sector,
        organisation=world.be_org if world else None,
        expressed_by="" if world else "A cluster meeting",
        evidence="Heard at a cluster meeting.",
        observed_on=dt.date(2026, 3, day),
    )


@pytest.fixture
def needs(themes, world):
    # Mobility (a sub-theme of Smart city) on the Belgian market: 3 times, the most expressed.
    need(themes["mobility"], "BE", day=2, sector="Transport", world=world)
    need(themes["mobility"], "BE", day=9, sector="Logistics")
    need(themes["mobility"], "BE", day=5, sector="Transport")
    # Energy on the French market: twice; Smart city on the French market: once.
    need(themes["energy"], "FR", day=3)
    need(themes["energy"], "FR", day=4, sector="Utilities")
    need(themes["smart_city"], "FR", day=20)
    # Health is not a theme of the event: never shown for it.
    for day in range(1, 6):
        need(themes["health"], "BE", day=day)


def client_for(client_factory, user):
    client = client_factory(user)
    client.defaults.update(EN)
    return client


def needs_section(page: str) -> str:
    start = page.index('id="market-needs"')
    return page[start : page.index("</section>", start)]


def rows_of(section: str) -> list[list[str]]:
    """The table's body rows as lists of cell texts (tags and whitespace stripped)."""
    body = section[section.index("<tbody>") : section.index("</tbody>")]
    rows = []
    for tr in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, flags=re.S)
        rows.append([" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in cells])
    return rows


def test_the_board_lists_the_needs_of_the_events_themes_and_markets_most_expressed_first(
    event, needs, world, client_factory
):
    page = client_for(client_factory, world.users["ecosystem_staff"]).get(BOARD).content.decode()
    section = needs_section(page)
    assert "Market needs for this event" in section
    rows = rows_of(section)
    assert [row[:5] for row in rows] == [
        ["Mobility", "Belgian market", "3", "09/03/2026", "Logistics, Transport"],
        ["Energy", "French market", "2", "04/03/2026", "Utilities"],
        ["Smart city", "French market", "1", "20/03/2026", ""],
    ]
    assert "Health" not in section
    # Each row offers its theme as a proposal, for the partner the staff member decides for.
    assert rows[0][5] == "Propose “Mobility” (Belgian market) as a theme for Digital Wallonia"


def test_only_the_events_markets_count(world, themes, needs, client_factory):
    event = EventFactory(slug="namur-day", title="Namur Day", kind="themed_day", country="BE")
    EventPartner.objects.create(event=event, ecosystem=world.wallonia, role="lead", position=0)
    event.themes.set([themes["smart_city"], themes["energy"]])
    assert market_needs.event_markets(event) == ["BE"]
    client = client_for(client_factory, world.users["ecosystem_staff"])
    rows = rows_of(needs_section(client.get("/events/namur-day/programme/").content.decode()))
    assert [row[:3] for row in rows] == [["Mobility", "Belgian market", "3"]]


def test_an_event_without_themes_gets_the_needs_of_every_theme(world, needs, client_factory):
    build_event(world)
    page = client_for(client_factory, world.users["node_staff"]).get(BOARD).content.decode()
    section = needs_section(page)
    assert "The event has no theme yet" in section
    assert [row[:3] for row in rows_of(section)] == [
        ["Health", "Belgian market", "5"],
        ["Mobility", "Belgian market", "3"],
        ["Energy", "French market", "2"],
        ["Smart city", "French market", "1"],
    ]


def test_empty_state_when_no_need_matches(event, world, client_factory):
    page = client_for(client_factory, world.users["ecosystem_staff"]).get(BOARD).content.decode()
    assert "No market need has been recorded for the event's themes and markets yet." in needs_section(page)


def test_one_click_turns_a_need_into_a_theme_proposal(event, needs, themes, world, client_factory):
    staff = world.users["ecosystem_staff"]
    client = client_for(client_factory, staff)
    section = needs_section(client.get(BOARD).content.decode())
    first_form = re.search(r'<form method="post"[^>]*class="need-propose">(.*?)</form>', section, re.S)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', first_form.group(1)))
    assert fields["kind"] == "theme"
    assert fields["theme"] == str(themes["mobility"].pk)
    # The page's own form, posted as the browser sends it (the button is the only thing clicked).
    fields["details"] = fields["details"].replace("&#x27;", "'")
    response = client.post(BOARD, fields)
    assert response.status_code == 302
    proposal = Proposal.objects.get(event=event)
    assert proposal.kind == Proposal.Kind.THEME
    assert proposal.theme == themes["mobility"]
    assert proposal.title == "Mobility"
    assert proposal.proposed_by == staff
    assert proposal.proposed_for.ecosystem == world.wallonia
    assert proposal.details == (
        "Market need: expressed 3 times on the Belgian market, most recently on 09/03/2026. "
        "Sectors: Logistics, Transport."
    )
    assert proposal.status == Proposal.Status.PENDING  # French Tech Brussels still has to decide
    assert ProposalApproval.objects.get(proposal=proposal).partner.ecosystem == world.wallonia
    page = client.get(BOARD).content.decode()
    assert "Your proposal “Mobility” was added to the board." in page
    rows = rows_of(needs_section(page))
    assert rows[0][:3] == ["Mobility", "Belgian market", "3"]
    assert rows[0][5] == "Already proposed"
    assert rows[1][5].startswith("Propose “Energy”")


def test_a_rejected_theme_can_be_proposed_again(event, needs, themes, world, client_factory):
    proposal = programme.create_proposal(
        actor=world.users["ecosystem_staff"], event=event, kind="theme", theme=themes["energy"]
    )
    programme.decide_proposal(
        actor=world.users["node_staff"], proposal=proposal, approved=False, comment="Not this year."
    )
    page = client_for(client_factory, world.users["node_staff"]).get(BOARD).content.decode()
    rows = rows_of(needs_section(page))
    assert rows[1][:2] == ["Energy", "French market"]
    assert rows[1][5] == "Propose “Energy” (French market) as a theme for French Tech Brussels"


def test_the_platform_admin_sees_the_needs_but_proposes_for_no_partner(event, needs, world, client_factory):
    page = client_for(client_factory, world.users["admin"]).get(BOARD).content.decode()
    section = needs_section(page)
    assert [row[:3] for row in rows_of(section)] == [
        ["Mobility", "Belgian market", "3"],
        ["Energy", "French market", "2"],
        ["Smart city", "French market", "1"],
    ]
    assert "need-propose" not in section
    assert "Propose “" not in section


def test_only_those_who_may_read_the_register_get_the_needs(event, needs, world):
    from django.contrib.auth.models import AnonymousUser

    # The register is for staff and organisation representatives (opportunities.view_marketneed).
    assert market_needs.needs_for_event(AnonymousUser(), event) is None
    assert market_needs.needs_for_event(world.users["member"], event) is None
    assert market_needs.needs_for_event(world.users["representative"], event).total == 3
    assert [r.theme.code for r in market_needs.needs_for_event(world.users["node_staff"], event).rows] == [
        "mobility",
        "energy",
        "smart-city",
    ]


def test_the_list_is_cut_to_the_most_expressed(event, needs, world, client_factory):
    result = market_needs.needs_for_event(world.users["ecosystem_staff"], event, limit=2)
    assert [(r.theme.code, r.market, r.count) for r in result.rows] == [
        ("mobility", "BE", 3),
        ("energy", "FR", 2),
    ]
    assert result.total == 3


def test_the_needs_take_the_same_number_of_queries_for_one_or_three_rows(
    event, themes, world, client_factory
):
    client = client_for(client_factory, world.users["ecosystem_staff"])
    need(themes["mobility"], "BE", world=world)
    client.get(BOARD)  # warm caches (theme paths, sessions)
    with CaptureQueriesContext(connection) as one:
        client.get(BOARD)
    need(themes["energy"], "FR", sector="Utilities")
    need(themes["smart_city"], "FR", sector="Buildings")
    with CaptureQueriesContext(connection) as three:
        page = client.get(BOARD).content.decode()
    assert len(rows_of(needs_section(page))) == 3
    assert len(three) == len(one)
