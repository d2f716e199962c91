"""The ecosystem overview (side by side, as accessible charts with a data table) and detail pages."""

import re

from jumelage.directory.models import Membership
from tests.factories import NodeFactory, OrganisationFactory, ThemeFactory


def squeeze(html: str) -> str:
    """Markup without the whitespace between tags, so table rows can be matched exactly."""
    return re.sub(r">\s+<", "><", html)


def table(html: str, chart_id: str) -> dict[str, list[int]]:
    """{row label: [count per ecosystem]} read from the rendered data table of one chart."""
    body = re.search(rf'<table id="{chart_id}-table">.*?<tbody>(.*?)</tbody>', squeeze(html), re.S).group(1)
    rows = {}
    for label, cells in re.findall(r'<tr><th scope="row">(.*?)</th>(.*?)</tr>', body):
        rows[label] = [int(v) for v in re.findall(r"<td>(\d+)</td>", cells)]
    return rows


def test_overview_counts_match_the_data(client, world):
    smart = ThemeFactory(label_en="Smart city")
    mobility = ThemeFactory(label_en="Mobility", parent=smart)
    health = ThemeFactory(label_en="Health")
    world.be_org.region = "Wallonie"
    world.be_org.save()
    world.be_org.themes.set([mobility])
    world.fr_org.region = "Île-de-France"
    world.fr_org.save()
    world.fr_org.themes.set([smart, mobility])  # one organisation, counted once under Smart city
    world.hidden.themes.set([health])  # unpublished: never counted
    extra = OrganisationFactory(name="Liège Labs", kind="university", region="Wallonie")
    extra.themes.set([health, mobility])
    Membership.objects.create(organisation=extra, ecosystem=world.wallonia)  # ecosystem-level member
    Membership.objects.create(organisation=extra, ecosystem=world.wallonia, node=world.awex)  # same org twice
    both = OrganisationFactory(name="Border Tech", kind="startup", region="")
    Membership.objects.create(organisation=both, ecosystem=world.wallonia)
    Membership.objects.create(organisation=both, ecosystem=world.frenchtech, node=world.ftbxl)

    response = client.get("/ecosystems/", HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200

    # Columns: Digital Wallonia, La French Tech (by name).
    assert table(html, "chart-theme") == {
        "Smart city": [2, 1],
        "Health": [1, 0],
        "No theme given": [1, 1],
    }
    assert table(html, "chart-kind") == {"Startup": [2, 2], "University": [1, 0]}
    assert table(html, "chart-region") == {
        "Region not given": [1, 1],
        "Wallonie": [2, 0],
        "Île-de-France": [0, 1],
    }
    cards = squeeze(html)
    assert "3 member organisations" in cards  # Digital Wallonia: be_org, Liège Labs, Border Tech
    assert "2 member organisations" in cards  # La French Tech: fr_org, Border Tech (not the unpublished)


def test_overview_charts_are_accessible_svg_coloured_by_brand_classes(client, world):
    html = client.get("/ecosystems/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    svgs = re.findall(r"<svg [^>]*class=\"bar-chart\"[^>]*>", html)
    assert len(svgs) == 3
    for svg in svgs:
        assert 'role="img"' in svg and "aria-labelledby=" in svg
    assert '<title id="chart-kind-title">Member organisations by kind</title>' in html
    assert 'class="chart-bar brand-digital-wallonia-fill"' in html
    assert 'class="chart-bar brand-la-french-tech-fill"' in html
    assert "<details" in html and '<th scope="col">Digital Wallonia</th>' in html
    assert " style=" not in html and "<style" not in html


def test_brand_stylesheet_has_fill_classes_for_charts(client, world):
    world.wallonia.primary_colour = "#c8102e"
    world.wallonia.save()
    css = client.get("/brands.css").content.decode()
    assert ".brand-digital-wallonia-fill { fill: #c8102e; }" in css


def test_overview_without_members_says_so(client, world):
    Membership.objects.all().delete()
    html = client.get("/ecosystems/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert html.count("No published member organisation yet.") == 3
    assert 'class="bar-chart"' not in html


def test_overview_without_ecosystems(client, db):
    html = client.get("/ecosystems/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No ecosystem yet." in html


def test_ecosystem_detail_groups_nodes_by_kind_with_member_counts(client, world):
    NodeFactory(ecosystem=world.frenchtech, kind="community", name="French Tech Liège", slug="ft-liege")
    NodeFactory(ecosystem=world.frenchtech, kind="hub", name="French Tech Berlin", slug="ft-berlin")
    html = squeeze(client.get("/ecosystems/la-french-tech/", HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert '<header class="ecosystem-header brand-la-french-tech">' in html
    hubs = re.search(r"<h3[^>]*>International hub</h3>(.*?)</section>", html).group(1)
    assert ">French Tech Berlin</a></th><td>—</td><td>—</td><td>0</td>" in hubs
    assert ">French Tech Brussels</a></th><td>—</td><td>—</td><td>1</td>" in hubs  # hidden not counted
    assert re.search(r"<h3[^>]*>Community</h3>.*French Tech Liège", html)
    assert 'href="/directory/?ecosystem=la-french-tech"' in html
    assert "See its 1 member organisation in the directory" in html


def test_unknown_ecosystem_is_404(client, db):
    assert client.get("/ecosystems/nowhere/").status_code == 404
