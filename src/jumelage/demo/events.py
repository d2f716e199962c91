"""Demo events: four invented events co-organised by the two demo ecosystems' partners, so the events
pages, the co-branding, the report and the B2B meetings have something to show.

They are NOT real events: every title starts with "Demo", every description says the event is invented
for the demonstration, and attendees are "Demo attendee N" at example.org addresses. What is real is the
directory they draw on: registrations and pitches come from the shipped (real) demo organisations,
named as such. Dates are relative to the day the demo is loaded.

Idempotent: an event whose slug exists is left as it is.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from jumelage.core.audit import log_action
from jumelage.directory.models import Organisation
from jumelage.ecosystems.models import Ecosystem, NetworkNode
from jumelage.events.models import (
    Call,
    Criterion,
    Event,
    EventPartner,
    Feedback,
    Registration,
    Room,
    Session,
    Submission,
)

DEMO_NOTE_FR = "Événement fictif, créé pour la démonstration de Jumelage : il n'a pas lieu."
DEMO_NOTE_NL = "Fictief evenement, aangemaakt voor de demonstratie van Jumelage: het vindt niet plaats."
DEMO_NOTE_EN = "An invented event, made for the Jumelage demo: it does not take place."
SLUGS = ("demo-smart-city-day", "demo-pitch-evening", "demo-online-info-session", "demo-trade-show-pavilion")
PER_SIDE = 10  # demo organisations registered from each ecosystem


def _at(day_offset: int, hour: int, minute: int = 0):
    local = timezone.localtime() + timedelta(days=day_offset)
    return local.replace(hour=hour, minute=minute, second=0, microsecond=0)


def _texts(about_fr: str, about_en: str) -> dict:
    return {
        "description_fr": f"{DEMO_NOTE_FR}\n\n{about_fr}",
        "description_nl": DEMO_NOTE_NL,
        "description_en": f"{DEMO_NOTE_EN}\n\n{about_en}",
    }


def _members(ecosystem: Ecosystem, count: int) -> list[Organisation]:
    """Published member organisations of the ecosystem, startups first, in a stable order."""
    qs = Organisation.objects.filter(memberships__ecosystem=ecosystem, published=True).distinct()
    startups = list(qs.filter(kind="startup").order_by("name", "pk")[:count])
    if len(startups) < count:
        startups += list(qs.exclude(kind="startup").order_by("name", "pk")[: count - len(startups)])
    return startups


def _partners(event: Event, *entries) -> dict[str, EventPartner]:
    out = {}
    for position, (key, brand, role) in enumerate(entries):
        field = "ecosystem" if isinstance(brand, Ecosystem) else "node"
        out[key] = EventPartner.objects.create(event=event, role=role, position=position, **{field: brand})
    return out


def _register(
    event, orgs_with_partner, *, first_number: int, checked_in_every: int = 0
) -> list[Registration]:
    """One demo attendee per organisation, confirmed; every `checked_in_every`-th one not checked in."""
    registrations = []
    for index, (org, partner) in enumerate(orgs_with_partner):
        number = first_number + index
        came = bool(checked_in_every) and index % checked_in_every != 0
        registrations.append(
            Registration(
                event=event,
                name=f"Demo attendee {number}",
                email=f"demo-attendee-{number}@example.org",
                language="fr" if index % 3 else "en",
                organisation=org,
                organisation_name=org.name,
                organisation_kind=org.kind,
                country=org.country,
                via_partner=partner,
                status=Registration.Status.CONFIRMED,
                checked_in_at=event.starts_at + timedelta(minutes=10 + index) if came else None,
            )
        )
    Registration.objects.bulk_create(registrations)
    Event.objects.filter(pk=event.pk).update(confirmed_count=len(registrations))
    return registrations


def _demo_brokerage(event: Event, registrations: list[Registration]) -> None:
    """B2B meetings on the smart city day, set up and open. The demo attendees take part (accounts
    that cannot log in): what each offers is its organisation's own (real) description or tagline, and a few
    invented requests between the two sides are sent, accepted, declined or waiting, so the catalogue,
    the suggestions, the dashboard and the scheduler have something to show. Demo users who register
    can take part too."""
    from django.contrib.auth import get_user_model

    from jumelage.brokerage import services as brokerage
    from jumelage.brokerage.models import Meeting, MeetingRequest

    b2b = brokerage.configure(
        event=event,
        actor=None,
        sessions=[
            brokerage.SessionSpec("Demo — morning meetings", _at(30, 10, 30), _at(30, 12, 30)),
            brokerage.SessionSpec("Demo — afternoon meetings", _at(30, 14), _at(30, 16)),
        ],
        # example.org links (reserved for examples): the demo shows online participation, no real room.
        tables=[f"Demo table {n} | https://meet.example.org/demo-table-{n}" for n in range(1, 11)],
        online_allowed=True,
    )
    brokerage.open_requests(brokerage=b2b, actor=None)
    User = get_user_model()
    people = []
    for index, registration in enumerate(registrations):
        user = User(username=registration.email.split("@")[0], email=registration.email)
        user.set_unusable_password()  # a catalogue entry, not a login
        user.save()
        Registration.objects.filter(pk=registration.pk).update(user=user)
        org = registration.organisation
        other_side = "France" if index < len(registrations) // 2 else "Wallonia"
        people.append(
            brokerage.join(
                brokerage=b2b,
                user=user,
                offers=(org.description_en or org.description_fr or org.tagline_fr)[:600]
                or f"Demo (invented): what {org.name} does, as its directory profile says.",
                seeks=f"Demo (invented): smart-city partners from {other_side}.",
                themes=list(org.themes.all()[:3]),
                online=index % 5 == 4,
            )
        )
    half = len(people) // 2
    now = timezone.now()
    answers = ("accepted", "accepted", "accepted", "pending", "pending", "declined")
    for (requester, recipient), status in zip(
        zip(people[:half], people[half:], strict=False), answers, strict=False
    ):
        request = MeetingRequest.objects.create(
            brokerage=b2b,
            requester=requester,
            recipient=recipient,
            message="Demo (invented) request: shall we meet about a smart-city pilot?",
            status=status,
            reason="Demo (invented): not our field this year." if status == "declined" else "",
            answered_at=None if status == "pending" else now,
        )
        if status == "accepted":
            Meeting.objects.create(brokerage=b2b, request=request)


def load_demo_events() -> int:
    """Create the demo events that are missing; returns how many were created."""
    if set(Event.objects.filter(slug__in=SLUGS).values_list("slug", flat=True)) == set(SLUGS):
        return 0
    wallonia = Ecosystem.objects.filter(Q(slug="digital-wallonia") | Q(name="Digital Wallonia")).first()
    frenchtech = Ecosystem.objects.filter(Q(slug="la-french-tech") | Q(name="La French Tech")).first()
    ftbxl = NetworkNode.objects.filter(
        Q(slug="french-tech-brussels") | Q(name="French Tech Brussels")
    ).first()
    if not (wallonia and frenchtech and ftbxl):
        return 0
    awex = NetworkNode.objects.filter(slug="awex").first()
    dw_orgs = _members(wallonia, PER_SIDE)
    ft_orgs = _members(frenchtech, PER_SIDE)
    existing = set(Event.objects.filter(slug__in=SLUGS).values_list("slug", flat=True))
    created = 0

    if "demo-smart-city-day" not in existing:
        created += 1
        event = Event.objects.create(
            slug="demo-smart-city-day",
            title="Demo — Smart city day Wallonia × French Tech Brussels",
            summary="Demo event (invented): a themed day on smart cities, co-organised by both partners.",
            kind="themed_day",
            status=Event.Status.PUBLISHED,
            starts_at=_at(30, 9),
            ends_at=_at(30, 17),
            venue="Demo venue",
            city="Namur",
            country="BE",
            languages=["fr", "en"],
            capacity=120,
            programme_published_at=timezone.now(),
            **_texts(
                "Une journée thématique fictive : villes intelligentes, mobilité, données publiques.",
                "An invented themed day: smart cities, mobility, open data.",
            ),
        )
        entries = [("dw", wallonia, "lead"), ("ftbxl", ftbxl, "co_organiser")]
        if awex is not None:
            entries.append(("awex", awex, "supporting"))
        partners = _partners(event, *entries)
        main = Room.objects.create(event=event, name="Demo main room", capacity=120)
        side = Room.objects.create(event=event, name="Demo workshop room", capacity=30)
        for title, kind, room, start, end in (
            ("Demo — Opening of the day", "talk", main, (9, 0), (9, 30)),
            ("Demo — Panel: data for smarter cities", "panel", main, (9, 30), (10, 30)),
            ("Demo — Workshop: mobility pilots", "workshop", side, (11, 0), (12, 30)),
            ("Demo — Startup pitches", "pitches", main, (14, 0), (15, 30)),
        ):
            Session.objects.create(
                event=event,
                title=title,
                kind=kind,
                room=room,
                starts_at=_at(30, *start),
                ends_at=_at(30, *end),
                language="fr",
                description="Demo session (invented).",
            )
        call = Call.objects.create(
            event=event,
            kind=Call.Kind.PITCH,
            title="Demo — Call for smart-city startup pitches",
            description="Demo call (invented): apply to pitch your smart-city solution.",
            opens_at=timezone.now() - timedelta(days=5),
            closes_at=timezone.now() + timedelta(days=15),
        )
        for position, (name, weight) in enumerate((("Innovation", 2), ("Market fit", 2), ("Team", 1))):
            Criterion.objects.create(call=call, name=name, weight=weight, position=position)
        registrations = _register(
            event,
            [(o, partners["dw"]) for o in dw_orgs[:6]] + [(o, partners["ftbxl"]) for o in ft_orgs[:6]],
            first_number=1,
        )
        _demo_brokerage(event, registrations)

    if "demo-pitch-evening" not in existing:
        created += 1
        event = Event.objects.create(
            slug="demo-pitch-evening",
            title="Demo — Networking evening with startup pitches",
            summary="Demo event (invented, already held): an evening of pitches and networking in Brussels.",
            kind="pitch_evening",
            status=Event.Status.PUBLISHED,
            starts_at=_at(-14, 18),
            ends_at=_at(-14, 21),
            venue="Demo venue",
            city="Bruxelles",
            country="BE",
            languages=["fr", "en"],
            capacity=60,
            programme_published_at=timezone.now() - timedelta(days=30),
            **_texts(
                "Une soirée fictive de pitchs de startups wallonnes et françaises, suivie d'un moment de réseautage.",
                "An invented evening of pitches by Walloon and French startups, then networking.",
            ),
        )
        partners = _partners(event, ("ftbxl", ftbxl, "lead"), ("dw", wallonia, "co_organiser"))
        pitches = Session.objects.create(
            event=event,
            title="Demo — Pitches",
            kind="pitches",
            starts_at=_at(-14, 18, 30),
            ends_at=_at(-14, 19, 30),
            description="Demo session (invented).",
        )
        Session.objects.create(
            event=event,
            title="Demo — Networking",
            kind="networking",
            starts_at=_at(-14, 19, 30),
            ends_at=_at(-14, 21),
            description="Demo session (invented).",
        )
        call = Call.objects.create(
            event=event,
            kind=Call.Kind.PITCH,
            title="Demo — Call for pitches",
            description="Demo call (invented).",
            opens_at=timezone.now() - timedelta(days=60),
            closes_at=timezone.now() - timedelta(days=30),
        )
        outcomes = (
            ("confirmed", "Demo outcome (invented): two follow-up meetings with investors."),
            ("confirmed", "Demo outcome (invented): a pilot discussed with a cluster member."),
            ("rejected", ""),
            ("submitted", ""),
        )
        candidates = [o for pair in zip(dw_orgs, ft_orgs, strict=False) for o in pair]
        for number, (org, (status, outcome)) in enumerate(zip(candidates, outcomes, strict=False), start=1):
            Submission.objects.create(
                call=call,
                organisation=org,
                title=f"Demo pitch {number} by {org.name}",
                abstract="Demo application (invented for the demo; not written by the organisation).",
                speaker_name=f"Demo speaker {number}",
                speaker_email=f"demo-speaker-{number}@example.org",
                stage="seed",
                asks=["investment"] if number % 2 else ["clients", "partners"],
                status=status,
                session=pitches if status == "confirmed" else None,
                decided_at=timezone.now() - timedelta(days=25) if status != "submitted" else None,
                outcome=outcome,
            )
        _register(
            event,
            [(o, partners["dw"]) for o in dw_orgs[:8]]
            + [(o, partners["ftbxl"]) for o in ft_orgs[:10]]
            + [(o, None) for o in dw_orgs[8:10]],
            first_number=101,
            checked_in_every=4,
        )
        came = list(Registration.objects.filter(event=event, checked_in_at__isnull=False).order_by("pk"))
        for index, registration in enumerate(came[:8]):
            Feedback.objects.create(
                registration=registration,
                rating=(5, 4, 4, 3, 5, 4, 2, 5)[index],
                comment=(
                    "Demo comment (invented): good pitches, useful contacts.",
                    "",
                    "Demo comment (invented): the networking part was too short.",
                    "",
                    "Demo comment (invented): met two possible partners across the border.",
                    "",
                    "Demo comment (invented): hard to hear the pitches at the back.",
                    "",
                )[index],
            )

    if "demo-online-info-session" not in existing:
        created += 1
        event = Event.objects.create(
            slug="demo-online-info-session",
            title="Demo — Online information session: setting up across the border",
            summary="Demo event (invented): an online session on soft landing in Belgium and France.",
            kind="info_session",
            status=Event.Status.PUBLISHED,
            starts_at=_at(45, 12),
            ends_at=_at(45, 13),
            online=True,
            online_url="https://example.org/demo-online-session",
            languages=["fr"],
            capacity=None,
            **_texts(
                "Une session d'information fictive, en ligne, sur l'implantation de part et d'autre de la frontière.",
                "An invented online information session on setting up on either side of the border.",
            ),
        )
        partners = _partners(event, ("ftbxl", ftbxl, "lead"), ("dw", wallonia, "supporting"))
        _register(event, [(o, partners["ftbxl"]) for o in ft_orgs[:3]], first_number=201)

    if "demo-trade-show-pavilion" not in existing:
        created += 1
        event = Event.objects.create(
            slug="demo-trade-show-pavilion",
            title="Demo — Shared pavilion at a mobile technology trade show",
            summary="Demo event (invented): a Walloon and French delegation on one pavilion at a trade show abroad.",
            kind="trade_show",
            status=Event.Status.PUBLISHED,
            starts_at=_at(75, 9),
            ends_at=_at(77, 18),
            venue="Demo trade-show hall",
            city="Barcelona",
            country="ES",
            languages=["fr", "en"],
            capacity=40,
            **_texts(
                "Un pavillon commun fictif : des entreprises wallonnes et françaises y exposent ensemble.",
                "An invented shared pavilion: Walloon and French companies exhibit there together.",
            ),
        )
        lead = ("awex", awex, "lead") if awex is not None else ("dw", wallonia, "lead")
        partners = _partners(event, lead, ("ftbxl", ftbxl, "co_organiser"))
        call = Call.objects.create(
            event=event,
            kind=Call.Kind.DELEGATION,
            title="Demo — Call for companies to join the pavilion",
            description="Demo call (invented): apply to exhibit on the shared pavilion.",
            opens_at=timezone.now() - timedelta(days=20),
            closes_at=timezone.now() + timedelta(days=30),
        )
        for position, (name, weight) in enumerate((("Export readiness", 2), ("Fit with the show", 1))):
            Criterion.objects.create(call=call, name=name, weight=weight, position=position)
        applicants = list(dict.fromkeys([*dw_orgs[-2:], *ft_orgs[-2:]]))  # the last of each side's ten
        for number, org in enumerate(applicants, start=301):
            Submission.objects.create(
                call=call,
                organisation=org,
                title=org.name,
                abstract="Demo application (invented): what the company would show on the pavilion.",
                speaker_name=f"Demo contact {number}",
                speaker_email=f"demo-contact-{number}@example.org",
                asks=["clients", "partners"],
                # three of four selected and confirmed: the delegation listed on the event page
                status=Submission.Status.CONFIRMED if number < 301 + 3 else Submission.Status.SUBMITTED,
            )
        _register(event, [(o, partners[lead[0]]) for o in applicants[:3]], first_number=301)

    if created:
        log_action(actor=None, action="demo.events", events=created)
    return created
