"""`jumelage demo`: the shipped demo file, loading it (twice), and the demo login of each role."""

import gzip
import json
import re
import stat
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from jumelage.demo.loader import DEMO_FILES, demo_organisations
from jumelage.directory.identifiers import normalise_siren
from jumelage.directory.models import Membership, Organisation, Representative, Theme
from jumelage.directory.search import search_organisations
from jumelage.ecosystems.models import Ecosystem, EcosystemStaff, LabelChange, NetworkNode, NodeStaff

CORDIS_CREDIT = "Source: CORDIS, European Commission (2017 extract); transformed."
ILAB_CREDIT = "MESR – Lauréats i-Lab, Licence Ouverte v2.0"


def test_shipped_file_is_compact_attributed_and_consistent():
    raw = DEMO_FILES.joinpath("organisations.json.gz").read_bytes()
    assert len(raw) < 1_000_000
    payload = json.loads(gzip.decompress(raw))
    assert payload["credits"] == [CORDIS_CREDIT, ILAB_CREDIT]
    attribution = DEMO_FILES.joinpath("ATTRIBUTION.md").read_text(encoding="utf-8")
    assert CORDIS_CREDIT in attribution and ILAB_CREDIT in attribution

    records = payload["organisations"]
    codes = {t["code"] for t in json.loads(DEMO_FILES.joinpath("themes.json").read_text())["themes"]}
    assert len({r["slug"] for r in records}) == len(records)
    assert {r["ecosystem"] for r in records} == {"digital-wallonia", "la-french-tech"}
    for rec in records:
        assert set(rec.get("themes", [])) <= codes, rec["name"]
        if rec.get("siren"):
            assert normalise_siren(rec["siren"]) == rec["siren"]
        if rec["ecosystem"] == "digital-wallonia":
            assert rec["country"] == "BE" and rec["region"] in {"Wallonie", "Bruxelles-Capitale"}
        # nothing invented: no founding year, size or stage in the sources
        assert not {"founding_year", "size_band", "stage"} & set(rec)
    # the long i-Lab summaries (which can name founders) are not shipped
    assert not any(rec.get("description_fr") for rec in records)


def run_demo(*args):
    out = StringIO()
    with translation.override("en"):
        call_command("demo", "--no-serve", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    return settings.DATA_DIR


@pytest.mark.django_db(transaction=False)
def test_demo_loads_real_data_once_and_prints_working_logins(data_dir, client):
    taken = Organisation.objects.create(
        kind="company", name="Holder", slug="holder", country="FR", siren="507620557"
    )

    first = run_demo("--bind", "127.0.0.1:8123")

    # ecosystems and nodes named in the product brief
    assert set(Ecosystem.objects.values_list("name", flat=True)) == {"Digital Wallonia", "La French Tech"}
    ftbxl = NetworkNode.objects.get(slug="french-tech-brussels")
    assert (ftbxl.kind, ftbxl.parent.slug, ftbxl.ecosystem.slug) == (
        "hub",
        "reseau-la-french-tech",
        "la-french-tech",
    )
    assert not LabelChange.objects.exists()  # the brief gives no dated label decision
    # each ecosystem its own colour in badges and charts, and a description in the three languages
    brands = client.get(reverse("ecosystems:brands-css")).content.decode()
    assert ".brand-digital-wallonia-fill { fill: #a8102b; }" in brands
    assert ".brand-la-french-tech-fill { fill: #1d3f8f; }" in brands
    for eco in Ecosystem.objects.all():
        assert eco.description_fr and eco.description_nl and eco.description_en, eco.slug
    assert set(
        NetworkNode.objects.filter(ecosystem__slug="digital-wallonia").values_list("short_name", "kind")
    ) >= {
        ("AdN", "agency"),
        ("AWEX", "export_agency"),
        ("Infopole", "cluster"),
        ("Twist", "cluster"),
    }
    assert set(NetworkNode.objects.filter(kind="region").values_list("name", flat=True)) == {
        "Bretagne",
        "Hauts-de-France",
        "Nouvelle-Aquitaine",
    }

    # organisations per ecosystem, as shipped
    shipped = demo_organisations()
    dw = Membership.objects.filter(ecosystem__slug="digital-wallonia").count()
    ft = Membership.objects.filter(ecosystem__slug="la-french-tech").count()
    assert dw == sum(r["ecosystem"] == "digital-wallonia" for r in shipped) > 300
    assert ft == sum(r["ecosystem"] == "la-french-tech" for r in shipped) > 1500
    assert f"Digital Wallonia: {dw} organisations" in first
    assert f"La French Tech: {ft} organisations" in first

    # an i-Lab startup: tagline, themes from the sector table, i-Lab year, credit
    kalray = Organisation.objects.get(slug="kalray")
    assert kalray.kind == "startup"
    assert kalray.tagline_fr == "Circuits numériques programmables haute performance pour systèmes embarqués"
    assert set(kalray.themes.values_list("code", flat=True)) == {"electronics", "telecom"}
    assert kalray.extra["ilab"]["years"] == [2008]
    assert ILAB_CREDIT in kalray.source
    # its SIREN was already held by another organisation: the identifier is dropped, the record kept
    assert kalray.siren == "" and taken.siren == "507620557"
    # a CORDIS organisation in Wallonia
    cordis = Organisation.objects.filter(source=CORDIS_CREDIT, region="Wallonie").first()
    assert cordis.kind in {"company", "research_lab", "university", "public_body", "support"}
    assert cordis.eu_pic and cordis.memberships.get().ecosystem.slug == "digital-wallonia"
    assert Theme.objects.get(code="mobility").parent.code == "smart-city"
    # indexed for search in the same run
    found = search_organisations(Organisation.objects.all(), "circuits programmables")
    assert "kalray" in set(found.values_list("slug", flat=True))

    # two invented relays from French Tech Brussels: one shared on AWEX's page, one still to decide
    from jumelage.relay.models import Relay

    relays = Relay.objects.order_by("to_node__slug")
    assert [(r.from_node.slug, r.to_node.slug, r.status) for r in relays] == [
        ("french-tech-brussels", "awex", "shared"),
        ("french-tech-brussels", "infopole-cluster-tic", "pending"),
    ]
    assert all(r.message.startswith("Demo (invented)") for r in relays)
    awex_page = client.get("/nodes/awex/").content.decode()
    assert relays[0].opportunity.title in awex_page

    # the announced partnership, as announced: its four forms planned, nothing invented about their fate
    from jumelage.partnerships.models import Partnership

    partnership = Partnership.objects.get()
    assert [p.brand.slug for p in partnership.parties.all()] == ["digital-wallonia", "french-tech-brussels"]
    assert partnership.signed_on.isoformat() == "2017-06-16"
    assert {a.status for a in partnership.actions.all()} == {"planned"} and partnership.actions.count() == 4
    assert not partnership.meetings.exists()
    page = client.get(f"/partnerships/{partnership.slug}/").content.decode()
    assert "Mobile World Congress" in page

    # second run: nothing duplicated, same logins printed
    counts = (
        Organisation.objects.count(),
        Membership.objects.count(),
        Theme.objects.count(),
        NetworkNode.objects.count(),
        Relay.objects.count(),
        Partnership.objects.count(),
    )
    second = run_demo("--bind", "127.0.0.1:8123")
    assert "Demo data already loaded." in second
    assert (
        Organisation.objects.count(),
        Membership.objects.count(),
        Theme.objects.count(),
        NetworkNode.objects.count(),
        Relay.objects.count(),
        Partnership.objects.count(),
    ) == counts

    # the demo B2B meetings: the demo attendees take part (accounts that cannot log in), with
    # invented requests across the border in every state
    from jumelage.brokerage.models import Brokerage

    b2b = Brokerage.objects.get(event__slug="demo-smart-city-day")
    assert b2b.participants.count() == 12 and all(p.offers for p in b2b.participants.all())
    assert not any(p.user.has_usable_password() for p in b2b.participants.select_related("user"))
    assert (
        sorted(b2b.requests.values_list("status", flat=True))
        == ["accepted"] * 3 + ["declined"] + ["pending"] * 2
    )
    assert b2b.meetings.count() == 3
    for request in b2b.requests.select_related("requester__organisation", "recipient__organisation"):
        assert {request.requester.organisation.country, request.recipient.organisation.country} == {
            "BE",
            "FR",
        }

    # the URL, each role and its password are printed; the clear passwords live in a 0600 file
    assert "Jumelage demo: http://127.0.0.1:8123/" in first
    logins = dict(re.findall(r"^  .+?  (demo-[a-z-]+) +(\S+)$", first, flags=re.M))
    assert logins == dict(re.findall(r"^  .+?  (demo-[a-z-]+) +(\S+)$", second, flags=re.M))
    for role in (
        "Platform admin",
        "Ecosystem staff (Digital Wallonia)",
        "Node staff (French Tech Brussels)",
        "Organisation representative (KALRAY)",
        "Member",
    ):
        assert role in first
    stored = json.loads((data_dir / "demo-logins.json").read_text())
    assert stored == logins
    assert stat.S_IMODE((data_dir / "demo-logins.json").stat().st_mode) == 0o600

    # each printed login works, and each account holds its role
    users = {u.username: u for u in get_user_model().objects.filter(username__in=logins)}
    assert users["demo-admin"].is_superuser
    assert EcosystemStaff.objects.filter(
        user=users["demo-dw-staff"], ecosystem__slug="digital-wallonia"
    ).exists()
    assert NodeStaff.objects.filter(user=users["demo-ftbxl-staff"], node=ftbxl).exists()
    assert Representative.objects.filter(user=users["demo-representative"], organisation=kalray).exists()
    assert not users["demo-member"].is_staff
    for username, password in logins.items():
        assert users[username].password.startswith("argon2")
        response = client.post(reverse("login"), {"username": username, "password": password})
        assert response.wsgi_request.user.username == username, username
        client.logout()
