"""Re-scheduling shows its changes: the draft page lists the confirmed meetings that would move, and after
publishing, each side of a moved meeting is told by e-mail what moved, from where to where, in their language."""

import re

import pytest
from django.test import Client
from django.utils import formats, timezone, translation

from jumelage.brokerage import scheduling, services


def accept(a, b):
    return services.answer(request=services.send_request(requester=a, recipient=b), by=b, accept=True)


@pytest.fixture
def published(brokerage_world):
    """Anna–Bruno in slot 1 at A1, Anna–Chloé in slot 2 at A1, Dirk–Bruno in slot 3 at A2, Dirk away in slot 4."""
    brokerage, p, staff = brokerage_world
    services.set_availability(participant=p["Dirk"], unavailable=[brokerage.slots.get(number=4)], actor=staff)
    for (a, b), number, table in (
        (("Anna", "Bruno"), 1, "A1"),
        (("Anna", "Chloé"), 2, "A1"),
        (("Dirk", "Bruno"), 3, "A2"),
    ):
        meeting = accept(p[a], p[b]).meeting
        services.lock(
            meeting=meeting,
            slot=brokerage.slots.get(number=number),
            table=brokerage.tables.get(name=table),
            actor=staff,
        )
        services.unlock(meeting=meeting, actor=staff)
    return brokerage, p, staff


def organiser(staff) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(staff)
    return client


def start(client, brokerage, capture):
    slug = brokerage.event.slug
    with capture(execute=True):
        response = client.post(f"/events/{slug}/b2b/schedule/", {"time_limit": "5"})
    assert response.status_code == 302, response.content.decode()
    run = brokerage.runs.order_by("-created_at").first()
    return run, response["Location"]


def moves_section(page: str) -> str:
    """The part of the draft page under the "Confirmed meetings this schedule moves" heading."""
    start = page.index('id="run-moves"')
    return page[start : page.index('id="run-draft"', start)]


def draft_rows(page: str) -> list[str]:
    """The rows of the draft schedule's table, as text: "time table A — B change"."""
    start = page.index('id="run-draft"')
    section = page[start : page.index("<form", start)]
    return [
        " ".join(re.sub(r"<[^>]+>", " ", r).split()) for r in re.findall(r"<tr><td>(.*?)</tr>", section, re.S)
    ]


def when(dt, fmt, language="en"):
    with translation.override(language):
        return formats.date_format(timezone.localtime(dt), fmt)


def test_a_draft_that_moves_nobody_says_so(published, django_capture_on_commit_callbacks):
    brokerage, _p, staff = published
    client = organiser(staff)
    _run, url = start(client, brokerage, django_capture_on_commit_callbacks)
    section = moves_section(client.get(url).content.decode())
    assert "Confirmed meetings this schedule moves" in section
    assert "No confirmed meeting moves" in section and "<tbody>" not in section


def test_a_late_acceptance_shows_its_move_on_the_draft_and_mails_both_sides(
    published, django_capture_on_commit_callbacks, smtp
):
    """Anna–Dirk accepted late: Anna is busy in slots 1 and 2, Dirk in 3 and away in 4 — one confirmed
    meeting must move; the organiser sees exactly that move before publishing, and its two sides are told."""
    brokerage, p, staff = published
    accept(p["Anna"], p["Dirk"])
    p["Bruno"].language = "fr"  # one side reads French
    p["Bruno"].save(update_fields=["language"])
    client = organiser(staff)
    run, url = start(client, brokerage, django_capture_on_commit_callbacks)
    assert run.status == "ready" and run.moved == 1
    (move,) = scheduling.moves(run)
    m = move["meeting"]

    # the draft page lists exactly that move: who meets whom, from which slot and table to which
    section = moves_section(client.get(url).content.decode())
    rows = re.findall(r"<tr><th scope=\"row\">(.*?)</tr>", section, re.S)
    assert len(rows) == 1 and "No confirmed meeting moves" not in section
    row = " ".join(re.sub(r"<[^>]+>", " ", rows[0]).split())
    old = f"{when(move['old_slot'].starts_at, 'SHORT_DATETIME_FORMAT')}, table {move['old_table'].name}"
    new = f"{when(move['new_slot'].starts_at, 'SHORT_DATETIME_FORMAT')}, table {move['new_table'].name}"
    assert row == f"{move['a']} — {move['b']} {old} {new}"
    # and the whole draft, in time order: the late meeting newly placed, the moved one, the others as they were
    drafted = draft_rows(client.get(url).content.decode())
    assert len(drafted) == brokerage.meetings.count()
    assert sum(r.endswith("newly placed") for r in drafted) == 1
    assert [r for r in drafted if r.endswith(" moved")] == [
        f"{new.replace(', table ', ' ')} {move['a']} — {move['b']} moved"
    ]
    assert all(r.endswith(("newly placed", "moved", "unchanged")) for r in drafted)

    # publishing: the moves are read from the draft before it is applied, and travel to the e-mails
    with django_capture_on_commit_callbacks(execute=True):
        scheduling.publish(run=run, actor=staff)

    a, b = m.request.requester, m.request.recipient
    old_table, new_table = move["old_table"].name, move["new_table"].name
    for me, other in ((a, b), (b, a)):
        old_time = when(move["old_slot"].starts_at, "SHORT_DATETIME_FORMAT", me.language or "en")
        new_time = when(move["new_slot"].starts_at, "SHORT_DATETIME_FORMAT", me.language or "en")
        (mail,) = smtp.to(me.email)
        body = " ".join(mail.text().split())
        if me.language == "fr":
            assert (
                f"Votre rendez-vous avec {other.name} a été déplacé de {old_time}, table {old_table} "
                f"à {new_time}, table {new_table}." in body
            )
        else:
            assert (
                f"Your meeting with {other.name} moved from {old_time}, table {old_table} "
                f"to {new_time}, table {new_table}." in body
            )
        assert body.count(f"{other.name} ") >= 2  # the move, and the new agenda below it
    # the participants of the new meeting alone are told their agenda, with no move to report
    for name in ("Anna", "Dirk"):
        if p[name].pk in (a.pk, b.pk):
            continue
        (mail,) = smtp.to(p[name].email)
        assert "moved from" not in mail.text()
