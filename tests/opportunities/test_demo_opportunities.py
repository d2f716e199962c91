"""The demo's invented opportunities and market needs: labelled "Demo", published by real demo
organisations of each side, written once."""

from jumelage.demo.opportunities import NOTE_EN, NOTE_FR, load_demo_opportunities
from jumelage.opportunities.models import MarketNeed, Opportunity


def test_demo_opportunities_are_labelled_and_loaded_once(world, themes):
    world.be_org.themes.set([themes["energy"]])
    world.fr_org.themes.set([themes["mobility"]])
    created = load_demo_opportunities()
    assert created >= 2
    opportunities = list(Opportunity.objects.all())
    assert all(o.title.startswith("Demo — ") for o in opportunities)
    assert all(NOTE_FR in o.summary and NOTE_EN in o.summary for o in opportunities)
    assert {o.organisation for o in opportunities} == {world.be_org, world.fr_org}
    assert all(o.status == "published" and o.themes.exists() for o in opportunities)
    assert MarketNeed.objects.filter(expressed_by="Demo").count() == 4
    assert load_demo_opportunities() == 0
    assert Opportunity.objects.count() == len(opportunities)
    assert MarketNeed.objects.count() == 4
