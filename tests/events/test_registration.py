"""Registering for an event through the form: seats, waiting list, cancellation with promotion, the
e-mails as the SMTP server receives them (with the QR code decoded), attribution, and bad input."""

import io
import re
from datetime import timedelta

import pytest
import zxingcpp
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import formats, timezone, translation
from django.utils.translation import gettext
from PIL import Image

from jumelage.core.models import AuditLog
from jumelage.events import qr
from jumelage.events.models import Event, EventPartner, Question, Registration
from jumelage.events.services import registration as services
from tests.factories import ThemeFactory, build_event

REGISTER = "/events/smart-city-day/register/"


@pytest.fixture(autouse=True)
def _english(settings):
    """Pages in English (the browser sends no Accept-Language); mails in each registrant's language,
    sent by the task as soon as it is queued (the immediate task backend)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def event(world):
    return build_event(world)


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run the after-commit callbacks (the e-mails) the test transaction would otherwise swallow."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def form(name="Ada Lovelace", email="ada@example.org", **extra):
    return {"name": name, "email": email, "language": "en", **extra}


def decode_qr(png: bytes) -> str:
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(found) == 1, "exactly one QR code in the image"
    return found[0].text


# --- The form and the confirmation -------------------------------------------------------------------------


def test_visitor_registers_and_receives_the_confirmation_with_a_qr_code(client, event, smtp, commit):
    theme = ThemeFactory(code="smart-city", label_en="Smart city")
    event.themes.add(theme)
    Question.objects.create(event=event, label="Dietary needs", required=False)
    page = client.get(REGISTER)
    assert page.status_code == 200
    assert b"Smart city" in page.content and b"Dietary needs" in page.content
    with commit():
        response = client.post(
            REGISTER,
            form(
                organisation_name="Namur Sensors",
                organisation_kind="startup",
                country="be",
                role="Founder",
                interests=["smart-city"],
                **{f"q_{event.questions.get().pk}": "vegetarian"},
            ),
            follow=True,
        )
    reg = Registration.objects.get()
    assert (reg.name, reg.email, reg.status, reg.country, reg.role) == (
        "Ada Lovelace",
        "ada@example.org",
        "confirmed",
        "BE",
        "Founder",
    )
    assert list(reg.interests.values_list("code", flat=True)) == ["smart-city"]
    assert reg.answers == {str(event.questions.get().pk): "vegetarian"}
    assert reg.user is None
    event.refresh_from_db()
    assert event.confirmed_count == 1
    # The confirmation page is the registrant's own page (by its secret link), with the QR code.
    assert response.redirect_chain[-1][0] == f"/events/registration/{reg.token}/"
    assert "You are registered. A confirmation with your QR code is on its way to ada@example.org." in (
        response.content.decode()
    )
    assert f"/events/registration/{reg.token}/qr.svg".encode() in response.content

    [mail] = smtp.to("ada@example.org")
    assert mail.subject == "Your registration for Smart City Day is confirmed"
    text = mail.text()
    assert "Your seat at Smart City Day is confirmed." in text
    assert f"/events/registration/{reg.token}/" in text
    # Co-branding: both partners, in the agreed order, each with its own name and link.
    assert text.index("Digital Wallonia") < text.index("French Tech Brussels")
    assert 'src="cid:qr"' in mail.html()
    [inline] = [p for p in mail.parts("image/png") if p["Content-ID"] == "<qr>"]
    [attached] = [p for p in mail.parts("image/png") if p.get_filename() == "smart-city-day-qr.png"]
    assert decode_qr(inline.get_content()) == qr.payload(reg)
    assert decode_qr(attached.get_content()) == qr.payload(reg)
    assert qr.registration_id_from_scan(decode_qr(attached.get_content())) == reg.pk
    [ics] = mail.parts("text/calendar")
    assert ics.get_filename() == "smart-city-day.ics"
    assert "SUMMARY:Smart City Day" in ics.get_content()


def test_the_email_is_written_in_the_registrants_language(client, event, smtp, commit):
    with commit():
        client.post(REGISTER, {**form(), "language": "fr"})
    [mail] = smtp.to("ada@example.org")
    reg = Registration.objects.get()
    assert reg.language == "fr"
    # Rendered under French, whatever the language of the page: the date comes out in French.
    with translation.override("fr"):
        when = formats.date_format(timezone.localtime(event.starts_at), "DATETIME_FORMAT")
    assert when in mail.text()
    assert 'lang="fr"' in mail.html()
    with translation.override("fr"):
        subject = gettext("Your registration for %(title)s is confirmed") % {"title": "Smart City Day"}
        hello = gettext("Hello %(name)s,") % {"name": "Ada Lovelace"}
    assert subject != "Your registration for Smart City Day is confirmed", "the French catalog is compiled"
    assert mail.subject.strip() == subject  # the parser keeps a space before an encoded word
    assert mail.text().startswith(hello)


class MailServerDown(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("the mail server is down")


def test_a_mail_server_failure_never_undoes_a_registration(client, event, settings, commit):
    settings.EMAIL_BACKEND = f"{__name__}.MailServerDown"
    with commit():
        response = client.post(REGISTER, form())
    assert response.status_code == 302
    assert Registration.objects.get().status == "confirmed"


def test_a_signed_in_user_registration_is_linked_to_their_account(client_factory, world, event):
    client = client_factory(world.users["member"])
    page = client.get(REGISTER).content.decode()
    assert 'value="member@example.org"' in page
    client.post(REGISTER, form(email="member@example.org"))
    reg = Registration.objects.get()
    assert reg.user == world.users["member"]
    again = client.get(REGISTER).content.decode()
    assert "You are already registered for this event." in again
    assert f"/events/registration/{reg.token}/" in again


def test_qr_svg_only_for_a_confirmed_registration(client, event):
    reg = services.register(event=event, name="Ada", email="ada@example.org")
    svg = client.get(f"/events/registration/{reg.token}/qr.svg")
    assert svg["Content-Type"] == "image/svg+xml"
    assert svg.content.startswith(b"<svg")
    services.cancel(registration=reg)
    gone = client.get(f"/events/registration/{reg.token}/qr.svg")
    assert gone.status_code == 404
    assert b"Only a confirmed registration has a QR code." in gone.content


# --- Seats and the waiting list ------------------------------------------------------------------------------


def test_full_event_puts_people_on_the_waiting_list_and_mails_them(client, event, smtp, commit):
    Event.objects.filter(pk=event.pk).update(capacity=1)
    with commit():
        client.post(REGISTER, form(email="first@example.org"))
        response = client.post(REGISTER, form(email="second@example.org"), follow=True)
    assert dict(Registration.objects.values_list("email", "status")) == {
        "first@example.org": "confirmed",
        "second@example.org": "waitlisted",
    }
    assert "The event is full: you are on the waiting list." in response.content.decode()
    assert "Your place on the waiting list: 1." in response.content.decode()
    assert b"qr.svg" not in response.content
    [mail] = smtp.to("second@example.org")
    assert mail.subject == "You are on the waiting list for Smart City Day"
    assert mail.parts("image/png") == []
    event.refresh_from_db()
    assert event.confirmed_count == 1


def test_cancelling_gives_the_seat_to_the_first_on_the_waiting_list(client, event, smtp, commit):
    Event.objects.filter(pk=event.pk).update(capacity=1)
    event.refresh_from_db()
    first = services.register(event=event, name="First", email="first@example.org", language="en")
    second = services.register(event=event, name="Second", email="second@example.org", language="en")
    third = services.register(event=event, name="Third", email="third@example.org", language="en")
    assert (second.status, third.status) == ("waitlisted", "waitlisted")

    confirm = client.get(f"/events/registration/{first.token}/cancel/")
    assert "Do you really want to cancel the registration of First for Smart City Day?" in (
        confirm.content.decode()
    )
    first.refresh_from_db()
    assert first.status == "confirmed", "a GET changes nothing"
    with commit():
        response = client.post(f"/events/registration/{first.token}/cancel/", follow=True)
    assert "Your registration is cancelled." in response.content.decode()
    statuses = dict(Registration.objects.values_list("email", "status"))
    assert statuses == {
        "first@example.org": "cancelled",
        "second@example.org": "confirmed",
        "third@example.org": "waitlisted",
    }
    second.refresh_from_db()
    assert second.promoted_at is not None
    event.refresh_from_db()
    assert event.confirmed_count == 1
    [promoted] = smtp.to("second@example.org")
    assert promoted.subject == "A seat freed up: you are registered for Smart City Day"
    assert decode_qr(promoted.parts("image/png")[0].get_content()) == qr.payload(second)
    [cancelled] = smtp.to("first@example.org")
    assert cancelled.subject == "Your registration for Smart City Day is cancelled"
    assert smtp.to("third@example.org") == []
    assert AuditLog.objects.filter(action="events.registration.cancel").count() == 1


def test_cancelling_with_nobody_waiting_frees_the_seat(event):
    reg = services.register(event=event, name="Ada", email="ada@example.org")
    event.refresh_from_db()
    assert event.confirmed_count == 1
    result = services.cancel(registration=reg)
    assert result.promoted is None
    event.refresh_from_db()
    assert event.confirmed_count == 0


def test_cancelling_a_waitlisted_registration_keeps_the_seats(event):
    Event.objects.filter(pk=event.pk).update(capacity=1)
    event.refresh_from_db()
    services.register(event=event, name="A", email="a@example.org")
    waiting = services.register(event=event, name="B", email="b@example.org")
    services.cancel(registration=waiting)
    event.refresh_from_db()
    assert event.confirmed_count == 1
    assert Registration.objects.get(email="a@example.org").status == "confirmed"


def test_cancelling_twice_is_refused_clearly(client, event):
    reg = services.register(event=event, name="Ada", email="ada@example.org")
    services.cancel(registration=reg)
    response = client.post(f"/events/registration/{reg.token}/cancel/", follow=True)
    assert "This registration is already cancelled." in response.content.decode()
    event.refresh_from_db()
    assert event.confirmed_count == 0


def test_a_past_event_registration_can_no_longer_be_cancelled(client, event):
    reg = services.register(event=event, name="Ada", email="ada@example.org")
    Event.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - timedelta(days=2), ends_at=timezone.now() - timedelta(days=1)
    )
    page = client.get(f"/events/registration/{reg.token}/").content.decode()
    assert "Cancel my registration" not in page
    response = client.post(f"/events/registration/{reg.token}/cancel/", follow=True)
    assert "This event has already taken place: the registration can no longer be cancelled." in (
        response.content.decode()
    )
    reg.refresh_from_db()
    assert reg.status == "confirmed"


def test_raising_the_capacity_promotes_from_the_waiting_list(event):
    Event.objects.filter(pk=event.pk).update(capacity=1)
    event.refresh_from_db()
    for n in range(3):
        services.register(event=event, name=f"P{n}", email=f"p{n}@example.org")
    Event.objects.filter(pk=event.pk).update(capacity=2)
    promoted = services.fill_from_waitlist(event=event)
    assert [r.email for r in promoted] == ["p1@example.org"]
    event.refresh_from_db()
    assert event.confirmed_count == 2


def test_unlimited_capacity_confirms_everyone(event):
    Event.objects.filter(pk=event.pk).update(capacity=None)
    event.refresh_from_db()
    regs = [services.register(event=event, name=f"P{n}", email=f"p{n}@example.org") for n in range(3)]
    assert {r.status for r in regs} == {"confirmed"}
    event.refresh_from_db()
    assert event.confirmed_count == 3


def test_the_database_refuses_an_overbooking_whatever_the_code_does(event):
    from django.db import IntegrityError, transaction

    Event.objects.filter(pk=event.pk).update(capacity=1, confirmed_count=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(confirmed_count=2)


# --- Attribution ---------------------------------------------------------------------------------------------


def test_the_via_link_names_the_partner_by_slug_or_id(client, event):
    ftbxl = EventPartner.objects.get(event=event, node__slug="french-tech-brussels")
    page = client.get(REGISTER + "?via=french-tech-brussels").content.decode()
    assert 'name="via" value="french-tech-brussels"' in page
    client.post(REGISTER, form(email="a@example.org", via="french-tech-brussels"))
    client.post(REGISTER, form(email="b@example.org", via=str(ftbxl.pk)))
    client.post(REGISTER, form(email="c@example.org", via="no-such-partner"))
    via = dict(Registration.objects.values_list("email", "via_partner"))
    assert via == {"a@example.org": ftbxl.pk, "b@example.org": ftbxl.pk, "c@example.org": None}


def test_without_a_link_the_registrants_membership_names_the_partner(client_factory, world, event):
    # Wallonie Startup is a member of Digital Wallonia (through AWEX): the lead brought its representative.
    client = client_factory(world.users["representative"])
    page = client.get(REGISTER).content.decode()
    assert "Wallonie Startup" in page
    client.post(REGISTER, form(email="rep@example.org", organisation="wallonie-startup"))
    reg = Registration.objects.get()
    assert reg.organisation == world.be_org
    assert reg.organisation_name == "Wallonie Startup"
    assert reg.via_partner.ecosystem == world.wallonia
    # Paris Deeptech is a member through French Tech Brussels, a partner node: that partner first.
    assert services.partner_for_organisation(event, world.fr_org).node == world.ftbxl


# --- Bad input -------------------------------------------------------------------------------------------------


def test_registering_twice_with_the_same_email_is_refused(client, event):
    client.post(REGISTER, form(email="ada@example.org"))
    response = client.post(REGISTER, form(name="Ada again", email="ADA@example.org "))
    assert response.status_code == 409
    assert "ada@example.org is already registered for this event." in response.content.decode()
    assert Registration.objects.count() == 1
    event.refresh_from_db()
    assert event.confirmed_count == 1


def test_after_cancelling_one_may_register_again(event):
    reg = services.register(event=event, name="Ada", email="ada@example.org")
    services.cancel(registration=reg)
    again = services.register(event=event, name="Ada", email="ada@example.org")
    assert again.status == "confirmed"
    assert Registration.objects.filter(email="ada@example.org").count() == 2


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"registration_closes_at": -1}, "Registration closed on"),
        ({"registration_opens_at": 2}, "Registration opens on"),
        ({"status": "cancelled"}, "This event was cancelled: registration is closed."),
        ({"past": True}, "This event has already taken place."),
    ],
)
def test_registration_outside_the_window_is_refused(client, event, change, message):
    now = timezone.now()
    if "registration_closes_at" in change:
        Event.objects.filter(pk=event.pk).update(registration_closes_at=now - timedelta(days=1))
    if "registration_opens_at" in change:
        Event.objects.filter(pk=event.pk).update(registration_opens_at=now + timedelta(days=2))
    if "status" in change:
        Event.objects.filter(pk=event.pk).update(status="cancelled")
    if "past" in change:
        Event.objects.filter(pk=event.pk).update(
            starts_at=now - timedelta(days=2), ends_at=now - timedelta(days=1)
        )
    page = client.get(REGISTER)
    assert message in page.content.decode()
    assert b'name="email"' not in page.content, "no form to fill in"
    response = client.post(REGISTER, form())
    assert response.status_code == 409
    assert message in response.content.decode()
    assert Registration.objects.count() == 0
    event.refresh_from_db()
    assert event.confirmed_count == 0


def test_the_service_refuses_a_closed_registration_too(event):
    Event.objects.filter(pk=event.pk).update(registration_closes_at=timezone.now() - timedelta(hours=1))
    event.refresh_from_db()
    with pytest.raises(services.RegistrationRefused) as exc:
        services.register(event=event, name="Ada", email="ada@example.org")
    assert exc.value.code == "closed"
    assert Registration.objects.count() == 0


def test_a_missing_required_answer_is_named_and_nothing_is_written(client, event):
    q = Question.objects.create(event=event, label="Will you pitch?", choices=["yes", "no"], required=True)
    response = client.post(REGISTER, form())
    assert response.status_code == 400
    page = response.content.decode()
    assert "You are not registered yet." in page
    assert re.search(rf'id="id_q_{q.pk}_error">This field is required', page)
    # Through the service (as the API calls it): the question is named.
    with pytest.raises(Exception) as exc:
        services.register(event=event, name="Ada", email="ada@example.org", answers={})
    assert "Please answer the question “Will you pitch?”." in str(exc.value)
    with pytest.raises(Exception) as exc:
        services.register(event=event, name="Ada", email="ada@example.org", answers={str(q.pk): "maybe"})
    assert "“maybe” is not one of the answers offered to “Will you pitch?”." in str(exc.value)
    assert Registration.objects.count() == 0
    event.refresh_from_db()
    assert event.confirmed_count == 0


def test_an_unknown_theme_is_refused(client, event):
    ThemeFactory(code="smart-city")
    response = client.post(REGISTER, form(interests=["no-such-theme"]))
    assert response.status_code == 400
    assert "Unknown theme: no-such-theme." in response.content.decode()
    assert Registration.objects.count() == 0


def test_a_bad_email_is_refused(client, event):
    response = client.post(REGISTER, form(email="not-an-address"))
    assert response.status_code == 400
    assert "Enter a valid email address." in response.content.decode()
    assert Registration.objects.count() == 0


def test_full_with_no_waiting_list_is_refused(client, event):
    Event.objects.filter(pk=event.pk).update(capacity=1, waitlist=False)
    client.post(REGISTER, form(email="first@example.org"))
    page = client.get(REGISTER).content.decode()
    assert "This event is full and has no waiting list." in page
    response = client.post(REGISTER, form(email="second@example.org"))
    assert response.status_code == 409
    assert "This event is full and has no waiting list." in response.content.decode()
    assert list(Registration.objects.values_list("email", flat=True)) == ["first@example.org"]
    event.refresh_from_db()
    assert event.confirmed_count == 1


def test_members_only_event_asks_a_visitor_to_log_in(client, event):
    Event.objects.filter(pk=event.pk).update(visibility="members")
    response = client.get(REGISTER)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_unknown_token_is_a_404(client, event):
    assert client.get("/events/registration/not-a-token/").status_code == 404


def test_raising_the_capacity_in_the_event_form_moves_the_waiting_list_up(world, smtp, commit):
    from jumelage.events.services.events import update_event

    event = build_event(world, capacity=1)
    with commit():
        first = services.register(event=event, name="One", email="one@example.org", language="en")
        second = services.register(event=event, name="Two", email="two@example.org", language="en")
    assert (first.status, second.status) == ("confirmed", "waitlisted")
    with commit():
        update_event(actor=world.users["ecosystem_staff"], event=event, data={"capacity": 2})
    second.refresh_from_db()
    event.refresh_from_db()
    assert second.status == "confirmed" and event.confirmed_count == 2
    assert len(smtp.to("two@example.org")) == 2  # on the waiting list, then promoted


def test_a_country_typed_in_full_is_read_and_an_unknown_one_is_explained(client, event, smtp, commit):
    """The field took two characters at most: the browser cut "Belgium" to "Be" without a word."""
    page = client.get(REGISTER).content.decode()
    assert 'maxlength="2"' not in page
    refused = client.post(REGISTER, form(country="Narnia"))
    assert refused.status_code == 400
    assert "Enter the country as a two-letter code, e.g. BE or FR." in refused.content.decode()
    assert not Registration.objects.exists()
    with commit():
        client.post(REGISTER, form(country="België"))
    assert Registration.objects.get().country == "BE"
