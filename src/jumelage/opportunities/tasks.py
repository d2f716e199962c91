"""Background tasks of the opportunities app (django-tasks; run by `jumelage worker`, or by the
immediate backend in tests): the e-mails of interests and introductions, each recipient in their own
language, and the daily renewal reminders and expiry (`jumelage manage opportunity_reminders`, from cron)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from jumelage.core import mail
from jumelage.directory.models import Organisation
from jumelage.opportunities.models import Interest, Introduction, Opportunity

logger = logging.getLogger(__name__)


def people_of(organisation: Organisation, *also) -> list:
    """Users who speak for `organisation` (its representatives, plus `also`), with an address, once each."""
    users = [r.user for r in organisation.representatives.select_related("user")]
    users += [u for u in also if u is not None]
    seen, out = set(), []
    for user in users:
        if user.is_active and user.email and user.pk not in seen:
            seen.add(user.pk)
            out.append(user)
    return out


def _url(name: str, *args) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def introduction_mails(introduction: Introduction) -> list[mail.Mail]:
    interest = introduction.interest
    opportunity = interest.opportunity
    owner, other = opportunity.organisation, interest.organisation
    link = _url("opportunities:introduction-detail", introduction.pk)
    mails = []
    for side, counterpart, users in (
        ("owner", other, people_of(owner, opportunity.created_by)),
        ("interested", owner, people_of(other, interest.created_by)),
    ):
        contacts = people_of(counterpart)
        for user in users:
            mails.append(
                mail.Mail(
                    to=user.email,
                    language=user.language,
                    template="opportunities/mail/introduction",
                    context={
                        "user": user,
                        "side": side,
                        "opportunity": opportunity,
                        "counterpart": counterpart,
                        "contacts": contacts,
                        "message": interest.message,
                        "link": link,
                    },
                )
            )
    return mails


def interest_mails(interest: Interest, template: str) -> list[mail.Mail]:
    opportunity = interest.opportunity
    if template == "interest_received":
        users = people_of(opportunity.organisation, opportunity.created_by)
    else:
        users = people_of(interest.organisation, interest.created_by)
    link = _url("opportunities:opportunity-detail", opportunity.pk)
    return [
        mail.Mail(
            to=user.email,
            language=user.language,
            template=f"opportunities/mail/{template}",
            context={"user": user, "interest": interest, "opportunity": opportunity, "link": link},
        )
        for user in users
    ]


@task()
def send_opportunity_mail(kind: str, pk: int) -> int:
    """Send the mails of one event: 'introduction' (pk of the Introduction), 'interest_received' or
    'interest_declined' (pk of the Interest). Returns how many were sent."""
    if kind == "introduction":
        introduction = Introduction.objects.select_related(
            "interest__organisation", "interest__opportunity__organisation", "interest__created_by"
        ).get(pk=pk)
        mails = introduction_mails(introduction)
    elif kind in {"interest_received", "interest_declined"}:
        interest = Interest.objects.select_related("organisation", "opportunity__organisation").get(pk=pk)
        mails = interest_mails(interest, kind)
    else:
        raise ValueError(f"unknown opportunity mail {kind!r}")
    return mail.send(mails)


def renewal_mails(opportunity: Opportunity) -> list[mail.Mail]:
    link = _url("opportunities:opportunity-edit", opportunity.pk)
    return [
        mail.Mail(
            to=user.email,
            language=user.language,
            template="opportunities/mail/renewal_reminder",
            context={"user": user, "opportunity": opportunity, "link": link},
        )
        for user in people_of(opportunity.organisation, opportunity.created_by)
    ]


def run_reminders(today=None) -> tuple[int, int]:
    """Expire what is past its deadline, then remind owners of opportunities expiring within
    services.REMINDER_DAYS (once per deadline). Returns (expired, reminded)."""
    from jumelage.opportunities import services

    today = today or timezone.localdate()
    expired = services.expire_opportunities(today=today)
    reminded = 0
    for opportunity in services.due_for_reminder(today=today):
        mails = renewal_mails(opportunity)
        if mails:
            mail.send(mails)
        # Marked even without a recipient, so the next run does not look at it again.
        Opportunity.objects.filter(pk=opportunity.pk).update(reminded_for=opportunity.deadline)
        reminded += 1
    return expired, reminded


@task()
def send_renewal_reminders() -> str:
    expired, reminded = run_reminders()
    return f"{expired} expired, {reminded} reminded"
