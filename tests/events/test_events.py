"""Events core: staff create, edit, publish and cancel events with their partners; bad input is refused
with a clear message and nothing written."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from jumelage.core.models import AuditLog
from jumelage.events.models import Event, EventPartner
from jumelage.events.services import events as services
from tests.factories import EventFactory, build_event

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read English messages: English is the language of requests without a preference
    (and of the services called directly), whatever catalogs are compiled."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def _local(dt):
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def _form(world, **overrides):
    start = timezone.now() + timedelta(days=40)
    data = {
        "lead": f"ecosystem:{world.wallonia.pk}",
        "co_organisers": [f"node:{world.ftbxl.pk}"],
        "title": "Smart Mobility Evening",
        "summary": "Walloon and French startups on urban mobility.",
        "kind": "pitch_evening",
        "visibility": "public",
        "starts_at": _local(start),
        "ends_at": _local(start + timedelta(hours=3)),
        "venue": "BeCentral",
        "city": "Bruxelles",
        "country": "be",
        "languages": ["fr", "en"],
        "capacity": "80",
        "waitlist": "on",
        "description_fr": "Une soirée de pitchs.",
    }
    data.update(overrides)
    return data


def _partners(event):
    return [
        (p.brand_name, p.role, p.position)
        for p in EventPartner.objects.filter(event=event).order_by("position")
    ]


# --- Create ----------------------------------------------------------------------------------------------


def test_staff_create_an_event_with_its_partners_in_order(world, client_factory):
    client = client_factory(world.users["ecosystem_staff"])
    response = client.post("/events/new/", _form(world), **EN)
    event = Event.objects.get(title="Smart Mobility Evening")
    assert response.status_code == 302 and response["Location"] == f"/events/{event.slug}/"
    assert event.slug == "smart-mobility-evening"
    assert event.status == Event.Status.DRAFT
    assert event.kind == "pitch_evening" and event.capacity == 80 and event.country == "BE"
    assert event.languages == ["fr", "en"]
    assert event.created_by == world.users["ecosystem_staff"]
    assert _partners(event) == [
        ("Digital Wallonia", "lead", 0),
        ("French Tech Brussels", "co_organiser", 1),
    ]
    assert AuditLog.objects.filter(action="event.create", object_id=str(event.pk)).exists()
    page = client.get(response["Location"], **EN).content.decode()
    assert "was created as a draft" in page
    assert "Draft: only the partners" in page


@pytest.mark.parametrize(
    ("change", "field_message"),
    [
        (
            {"starts_at": "2020-01-10T09:00", "ends_at": "2020-01-10T12:00"},
            "The start date is in the past: an event can only be planned for the future.",
        ),
        ("end_before_start", "The event must end after it starts."),
        ({"lead": "node:999999"}, "Unknown partner: choose an existing ecosystem or network node."),
        (
            {"co_organisers": ["ecosystem:999999"]},
            "Unknown partner: choose existing ecosystems or network nodes.",
        ),
        ({"lead": ""}, "This field is required."),
        ({"city": "", "online": ""}, "Give the city where the event takes place, or mark it as online."),
        ({"registration_closes_at": "2099-01-01T00:00"}, "Registration must close before the event ends."),
    ],
)
def test_bad_input_on_a_new_event_is_refused_with_a_clear_message_and_nothing_is_written(
    world, client_factory, change, field_message
):
    client = client_factory(world.users["ecosystem_staff"])
    data = _form(world)
    if change == "end_before_start":
        data["ends_at"] = _local(timezone.now() + timedelta(days=39))
    else:
        data.update(change)
    before = (Event.objects.count(), EventPartner.objects.count(), AuditLog.objects.count())
    response = client.post("/events/new/", data, **EN)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Nothing was saved" in body
    assert field_message in body
    assert (Event.objects.count(), EventPartner.objects.count(), AuditLog.objects.count()) == before


def test_an_event_needs_exactly_one_lead(world):
    staff = world.users["ecosystem_staff"]
    start = timezone.now() + timedelta(days=10)
    data = {
        "title": "No lead",
        "kind": "conference",
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
    }
    data |= {"city": "Namur", "country": "BE"}
    with pytest.raises(ValidationError) as no_lead:
        services.create_event(actor=staff, data=data, partners=[(world.wallonia, "co_organiser")])
    assert "An event needs a lead organiser" in str(no_lead.value)
    with pytest.raises(ValidationError) as two_leads:
        services.create_event(
            actor=staff, data=data, partners=[(world.wallonia, "lead"), (world.ftbxl, "lead")]
        )
    assert "exactly one lead organiser" in str(two_leads.value)
    with pytest.raises(ValidationError) as twice:
        services.create_event(
            actor=staff, data=data, partners=[(world.wallonia, "lead"), (world.wallonia, "co_organiser")]
        )
    assert "Digital Wallonia is named twice" in str(twice.value)
    assert not Event.objects.exists()


def test_staff_may_only_create_events_their_own_ecosystem_or_node_organises(world, client_factory):
    # French Tech Brussels staff naming Digital Wallonia as the only organiser: refused.
    client = client_factory(world.users["node_staff"])
    response = client.post("/events/new/", _form(world, co_organisers=[]), **EN)
    assert response.status_code == 400
    assert "You may only create an event that your own ecosystem or node leads or co-organises." in (
        response.content.decode()
    )
    assert not Event.objects.exists()
    # As a co-organiser it may.
    response = client.post("/events/new/", _form(world), **EN)
    assert response.status_code == 302
    assert Event.objects.get().created_by == world.users["node_staff"]


def test_plain_members_cannot_open_the_new_event_form(world, client_factory):
    assert client_factory(world.users["member"]).get("/events/new/").status_code == 403
    assert client_factory().get("/events/new/")["Location"].startswith("/accounts/login/")


def test_a_reserved_or_taken_slug_gets_a_free_one(world):
    staff = world.users["ecosystem_staff"]
    start = timezone.now() + timedelta(days=10)
    data = {"kind": "conference", "starts_at": start, "ends_at": start + timedelta(hours=2), "city": "Liège"}
    data["country"] = "BE"
    first = services.create_event(
        actor=staff, data={**data, "title": "New"}, partners=[(world.wallonia, "lead")]
    )
    second = services.create_event(
        actor=staff, data={**data, "title": "New"}, partners=[(world.wallonia, "lead")]
    )
    assert (first.slug, second.slug) == ("new-event", "new-event-2")


# --- Edit, publish, cancel ----------------------------------------------------------------------------


def test_organisers_edit_the_event(world, client_factory):
    event = build_event(world)
    client = client_factory(world.users["node_staff"])
    data = _form(
        world, title="Smart City Day 2027", starts_at=_local(event.starts_at), ends_at=_local(event.ends_at)
    )
    response = client.post(f"/events/{event.slug}/edit/", data, **EN)
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.title == "Smart City Day 2027" and event.slug == "smart-city-day"
    assert "was saved" in client.get(response["Location"], **EN).content.decode()
    assert AuditLog.objects.filter(action="event.update", actor=world.users["node_staff"]).exists()


def test_editing_refuses_an_end_before_the_start_and_keeps_the_event(world, client_factory):
    event = build_event(world)
    client = client_factory(world.users["ecosystem_staff"])
    data = _form(
        world,
        title="Changed",
        starts_at=_local(event.starts_at),
        ends_at=_local(event.starts_at - timedelta(hours=1)),
    )
    response = client.post(f"/events/{event.slug}/edit/", data, **EN)
    assert response.status_code == 400
    assert "The event must end after it starts." in response.content.decode()
    event.refresh_from_db()
    assert event.title == "Smart City Day"


def test_an_event_already_started_keeps_its_date_but_cannot_be_moved_into_the_past(world):
    event = build_event(world)
    staff = world.users["ecosystem_staff"]
    with pytest.raises(ValidationError) as exc:
        services.update_event(
            actor=staff, event=event, data={"starts_at": timezone.now() - timedelta(days=1)}
        )
    assert "The start date is in the past" in str(exc.value)
    # Changing something else on an event whose start is unchanged is fine.
    services.update_event(actor=staff, event=event, data={"summary": "New summary"})
    event.refresh_from_db()
    assert event.summary == "New summary"


def test_capacity_cannot_drop_below_the_confirmed_seats(world):
    event = build_event(world)
    Event.objects.filter(pk=event.pk).update(confirmed_count=30)
    with pytest.raises(ValidationError) as exc:
        services.update_event(actor=world.users["ecosystem_staff"], event=event, data={"capacity": 20})
    assert "30 seats are already confirmed" in str(exc.value)
    assert Event.objects.get(pk=event.pk).capacity == 50


def test_supporting_partners_staff_cannot_change_the_event(world):
    event = build_event(world)
    EventPartner.objects.filter(event=event, node=world.ftbxl).update(role="supporting")
    with pytest.raises(PermissionDenied):
        services.update_event(
            actor=world.users["node_staff"], event=Event.objects.get(pk=event.pk), data={"title": "X"}
        )


def test_publish_then_cancel(world, client_factory):
    event = build_event(world, status="draft")
    client = client_factory(world.users["ecosystem_staff"])
    assert client_factory().get(f"/events/{event.slug}/").status_code == 302  # a draft: visitors log in
    response = client.post(f"/events/{event.slug}/publish/", **EN)
    assert response.status_code == 302
    assert Event.objects.get(pk=event.pk).status == "published"
    assert "The event Smart City Day is published." in client.get(response["Location"], **EN).content.decode()
    assert client_factory().get(f"/events/{event.slug}/").status_code == 200

    again = client.post(f"/events/{event.slug}/publish/", **EN)
    assert again.status_code == 409 and "This event is already published." in again.content.decode()

    response = client.post(f"/events/{event.slug}/cancel/", **EN)
    assert Event.objects.get(pk=event.pk).status == "cancelled"
    page = client_factory().get(f"/events/{event.slug}/", **EN).content.decode()
    assert "This event is cancelled." in page
    assert list(
        AuditLog.objects.filter(object_id=str(event.pk)).values_list("action", flat=True).order_by("pk")
    ) == [
        "event.publish",
        "event.cancel",
    ]


def test_members_cannot_publish(world, client_factory):
    event = build_event(world, status="draft")
    EventPartner.objects.create(event=event, node=world.awex, role="supporting", position=2)
    response = client_factory(world.users["representative"]).post(f"/events/{event.slug}/publish/")
    assert response.status_code == 404  # a draft is not even visible to them
    assert Event.objects.get(pk=event.pk).status == "draft"


# --- Partners and their agreed order --------------------------------------------------------------------


def test_organisers_add_reorder_promote_and_remove_partners(world, client_factory):
    event = build_event(world)
    client = client_factory(world.users["ecosystem_staff"])
    url = f"/events/{event.slug}/partners/"
    response = client.post(
        url, {"action": "add", "partner": f"node:{world.awex.pk}", "role": "supporting"}, **EN
    )
    assert response.status_code == 302
    assert _partners(event) == [
        ("Digital Wallonia", "lead", 0),
        ("French Tech Brussels", "co_organiser", 1),
        ("AWEX", "supporting", 2),
    ]
    awex = EventPartner.objects.get(event=event, node=world.awex)
    ftbxl = EventPartner.objects.get(event=event, node=world.ftbxl)
    client.post(url, {"action": "up", "partner_id": awex.pk})
    assert [name for name, _r, _p in _partners(event)] == ["Digital Wallonia", "AWEX", "French Tech Brussels"]
    client.post(url, {"action": "lead", "partner_id": ftbxl.pk})
    assert _partners(event) == [
        ("Digital Wallonia", "co_organiser", 0),
        ("AWEX", "supporting", 1),
        ("French Tech Brussels", "lead", 2),
    ]
    client.post(url, {"action": "remove", "partner_id": awex.pk})
    assert _partners(event) == [("Digital Wallonia", "co_organiser", 0), ("French Tech Brussels", "lead", 1)]
    page = client.get(url, **EN).content.decode()
    assert "AWEX is no longer a partner." in page
    brands = page[page.index('class="event-brands"') :]
    assert brands.index("Digital Wallonia") < brands.index("French Tech Brussels")


@pytest.mark.parametrize(
    ("post", "message"),
    [
        (
            {"action": "add", "partner": "ecosystem:{wallonia}", "role": "co_organiser"},
            "Digital Wallonia is already a partner",
        ),
        ({"action": "add", "partner": "node:999999", "role": "co_organiser"}, "Unknown partner"),
        ({"action": "remove", "partner_id": "{lead}"}, "The lead organiser cannot be removed"),
        ({"action": "up", "partner_id": "{lead}"}, "Digital Wallonia is already first."),
        ({"action": "down", "partner_id": "{co}"}, "French Tech Brussels is already last."),
        ({"action": "up", "partner_id": "999999"}, "This partner is not part of this event."),
        ({"action": "jump"}, "Unknown action"),
    ],
)
def test_partner_changes_that_make_no_sense_are_refused(world, client_factory, post, message):
    event = build_event(world)
    lead = EventPartner.objects.get(event=event, role="lead")
    co = EventPartner.objects.get(event=event, role="co_organiser")
    data = {k: v.format(wallonia=world.wallonia.pk, lead=lead.pk, co=co.pk) for k, v in post.items()}
    response = client_factory(world.users["ecosystem_staff"]).post(
        f"/events/{event.slug}/partners/", data, **EN
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert _partners(event) == [("Digital Wallonia", "lead", 0), ("French Tech Brussels", "co_organiser", 1)]


def test_members_cannot_touch_the_partners(world, client_factory):
    event = build_event(world)
    client = client_factory(world.users["representative"])
    response = client.post(f"/events/{event.slug}/partners/", {"action": "remove", "partner_id": "1"})
    assert response.status_code == 403
    assert EventPartner.objects.filter(event=event).count() == 2


# --- The list ----------------------------------------------------------------------------------------------


def _event(world, slug, partner, *, days=10, **fields):
    event = EventFactory(
        slug=slug,
        title=slug.replace("-", " ").title(),
        starts_at=timezone.now() + timedelta(days=days),
        **fields,
    )
    kind = "node" if partner.__class__.__name__ == "NetworkNode" else "ecosystem"
    EventPartner.objects.create(event=event, role="lead", position=0, **{kind: partner})
    return event


def _titles(response):
    import re

    return re.findall(r'<h2><a href="/events/[^"]+/">([^<]+)</a></h2>', response.content.decode())


def test_the_list_filters_by_ecosystem_node_kind_and_time(world, client):
    build_event(world)  # Digital Wallonia + French Tech Brussels, in 30 days
    _event(world, "awex-export-morning", world.awex, days=5, kind="info_session")
    _event(world, "french-tech-apero", world.frenchtech, days=20, kind="networking")
    _event(world, "last-year", world.wallonia, days=-300)
    _event(world, "draft-idea", world.wallonia, status="draft")
    _event(world, "members-club", world.wallonia, visibility="members")

    assert _titles(client.get("/events/")) == ["Awex Export Morning", "French Tech Apero", "Smart City Day"]
    # An ecosystem's events include those of its nodes.
    assert _titles(client.get("/events/?ecosystem=digital-wallonia")) == [
        "Awex Export Morning",
        "Smart City Day",
    ]
    assert _titles(client.get("/events/?ecosystem=la-french-tech")) == ["French Tech Apero", "Smart City Day"]
    assert _titles(client.get("/events/?node=french-tech-brussels")) == ["Smart City Day"]
    assert _titles(client.get("/events/?kind=networking")) == ["French Tech Apero"]
    assert _titles(client.get("/events/?when=past")) == ["Last Year"]
    empty = client.get("/events/?node=awex&kind=networking", **EN).content.decode()
    assert "No event matches these filters." in empty


def test_members_only_and_draft_events_are_listed_only_for_those_who_may_see_them(world, client_factory):
    _event(world, "members-club", world.wallonia, visibility="members")
    _event(world, "draft-idea", world.ftbxl, status="draft")
    assert _titles(client_factory().get("/events/")) == []
    assert _titles(client_factory(world.users["member"]).get("/events/")) == []
    assert _titles(client_factory(world.users["representative"]).get("/events/")) == ["Members Club"]
    assert _titles(client_factory(world.users["node_staff"]).get("/events/")) == ["Draft Idea"]
    assert _titles(client_factory(world.users["admin"]).get("/events/")) == ["Members Club", "Draft Idea"]


def test_the_list_is_paginated_and_says_when_it_is_empty(world, client):
    assert "No upcoming events." in client.get("/events/", **EN).content.decode()
    for n in range(23):
        _event(world, f"meetup-{n:02d}", world.wallonia, days=n + 1)
    first, second = client.get("/events/", **EN), client.get("/events/?page=2", **EN)
    assert len(_titles(first)) == 20 and len(_titles(second)) == 3
    assert "Page 2 of 2" in second.content.decode()
    assert "23 events" in first.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("ecosystem=atlantis", "There is no ecosystem “atlantis”."),
        ("node=nowhere", "There is no network node “nowhere”."),
        ("kind=rave", "There is no kind of event “rave”."),
        ("when=tomorrow", "Show “upcoming” or “past” events, not “tomorrow”."),
    ],
)
def test_an_unknown_filter_is_named(world, client, query, message):
    response = client.get(f"/events/?{query}", **EN)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_the_list_costs_the_same_queries_for_one_or_three_events(world, client, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _event(world, "one", world.wallonia)
    client.get("/events/")  # warm caches (sessions, content types)
    with CaptureQueriesContext(connection) as one:
        client.get("/events/")
    e2 = _event(world, "two", world.ftbxl, days=11)
    EventPartner.objects.create(event=e2, ecosystem=world.wallonia, role="co_organiser", position=1)
    _event(world, "three", world.awex, days=12)
    with CaptureQueriesContext(connection) as three:
        response = client.get("/events/")
    assert _titles(response) == ["One", "Two", "Three"]
    assert len(three) == len(one)


def test_an_ongoing_event_can_still_be_edited_through_the_form(world, client_factory):
    # Started 10 minutes and 30 seconds ago: the form sends its start to the minute, which is not a move.
    start = timezone.now() - timedelta(minutes=10, seconds=30)
    event = build_event(world, starts_at=start, ends_at=start + timedelta(hours=3))
    client = client_factory(world.users["ecosystem_staff"])
    data = _form(world, title="Smart City Day (live)", starts_at=_local(start), ends_at=_local(event.ends_at))
    response = client.post(f"/events/{event.slug}/edit/", data, **EN)
    assert response.status_code == 302, response.content.decode()
    event.refresh_from_db()
    assert event.title == "Smart City Day (live)" and event.starts_at == start
