"""The partners' report: figures equal what the registrations say, each partner's share, pitches and
their outcomes, the feedback summary, and the CSV/XLSX exports read back."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone, translation
from openpyxl import load_workbook

from jumelage.core.models import AuditLog
from jumelage.directory.models import Membership
from jumelage.events.models import Call, EventPartner, Feedback, Registration, Submission
from jumelage.events.services import reports
from tests.factories import OrganisationFactory, build_event

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def _english():
    """Labels are asserted in English (msgids); pages are asked for in English too (EN)."""
    with translation.override("en"):
        yield


@pytest.fixture
def setting(world):
    """Smart City Day, over since an hour, with five registrations:
    - Wallonie Startup (DW via AWEX), came through DW, checked in;
    - Paris Deeptech (La French Tech via French Tech Brussels), came through FTBXL, not checked in;
    - a freelancer not in the directory (company, FR), came through FTBXL, checked in;
    - one on the waiting list and one cancelled (counted apart, not in the breakdowns)."""
    now = timezone.now()
    event = build_event(world, starts_at=now - timedelta(hours=9), ends_at=now - timedelta(hours=1))
    lead = event.partners.get(role="lead")
    ftbxl = event.partners.get(role="co_organiser")

    def reg(name, **fields):
        fields.setdefault("status", "confirmed")
        return Registration.objects.create(
            event=event, name=name, email=f"{name.lower().replace(' ', '.')}@example.org", **fields
        )

    came = event.starts_at + timedelta(minutes=20)
    regs = {
        "ana": reg(
            "Ana Wallon",
            organisation=world.be_org,
            organisation_name="Wallonie Startup",
            country="BE",
            via_partner=lead,
            checked_in_at=came,
            language="nl",
        ),
        "paul": reg("Paul Paris", organisation=world.fr_org, country="FR", via_partner=ftbxl),
        "fred": reg(
            "Fred Free",
            organisation_name="Freelance",
            organisation_kind="company",
            country="fr",
            via_partner=ftbxl,
            checked_in_at=came,
            language="en",
        ),
        "wait": reg("Wanda Wait", status="waitlisted", organisation=world.be_org),
        "gone": reg("Gus Gone", status="cancelled", organisation=world.be_org, checked_in_at=None),
    }
    event.confirmed_count = 3
    event.save(update_fields=["confirmed_count"])
    return event, regs


def rows(breakdowns, key):
    return next(b for b in breakdowns if b.id == key).rows


def test_figures_equal_what_the_registrations_say(world, setting):
    event, _regs = setting
    report = reports.build_report(event=event, user=world.users["node_staff"])

    assert (report.confirmed, report.came, report.waitlisted, report.cancelled) == (3, 2, 1, 1)
    assert report.attendance_percent == 66.7
    assert report.no_shows == 1
    assert rows(report.breakdowns, "ecosystem") == [
        ("Digital Wallonia", 1, 1),
        ("La French Tech", 1, 0),
        ("Not a member organisation", 1, 1),
    ]
    assert rows(report.breakdowns, "country") == [("France", 2, 1), ("Belgium", 1, 1)]  # by name
    # The registration's own answer first, else the directory's: Paris Deeptech is a startup.
    assert rows(report.breakdowns, "kind") == [("Startup", 2, 1), ("Company", 1, 1)]
    assert rows(report.breakdowns, "node") == [
        ("AWEX", 1, 1),
        ("French Tech Brussels", 1, 0),
        ("Through no node", 1, 1),
    ]
    # Who came through which partner: totals for all, "yours" for French Tech Brussels' staff.
    shares = [
        (s.name, s.registered, s.registered_percent, s.came, s.came_percent, s.own) for s in report.shares
    ]
    assert shares == [
        ("Digital Wallonia", 1, 33.3, 1, 50.0, False),
        ("French Tech Brussels", 2, 66.7, 1, 50.0, True),
    ]
    dw_view = reports.build_report(event=event, user=world.users["ecosystem_staff"])
    assert [s.name for s in dw_view.own_shares] == ["Digital Wallonia"]
    assert reports.build_report(event=event, user=world.users["admin"]).own_shares == []


def test_registrations_through_no_partner_get_their_own_row(world, setting):
    event, regs = setting
    Registration.objects.filter(pk=regs["fred"].pk).update(via_partner=None)
    shares = reports.build_report(event=event).shares
    assert [(s.name, s.registered, s.came) for s in shares] == [
        ("Digital Wallonia", 1, 1),
        ("French Tech Brussels", 1, 0),
        ("Through no partner", 1, 1),
    ]


def test_report_page_shows_charts_tables_and_highlights_your_share(world, setting, client_factory):
    event, _regs = setting
    page = client_factory(world.users["node_staff"]).get(f"/events/{event.slug}/report/", **EN)
    html = page.content.decode()
    assert page.status_code == 200
    assert "<h1>Report: Smart City Day</h1>" in html
    assert (
        "Your share: French Tech Brussels brought 2 of the 3 confirmed registrations (66.7%), and 1 of "
        "them were checked in." in html
    )
    # One highlighted row: French Tech Brussels', marked in text too (not by colour alone).
    assert html.count('<tr class="own-share">') == 1
    own_row = html.split('<tr class="own-share">')[1].split("</tr>")[0]
    assert "French Tech Brussels" in own_row and "yours" in own_row
    # Four breakdown charts with their tables, and the SVG speaks as an image with a title.
    assert html.count('role="img"') == 4
    for key in ("ecosystem", "country", "kind", "node", "partners"):
        assert f'id="table-{key}"' in html
    assert "<title>Registered — AWEX: 1</title>" in html
    assert '<th scope="row">Not a member organisation</th><td>1</td><td>1</td>' in html
    # Supporting/other partners' staff see the same totals without "your share" of another partner.
    dw_html = client_factory(world.users["ecosystem_staff"]).get(f"/events/{event.slug}/report/", **EN)
    assert "Your share: Digital Wallonia brought 1 of the 3" in dw_html.content.decode()


def test_only_partner_staff_open_the_report(world, setting, client_factory):
    event, _regs = setting
    for role in ("member", "representative"):
        assert client_factory(world.users[role]).get(f"/events/{event.slug}/report/").status_code == 403
    anonymous = client_factory().get(f"/events/{event.slug}/report/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")


def test_before_the_event_the_report_says_so(world, client_factory):
    event = build_event(world)
    html = client_factory(world.users["admin"]).get(f"/events/{event.slug}/report/", **EN).content.decode()
    assert "The event has not started yet" in html
    assert "No confirmed registration yet." in html
    assert "No pitch application for this event." in html


# --- Pitches -------------------------------------------------------------------------------------------


@pytest.fixture
def pitches(setting, world):
    event, _regs = setting
    now = timezone.now()
    pitch_call = Call.objects.create(
        event=event,
        kind="pitch",
        title="Pitches",
        opens_at=now - timedelta(days=20),
        closes_at=now - timedelta(days=5),
    )
    talk_call = Call.objects.create(
        event=event,
        kind="talk",
        title="Talks",
        opens_at=now - timedelta(days=20),
        closes_at=now - timedelta(days=5),
    )
    other = OrganisationFactory(name="Zebra Robotics")

    def submit(call, org, title, status):
        return Submission.objects.create(
            call=call,
            organisation=org,
            title=title,
            abstract="…",
            speaker_name="Speaker",
            speaker_email="s@example.org",
            status=status,
            stage="seed",
        )

    return {
        "selected": submit(pitch_call, world.be_org, "Urban sensors", "confirmed"),
        "rejected": submit(pitch_call, other, "Robot bins", "rejected"),
        "talk": submit(talk_call, world.fr_org, "A talk, not a pitch", "selected"),
    }


def test_pitches_and_their_outcomes(world, setting, pitches, client_factory):
    event, _regs = setting
    report = reports.build_report(event=event)
    assert [s.title for s in report.pitches] == ["Urban sensors", "Robot bins"]  # by startup name
    assert dict(report.pitch_status_counts) == {"not selected": 1, "confirmed": 1}

    organiser = client_factory(world.users["node_staff"])
    url = f"/events/{event.slug}/report/pitches/{pitches['selected'].pk}/outcome/"
    response = organiser.post(url, {"outcome": "  Two pilots with Namur  "}, **EN)
    assert response.status_code == 302 and response["Location"].endswith("/report/#pitches")
    assert Submission.objects.get(pk=pitches["selected"].pk).outcome == "Two pilots with Namur"
    assert AuditLog.objects.filter(action="submission.outcome", actor=world.users["node_staff"]).count() == 1
    page = organiser.get(f"/events/{event.slug}/report/", **EN).content.decode()
    assert "The outcome of the pitch “Urban sensors” was saved." in page
    assert "Two pilots with Namur</textarea>" in page
    assert "A talk, not a pitch" not in page

    # A talk's submission is not a pitch; a member may not write outcomes; nothing changes.
    talk_url = f"/events/{event.slug}/report/pitches/{pitches['talk'].pk}/outcome/"
    assert organiser.post(talk_url, {"outcome": "x"}).status_code == 404
    member = client_factory(world.users["member"])
    assert member.post(url, {"outcome": "Hacked"}).status_code == 403
    assert Submission.objects.get(pk=pitches["selected"].pk).outcome == "Two pilots with Namur"
    too_long = organiser.post(url, {"outcome": "x" * 4001}, **EN)
    assert too_long.status_code == 400 and b"The outcome was not saved" in too_long.content


def test_supporting_partner_staff_see_the_report_but_write_no_outcome(
    world, setting, pitches, client_factory
):
    event, _regs = setting
    from jumelage.ecosystems.models import NodeStaff
    from tests.factories import UserFactory

    EventPartner.objects.create(event=event, node=world.awex, role="supporting", position=2)
    awex_staff = UserFactory(username="awex-staff")
    NodeStaff.objects.create(user=awex_staff, node=world.awex)
    client = client_factory(awex_staff)
    page = client.get(f"/events/{event.slug}/report/", **EN).content.decode()
    assert "Your share: AWEX brought 0 of the 3" in page
    assert "Save the outcome" not in page
    url = f"/events/{event.slug}/report/pitches/{pitches['selected'].pk}/outcome/"
    assert client.post(url, {"outcome": "No"}).status_code == 403


# --- Feedback summary -------------------------------------------------------------------------------


def test_feedback_summary(world, setting, client_factory):
    event, regs = setting
    Feedback.objects.create(registration=regs["ana"], rating=5, comment="Très utile")
    Feedback.objects.create(registration=regs["fred"], rating=3, comment="")
    report = reports.build_report(event=event)
    assert report.feedback_count == 2
    assert report.feedback_average == 4.0
    assert report.ratings == [(1, 0), (2, 0), (3, 1), (4, 0), (5, 1)]
    assert [f.comment for f in report.comments] == ["Très utile"]
    html = client_factory(world.users["admin"]).get(f"/events/{event.slug}/report/", **EN).content.decode()
    assert "2 answers, average rating 4.0 out of 5." in html
    assert "Très utile" in html
    assert 'id="table-ratings"' in html and html.count('role="img"') == 5
    # Comments are shown without the name of who wrote them.
    comments = html.split('class="report-comments"')[1].split("</ul>")[0]
    assert "Ana" not in comments


# --- Exports -----------------------------------------------------------------------------------------


def csv_sections(body: bytes) -> dict[str, list[list[str]]]:
    text = body.decode("utf-8").lstrip("\ufeff")
    sections, current = {}, None
    for row in csv.reader(io.StringIO(text)):
        if not row:
            current = None
        elif current is None:
            current = row[0]
            sections[current] = []
        else:
            sections[current].append(row)
    return sections


def test_report_csv_and_xlsx_hold_the_same_figures(world, setting, pitches, client_factory):
    event, regs = setting
    Feedback.objects.create(registration=regs["ana"], rating=4, comment="=HYPERLINK(1)")
    client = client_factory(world.users["ecosystem_staff"])

    response = client.get(f"/events/{event.slug}/report/export.csv", **EN)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="smart-city-day-report-')
    sections = csv_sections(response.content)
    assert sections["Summary"][0] == ["Figure", "Value"]
    summary = dict(tuple(r) for r in sections["Summary"][1:])
    assert summary["Confirmed registrations"] == "3" and summary["Checked in"] == "2"
    assert summary["Partners"] == "Digital Wallonia (lead organiser) | French Tech Brussels (co-organiser)"
    assert sections["By country"] == [
        ["Country", "Registered", "Checked in"],
        ["France", "2", "1"],
        ["Belgium", "1", "1"],
    ]
    assert sections["Who came through which partner"][1:] == [
        ["Digital Wallonia", "lead organiser", "1", "33.3", "1", "50.0"],
        ["French Tech Brussels", "co-organiser", "2", "66.7", "1", "50.0"],
    ]
    assert ["Wallonie Startup", "Urban sensors", "seed", "confirmed", "", ""] in sections["Pitches"]
    # A comment a spreadsheet would run is neutralised.
    assert sections["Comments"][1] == ["4", "'=HYPERLINK(1)"]

    response = client.get(f"/events/{event.slug}/report/export.xlsx", **EN)
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    assert book.sheetnames == [
        "summary",
        "by_ecosystem",
        "by_country",
        "by_kind",
        "by_node",
        "by_partner",
        "pitches",
        "ratings",
        "comments",
    ]
    assert [list(r) for r in book["by_node"].iter_rows(values_only=True)] == [
        ["Node", "Registered", "Checked in"],
        ["AWEX", 1, 1],
        ["French Tech Brussels", 1, 0],
        ["Through no node", 1, 1],
    ]
    assert [list(r) for r in book["ratings"].iter_rows(values_only=True)][1:] == [
        [1, 0],
        [2, 0],
        [3, 0],
        [4, 1],
        [5, 0],
    ]
    partner_rows = [list(r) for r in book["by_partner"].iter_rows(values_only=True)]
    assert partner_rows[2] == ["French Tech Brussels", "co-organiser", 2, 66.7, 1, 50.0]


def test_attendee_list_holds_only_what_registrants_gave(world, setting, client_factory):
    event, regs = setting
    client = client_factory(world.users["node_staff"])
    response = client.get(f"/events/{event.slug}/report/attendees.csv", **EN)
    assert response["Content-Disposition"].startswith('attachment; filename="smart-city-day-attendees-')
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8").lstrip("\ufeff"))))
    assert table[0] == [
        "Name",
        "E-mail",
        "Organisation",
        "Kind of organisation",
        "Country",
        "Role",
        "Came through",
        "Status",
        "Registered",
        "Checked in",
    ]
    by_name = {row[0]: row for row in table[1:]}
    assert set(by_name) == {"Ana Wallon", "Fred Free", "Paul Paris", "Wanda Wait"}  # cancelled left out
    assert by_name["Paul Paris"][:8] == [
        "Paul Paris",
        "paul.paris@example.org",
        "Paris Deeptech",
        "Startup",
        "FR",
        "",
        "French Tech Brussels",
        "confirmed",
    ]
    assert by_name["Paul Paris"][9] == "" and by_name["Ana Wallon"][9] != ""
    assert regs["ana"].token not in response.content.decode()

    book = load_workbook(io.BytesIO(client.get(f"/events/{event.slug}/report/attendees.xlsx").content))
    sheet_rows = list(book["attendees"].iter_rows(values_only=True))
    assert len(sheet_rows) == 5 and sheet_rows[0][1] == "E-mail"

    assert (
        client_factory(world.users["representative"])
        .get(f"/events/{event.slug}/report/attendees.csv")
        .status_code
        == 403
    )
    assert client.get(f"/events/{event.slug}/report/attendees.pdf").status_code == 404


def test_a_member_of_both_ecosystems_counts_in_each(world, setting):
    event, _regs = setting
    Membership.objects.create(organisation=world.be_org, ecosystem=world.frenchtech, node=world.ftbxl)
    report = reports.build_report(event=event)
    assert rows(report.breakdowns, "ecosystem") == [
        ("La French Tech", 2, 1),
        ("Digital Wallonia", 1, 1),
        ("Not a member organisation", 1, 1),
    ]
    assert report.confirmed == 3  # the total counts each person once


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_report_page_queries_do_not_grow_with_registrations(world, setting, pitches, client_factory):
    event, regs = setting
    Feedback.objects.create(registration=regs["ana"], rating=5, comment="ok")
    client = client_factory(world.users["node_staff"])
    url = f"/events/{event.slug}/report/"
    client.get(url)  # warm the session and caches
    few = _queries(client, url)
    for n in range(6):
        org = OrganisationFactory()
        Membership.objects.create(organisation=org, ecosystem=world.frenchtech, node=world.ftbxl)
        reg = Registration.objects.create(
            event=event,
            name=f"More {n}",
            email=f"more{n}@example.org",
            status="confirmed",
            organisation=org,
            checked_in_at=event.starts_at,
        )
        Feedback.objects.create(registration=reg, rating=3, comment="more")
    assert _queries(client, url) == few
