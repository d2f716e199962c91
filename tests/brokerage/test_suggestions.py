"""People to meet: the matchmaking engine ranks the brokerage's other participants and says why."""

from jumelage.brokerage.models import Participant
from jumelage.brokerage.suggestions import suggested
from jumelage.directory.models import Theme
from tests.brokerage.conftest import add_participant
from tests.brokerage.test_pages import login
from tests.opportunities.helpers import make_opportunity


def describe(people, **texts):
    for name, (offers, seeks) in texts.items():
        Participant.objects.filter(pk=people[name].pk).update(offers=offers, seeks=seeks)


def names(found):
    return [p.name for p, _reasons in found]


def test_the_participant_whose_offer_answers_my_request_comes_first_with_the_words_in_common(brokerage_world):
    brokerage, people, _staff = brokerage_world
    describe(
        people,
        Anna=("Accounting software for small firms", "Drone inspection of railway bridges"),
        Bruno=("Drone inspection of bridges and viaducts with thermal cameras", "Distributors in Belgium"),
        Chloé=("Bakery supplies and flour", "Bakers"),
        Dirk=("Payroll outsourcing", "Office furniture"),
    )
    found = suggested(brokerage, people["Anna"])
    assert names(found)[0] == "Bruno"
    reasons = found[0][1]
    assert any("drone" in r and "bridge" in r for r in reasons), reasons
    assert "Chloé" not in names(found)  # nothing in common: not suggested at all


def test_shared_themes_are_named_in_the_reader_s_language(brokerage_world):
    brokerage, people, _staff = brokerage_world
    theme = Theme.objects.create(
        code="mobility-test", label_fr="Mobilité", label_nl="Mobiliteit", label_en="Mobility"
    )
    for name in ("Anna", "Dirk"):
        people[name].themes.set([theme])
        Participant.objects.filter(pk=people[name].pk).update(offers="", seeks="")  # themes only
    Participant.objects.filter(pk__in=[people["Bruno"].pk, people["Chloé"].pk]).update(offers="", seeks="")
    found = suggested(brokerage, people["Anna"])
    assert names(found) == ["Dirk"]
    assert any("Mobility" in r for r in found[0][1]), found


def test_nobody_already_asked_and_nobody_from_my_own_organisation_is_suggested(brokerage_world):
    brokerage, people, _staff = brokerage_world
    text = ("Cybersecurity audits for hospitals", "Hospitals needing cybersecurity audits")
    describe(people, Anna=text, Bruno=text, Chloé=text, Dirk=text)
    colleague = add_participant(
        brokerage, "Eva", "BE", offers=text[0], seeks=text[1], organisation=people["Anna"].organisation
    )
    found = names(suggested(brokerage, people["Anna"], exclude=[people["Bruno"].pk]))
    assert "Bruno" not in found and colleague.name not in found and "Anna" not in found
    assert sorted(found) == ["Chloé", "Dirk"]


def test_someone_who_joins_later_is_suggested_at_once(brokerage_world):
    brokerage, people, _staff = brokerage_world
    describe(people, Anna=("Smart parking sensors", "Investors in smart parking sensors"))
    assert "Zoe" not in names(suggested(brokerage, people["Anna"]))
    add_participant(brokerage, "Zoe", "FR", offers="We invest in smart parking sensors and mobility startups")
    assert names(suggested(brokerage, people["Anna"]))[0] == "Zoe"


def test_the_brokerage_page_shows_my_suggestions_and_why(brokerage_world):
    brokerage, people, _staff = brokerage_world
    describe(
        people,
        Anna=("Accounting software", "Drone inspection of railway bridges"),
        Bruno=("Drone inspection of bridges", ""),
    )
    page = login(people["Anna"].user).get(f"/events/{brokerage.event.slug}/b2b/").content.decode()
    section = page[page.index("Suggested for you") :]
    section = section[: section.index("</section>")]
    assert "Bruno" in section and "matching words" in section and "Chloé" not in section
    # The catalogue's country filter lists each country once.
    assert page.count('<option value="BE">') == 1 and page.count('<option value="FR">') == 1


def test_the_catalogue_filters_by_theme_and_shows_themes_and_published_opportunities(brokerage_world, world):
    brokerage, people, _staff = brokerage_world
    mobility = Theme.objects.create(code="mobility-test", label_fr="Mobilité", label_en="Mobility")
    health = Theme.objects.create(code="health-test", label_fr="Santé", label_en="Health")
    people["Bruno"].themes.set([mobility])
    people["Chloé"].themes.set([health])
    shown = make_opportunity(world, organisation=people["Bruno"].organisation, title="Air sensors for trams")
    make_opportunity(
        world, organisation=people["Bruno"].organisation, title="Unpublished draft", publish=False
    )
    client = login(people["Anna"].user)
    url = f"/events/{brokerage.event.slug}/b2b/"

    page = client.get(url).content.decode()
    catalogue = page[page.index('id="catalogue-title"') :]
    assert '<option value="health-test">Health</option>' in catalogue
    assert f'<a href="/opportunities/{shown.pk}/">Air sensors for trams</a>' in catalogue
    assert "Unpublished draft" not in page
    assert "<strong>Themes:</strong> Mobility" in catalogue

    filtered = client.get(url, {"theme": "mobility-test"}).content.decode()
    filtered = filtered[filtered.index('id="catalogue-title"') :]
    assert "Bruno" in filtered and "Chloé" not in filtered and "Dirk" not in filtered
    assert '<option value="mobility-test" selected>' in filtered
