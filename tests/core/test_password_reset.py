"""Forgotten password and password change: the e-mail, the link, the new password, and what a
stranger learns (nothing)."""

import re

from django.contrib.auth import get_user_model
from django.test import Client

from jumelage.core.forms import RESET_MAILS_PER_HOUR
from jumelage.core.models import AuditLog
from tests.factories import UserFactory

OLD, NEW = "old-Secret-2026!", "new-Secret-2026!"


def logs_in(username: str, password: str) -> bool:
    """Through the login page, as a person does (axes counts the failures)."""
    response = Client().post("/accounts/login/", {"username": username, "password": password})
    return response.status_code == 302


def reset_link(message) -> str:
    found = re.search(r"https?://\S+/accounts/password/reset/\S+/\S+/", message.text())
    assert found, message.text()
    return found.group(0).split("://", 1)[1].split("/", 1)[1]


def test_a_forgotten_password_is_replaced_through_the_e_mailed_link(db, smtp, settings):
    settings.SITE_URL = "https://jumelage.example.org"
    user = UserFactory(username="lea", email="lea@example.org", language="nl")
    user.set_password(OLD)
    user.save()
    visitor = Client(HTTP_ACCEPT_LANGUAGE="en")
    login_page = visitor.get("/accounts/login/").content.decode()
    assert 'href="/accounts/password/reset/"' in login_page

    response = visitor.post("/accounts/password/reset/", {"email": "LEA@example.org"})
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert (
        "a link to choose a new password is on its way" in visitor.get(response["Location"]).content.decode()
    )
    [message] = smtp.to("lea@example.org")
    assert "https://jumelage.example.org/accounts/password/reset/" in message.text()
    # in Dutch, the account's language (the visitor's page was in English)
    assert message.subject == "Kies een nieuw wachtwoord voor Jumelage"
    assert "Uw gebruikersnaam is: lea" in message.text()

    # she had locked herself out trying old passwords
    for _ in range(settings.AXES_FAILURE_LIMIT):
        logs_in("lea", "wrong guess")
    assert not logs_in("lea", OLD)

    link = "/" + reset_link(message)
    form_page = visitor.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    response = visitor.post(set_url, {"new_password1": NEW, "new_password2": NEW})
    assert response["Location"] == "/accounts/password/reset/done/"

    assert logs_in("lea", NEW)  # the lockout is lifted with the new password
    assert not logs_in("lea", OLD)
    assert AuditLog.objects.filter(action="account.password_reset", actor=user).exists()
    # the link works once
    again = visitor.get(link, follow=True).content.decode()
    assert "This link no longer works" in again


def test_an_unknown_address_gets_the_same_answer_and_no_e_mail(db, smtp):
    visitor = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = visitor.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert smtp.messages == []


def test_reset_e_mails_to_one_address_are_limited_per_hour(db, smtp):
    UserFactory(username="max", email="max@example.org")
    visitor = Client()
    for _ in range(RESET_MAILS_PER_HOUR + 2):
        visitor.post("/accounts/password/reset/", {"email": "max@example.org"})
    assert len(smtp.to("max@example.org")) == RESET_MAILS_PER_HOUR


def test_a_logged_in_user_changes_their_password_after_giving_the_old_one(db):
    user = UserFactory(username="ines")
    user.set_password(OLD)
    user.save()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    assert 'href="/accounts/password/change/"' in client.get("/accounts/data/").content.decode()

    wrong = client.post(
        "/accounts/password/change/", {"old_password": "nope", "new_password1": NEW, "new_password2": NEW}
    )
    assert wrong.status_code == 200 and "The password was not changed" in wrong.content.decode()
    user.refresh_from_db()
    assert user.check_password(OLD)

    right = client.post(
        "/accounts/password/change/", {"old_password": OLD, "new_password1": NEW, "new_password2": NEW}
    )
    assert right["Location"] == "/accounts/password/change/done/"
    assert get_user_model().objects.get(pk=user.pk).check_password(NEW)
    assert client.get("/accounts/data/").status_code == 200  # still logged in
    assert AuditLog.objects.filter(action="account.password_change", actor=user).exists()
