"""Calls for talks and startup pitches: organisers open a call with criteria and invite jurors;
applicants submit (a pitch names the startup, its stage, what it asks for, a deck and a video link);
jurors score each submission per criterion (0–5) unless they have a conflict of interest; organisers
rank, select and reject; the applicant confirms or declines by a signed link; a confirmed pitch is
placed in a session of the schedule.

Conflict of interest: a juror who represents the applying organisation (directory Representative), who
is affiliated with it (their directory Person has an Affiliation), or who submitted it, neither sees
nor scores that submission.
"""

from __future__ import annotations

import io
import os
import secrets
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from jumelage.core import mail
from jumelage.core.audit import log_action
from jumelage.directory.models import Affiliation, Organisation, Representative, Stage
from jumelage.events.models import Call, Criterion, Event, Juror, Score, Session, Submission
from jumelage.events.queries import partners_in_order
from jumelage.events.rules import is_organiser

SCORE_MIN, SCORE_MAX = 0, 5
ANSWER_SALT = "jumelage.events.submission-answer"
PDF_MAGIC = b"%PDF-"
PPTX_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


def deck_max_bytes() -> int:
    return int(getattr(settings, "EVENTS_DECK_MAX_BYTES", 10 * 1024 * 1024))


def _may_manage(user, event: Event) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or is_organiser(user, event)))


def _require_manager(user, event: Event) -> None:
    if not _may_manage(user, event):
        raise PermissionDenied(_("Only the event's organisers may do this."))


# --- Opening a call --------------------------------------------------------------------------------------


def _clean_criteria(criteria) -> list[tuple[str, int]]:
    out, names = [], set()
    for name, weight in criteria:
        name = (name or "").strip()
        if not name and weight in (None, ""):
            continue
        if not name:
            raise ValidationError({"criteria": _("Every criterion needs a name.")})
        try:
            weight = int(weight if weight not in (None, "") else 1)
        except (TypeError, ValueError):
            raise ValidationError(
                {"criteria": _("The weight of “%(name)s” must be a whole number.") % {"name": name}}
            ) from None
        if not 1 <= weight <= 100:
            raise ValidationError(
                {"criteria": _("The weight of “%(name)s” must be between 1 and 100.") % {"name": name}}
            )
        if name.casefold() in names:
            raise ValidationError({"criteria": _("Criterion “%(name)s” is named twice.") % {"name": name}})
        names.add(name.casefold())
        out.append((name[:120], weight))
    if not out:
        raise ValidationError({"criteria": _("Give at least one criterion the jury scores against.")})
    return out


@transaction.atomic
def open_call(
    *,
    actor,
    event: Event,
    kind: str,
    title: str,
    opens_at,
    closes_at,
    criteria,
    description: str = "",
) -> Call:
    """Open a call for talks, pitches or companies to join a delegation, with its dates and its criteria
    [(name, weight), ...]."""
    _require_manager(actor, event)
    errors: dict[str, str] = {}
    if kind not in Call.Kind.values:
        errors["kind"] = _(
            "Choose a call for speakers, a call for startup pitches or a call for companies to join the delegation."
        )
    if opens_at is None:
        errors["opens_at"] = _("Give the date the call opens.")
    if closes_at is None:
        errors["closes_at"] = _("Give the date the call closes.")
    if opens_at and closes_at:
        if closes_at <= opens_at:
            errors["closes_at"] = _("The call must close after it opens.")
        elif closes_at <= timezone.now():
            errors["closes_at"] = _("The closing date is in the past.")
        elif closes_at > event.starts_at:
            errors["closes_at"] = _("The call must close before the event starts.")
    try:
        cleaned = _clean_criteria(criteria)
    except ValidationError as exc:
        errors.update({k: " ".join(v) for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    call = Call(
        event=event,
        kind=kind,
        title=title.strip(),
        description=description.strip(),
        opens_at=opens_at,
        closes_at=closes_at,
    )
    call.full_clean()
    call.save()
    for position, (name, weight) in enumerate(cleaned):
        Criterion.objects.create(call=call, name=name, weight=weight, position=position)
    log_action(
        actor=actor,
        action="events.call.open",
        obj=call,
        event=event.slug,
        kind=kind,
        criteria=[{"name": n, "weight": w} for n, w in cleaned],
    )
    return call


def find_user(identifier: str):
    """An active user by user name or e-mail address (case-insensitive), or None."""
    identifier = (identifier or "").strip()
    if not identifier:
        return None
    users = get_user_model().objects.filter(is_active=True)
    found = users.filter(username__iexact=identifier).first()
    if found is None and "@" in identifier:
        matches = list(users.filter(email__iexact=identifier)[:2])
        found = matches[0] if len(matches) == 1 else None
    return found


@transaction.atomic
def invite_juror(*, actor, call: Call, identifier: str) -> Juror:
    """Add an existing user (named by user name or e-mail) to the call's jury."""
    _require_manager(actor, call.event)
    user = find_user(identifier)
    if user is None:
        raise ValidationError(
            {"juror": _("No account has the user name or e-mail “%(value)s”.") % {"value": identifier[:100]}}
        )
    if Juror.objects.filter(call=call, user=user).exists():
        raise ValidationError({"juror": _("%(user)s is already on this jury.") % {"user": user}})
    juror = Juror.objects.create(call=call, user=user, invited_by=actor)
    log_action(actor=actor, action="events.call.juror_add", obj=call, juror=user.username)
    return juror


@transaction.atomic
def remove_juror(*, actor, juror: Juror) -> None:
    _require_manager(actor, juror.call.event)
    log_action(actor=actor, action="events.call.juror_remove", obj=juror.call, juror=juror.user.username)
    juror.delete()


# --- Applying -------------------------------------------------------------------------------------------


def check_deck(upload) -> tuple[str, str]:
    """Check an uploaded deck by its content, not its name: a PDF (starts with %PDF-) or a PowerPoint
    PPTX (a zip holding ppt/presentation.xml), at most deck_max_bytes(). Returns (extension,
    content type). Raises ValidationError with a message saying what is wrong."""
    limit = deck_max_bytes()
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ValidationError(
            {
                "deck": _("The deck is too large (%(size)s MB): %(max)s MB at most.")
                % {"size": f"{size / 1048576:.1f}", "max": f"{limit / 1048576:g}"}
            }
        )
    if size == 0:
        raise ValidationError({"deck": _("The deck file is empty.")})
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(PDF_MAGIC):
        return "pdf", "application/pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            data = upload.read(limit + 1)
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            names = set()
        finally:
            upload.seek(0)
        if "ppt/presentation.xml" in names:
            return "pptx", PPTX_TYPE
    raise ValidationError(
        {"deck": _("The deck must be a PDF or a PowerPoint (.pptx) file; this file is neither.")}
    )


def represented_organisations(user):
    if not (user and user.is_authenticated):
        return Organisation.objects.none()
    return Organisation.objects.filter(representatives__user=user).order_by("name")


def _check_video(url: str) -> str:
    url = (url or "").strip()
    if not url:
        return ""
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ValidationError(
            {"video_url": _("The video link must be a web address starting with https:// or http://.")}
        ) from None
    return url


def submit(
    *,
    actor,
    call: Call,
    title: str = "",
    abstract: str = "",
    speaker_name: str = "",
    speaker_email: str = "",
    language: str = "",
    organisation: Organisation | None = None,
    startup_name: str = "",
    stage: str = "",
    asks=(),
    deck=None,
    video_url: str = "",
) -> Submission:
    """A signed-in user applies to a call. A pitch names the startup (an organisation they represent,
    or a name: the submission's title), its stage, what it asks for, a deck (PDF or PPTX) and a video
    link. An application to join a delegation names an organisation the applicant represents (the
    submission's title) and what it looks for there; a brochure (the deck) is optional. Refused with a clear message after the call closes, twice for the same organisation, or with
    a bad deck; nothing is stored then (the deck file included)."""
    if not (actor and actor.is_authenticated):
        raise PermissionDenied(_("Log in to apply."))
    now = timezone.now()
    if now < call.opens_at:
        raise ValidationError(
            _("This call is not open yet: it opens on %(date)s.") % {"date": _date(call.opens_at)}
        )
    if now >= call.closes_at:
        raise ValidationError(
            _("This call closed on %(date)s: applications are no longer accepted.")
            % {"date": _date(call.closes_at)}
        )
    errors: dict[str, str] = {}
    pitch = call.kind == Call.Kind.PITCH
    delegation = call.kind == Call.Kind.DELEGATION
    startup_name = startup_name.strip()
    if organisation is not None and not represented_organisations(actor).filter(pk=organisation.pk).exists():
        errors["organisation"] = _("You may only apply for an organisation you represent.")
    if delegation:
        # a delegation is made of organisations of the directory: its members are shown with their profile
        if organisation is None and "organisation" not in errors:
            errors["organisation"] = _(
                "Choose the organisation you represent that would join the delegation."
            )
        title = organisation.name if organisation is not None else ""
        stage = ""
        asks = list(dict.fromkeys(asks or []))
        if [a for a in asks if a not in Submission.Ask.values] or not asks:
            errors["asks"] = _(
                "Say what the company is looking for there: clients, partners and/or investment."
            )
    elif pitch:
        if organisation is None and not startup_name:
            errors["organisation"] = _("Name the startup: one you represent, or its name.")
        title = organisation.name if organisation is not None else startup_name
        if stage not in Stage.values:
            errors["stage"] = _("Choose the startup's stage.")
        asks = list(dict.fromkeys(asks or []))
        unknown = [a for a in asks if a not in Submission.Ask.values]
        if unknown or not asks:
            errors["asks"] = _("Say what the startup is looking for: investment, clients and/or partners.")
        if deck is None:
            errors["deck"] = _("Attach the startup's deck (PDF or PowerPoint).")
    else:
        stage, asks = "", []
    if deck is not None and "deck" not in errors:
        try:
            extension, _ctype = check_deck(deck)
        except ValidationError as exc:
            errors.update({k: " ".join(v) for k, v in exc.message_dict.items()})
    try:
        video_url = _check_video(video_url)
    except ValidationError as exc:
        errors.update({k: " ".join(v) for k, v in exc.message_dict.items()})
    duplicate = Submission.objects.filter(call=call).exclude(status=Submission.Status.WITHDRAWN)
    if organisation is not None and duplicate.filter(organisation=organisation).exists():
        errors["organisation"] = _("%(name)s has already applied to this call.") % {"name": organisation.name}
    elif (
        pitch
        and organisation is None
        and startup_name
        and duplicate.filter(organisation__isnull=True, title__iexact=startup_name).exists()
    ):
        errors["organisation"] = _("%(name)s has already applied to this call.") % {"name": startup_name}
    if errors:
        raise ValidationError(errors)
    submission = Submission(
        call=call,
        submitted_by=actor,
        organisation=organisation,
        title=(title or "").strip()[:200],
        abstract=(abstract or "").strip(),
        speaker_name=(speaker_name or actor.get_full_name() or actor.username).strip()[:200],
        speaker_email=(speaker_email or actor.email).strip(),
        language=mail.language_of(language or getattr(actor, "language", "")),
        stage=stage,
        asks=asks,
        video_url=video_url,
    )
    submission.full_clean(exclude=["deck"])
    stored = None
    try:
        with transaction.atomic():
            submission.save()
            if deck is not None:
                base = os.path.splitext(get_valid_filename(os.path.basename(deck.name or "deck")))[0][:60]
                # A random prefix: the stored name can't be guessed from the startup's name.
                submission.deck.save(f"{secrets.token_hex(8)}-{base or 'deck'}.{extension}", deck, save=True)
                stored = submission.deck.name
            log_action(
                actor=actor,
                action="events.submission.create",
                obj=submission,
                call=call.pk,
                organisation=organisation.slug if organisation else "",
            )
    except BaseException as exc:
        # Nothing half-written: the row is rolled back, so the stored file goes too.
        if stored:
            submission.deck.storage.delete(stored)
        if isinstance(exc, IntegrityError):
            raise ValidationError(
                {"organisation": _("This organisation has already applied to this call.")}
            ) from None
        raise
    return submission


def _date(value) -> str:
    from django.utils import formats

    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")


# --- Jury ---------------------------------------------------------------------------------------------


def conflicted_user_ids(submission: Submission) -> set[int]:
    """Users with a conflict of interest on `submission`: its submitter, the representatives of the
    applying organisation and the people affiliated with it."""
    ids = {submission.submitted_by_id} if submission.submitted_by_id else set()
    if submission.organisation_id:
        ids |= set(
            Representative.objects.filter(organisation_id=submission.organisation_id).values_list(
                "user_id", flat=True
            )
        )
        ids |= set(
            Affiliation.objects.filter(
                organisation_id=submission.organisation_id, person__user__isnull=False
            ).values_list("person__user_id", flat=True)
        )
    return ids


def conflicts_for_call(call: Call) -> dict[int, set[int]]:
    """{submission_id: {user ids in conflict}} for every submission of the call, in three queries."""
    subs = list(call.submissions.values_list("pk", "submitted_by_id", "organisation_id"))
    org_ids = {org for _pk, _by, org in subs if org}
    by_org: dict[int, set[int]] = {}
    for org, user in Representative.objects.filter(organisation_id__in=org_ids).values_list(
        "organisation_id", "user_id"
    ):
        by_org.setdefault(org, set()).add(user)
    for org, user in Affiliation.objects.filter(
        organisation_id__in=org_ids, person__user__isnull=False
    ).values_list("organisation_id", "person__user_id"):
        by_org.setdefault(org, set()).add(user)
    return {pk: ({by} if by else set()) | by_org.get(org, set()) for pk, by, org in subs}


def juror_for(user, call: Call) -> Juror | None:
    if not (user and user.is_authenticated):
        return None
    return Juror.objects.filter(call=call, user=user).first()


def reviewable(juror: Juror) -> tuple[list[Submission], list[Submission]]:
    """(submissions the juror scores, submissions excluded for a conflict of interest)."""
    conflicts = conflicts_for_call(juror.call)
    subs = list(
        juror.call.submissions.exclude(status=Submission.Status.WITHDRAWN).select_related("organisation")
    )
    ok = [s for s in subs if juror.user_id not in conflicts.get(s.pk, set())]
    excluded = [s for s in subs if juror.user_id in conflicts.get(s.pk, set())]
    return ok, excluded


def parse_score(value, criterion: Criterion) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        number = None
    if number is None or not SCORE_MIN <= number <= SCORE_MAX:
        raise ValidationError(
            {
                f"criterion_{criterion.pk}": _("The score for “%(name)s” must be a whole number from 0 to 5.")
                % {"name": criterion.name}
            }
        )
    return number


@transaction.atomic
def score_submission(*, actor, submission: Submission, values: dict, comment: str = "") -> list[Score]:
    """A juror scores a submission on every criterion of the call ({criterion_id: 0..5}); scoring again
    replaces their earlier scores. Refused for a juror with a conflict of interest."""
    call = submission.call
    juror = juror_for(actor, call)
    if juror is None:
        raise PermissionDenied(_("Only the call's jurors may score its submissions."))
    if actor.pk in conflicted_user_ids(submission):
        raise PermissionDenied(
            _(
                "You have a conflict of interest with this application (you are part of %(name)s): another juror scores it."
            )
            % {"name": submission.organisation.name if submission.organisation_id else submission.title}
        )
    if submission.status == Submission.Status.WITHDRAWN:
        raise ValidationError(_("This application was withdrawn."))
    criteria = list(call.criteria.all())
    errors: dict[str, str] = {}
    parsed: dict[int, int] = {}
    for criterion in criteria:
        raw = values.get(criterion.pk, values.get(str(criterion.pk)))
        if raw in (None, ""):
            errors[f"criterion_{criterion.pk}"] = _("Give a score from 0 to 5 for “%(name)s”.") % {
                "name": criterion.name
            }
            continue
        try:
            parsed[criterion.pk] = parse_score(raw, criterion)
        except ValidationError as exc:
            errors.update({k: " ".join(v) for k, v in exc.message_dict.items()})
    unknown = {str(k) for k in values} - {str(c.pk) for c in criteria}
    if unknown:
        errors["criteria"] = _("Unknown criterion: %(ids)s.") % {"ids": ", ".join(sorted(unknown))}
    if errors:
        raise ValidationError(errors)
    scores = []
    for criterion in criteria:
        score, _created = Score.objects.update_or_create(
            submission=submission,
            juror=juror,
            criterion=criterion,
            defaults={"value": parsed[criterion.pk], "comment": comment.strip()},
        )
        scores.append(score)
    log_action(
        actor=actor,
        action="events.submission.score",
        obj=submission,
        scores={c.name: parsed[c.pk] for c in criteria},
    )
    return scores


# --- Ranking and decisions -------------------------------------------------------------------------------


@dataclass
class RankedSubmission:
    submission: Submission
    score: float | None  # weighted mean on 0–5 over the jurors who scored it
    jurors_scored: int
    excluded_jurors: list = field(default_factory=list)  # users excluded for a conflict
    rank: int | None = None


def ranking(call: Call) -> list[RankedSubmission]:
    """Submissions by weighted score (best first; unscored ones last), with the jurors excluded from
    each for a conflict of interest."""
    criteria = {c.pk: c.weight for c in call.criteria.all()}
    total_weight = sum(criteria.values()) or 1
    subs = list(
        call.submissions.exclude(status=Submission.Status.WITHDRAWN).select_related("organisation", "session")
    )
    per: dict[int, dict[int, float]] = {}
    for sub_id, juror_id, crit_id, value in Score.objects.filter(submission__call=call).values_list(
        "submission_id", "juror_id", "criterion_id", "value"
    ):
        per.setdefault(sub_id, {}).setdefault(juror_id, 0.0)
        per[sub_id][juror_id] += criteria.get(crit_id, 0) * value
    conflicts = conflicts_for_call(call)
    jurors = list(call.jurors.select_related("user"))
    rows = []
    for s in subs:
        by_juror = per.get(s.pk, {})
        score = sum(v / total_weight for v in by_juror.values()) / len(by_juror) if by_juror else None
        excluded = [j.user for j in jurors if j.user_id in conflicts.get(s.pk, set())]
        rows.append(
            RankedSubmission(s, round(score, 2) if score is not None else None, len(by_juror), excluded)
        )
    rows.sort(key=lambda r: (r.score is None, -(r.score or 0), r.submission.created_at))
    for i, r in enumerate(rows, 1):
        r.rank = i if r.score is not None else None
    return rows


def answer_token(submission: Submission) -> str:
    """The signed token of the confirmation link (the same for a submission every time it is asked)."""
    return signing.Signer(salt=ANSWER_SALT).sign(str(submission.pk))


def submission_for_token(token: str) -> Submission | None:
    try:
        pk = signing.Signer(salt=ANSWER_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return Submission.objects.select_related("call__event").filter(pk=pk).first() if pk.isdigit() else None


def _applicant_language(submission: Submission) -> str:
    user = submission.submitted_by
    return mail.language_of(user.language if user else submission.language)


def _decision_mail(submission: Submission) -> mail.Mail:
    event = submission.call.event
    selected = submission.status == Submission.Status.SELECTED
    return mail.Mail(
        to=submission.speaker_email or (submission.submitted_by.email if submission.submitted_by else ""),
        language=_applicant_language(submission),
        template="events/mail/call_selected" if selected else "events/mail/call_rejected",
        context={
            "submission": submission,
            "call": submission.call,
            "event": event,
            "partners": partners_in_order(event),
            "answer_url": settings.SITE_URL
            + reverse("events:submission-answer", args=[answer_token(submission)])
            if selected
            else "",
        },
    )


@transaction.atomic
def decide_submission(*, actor, submission: Submission, selected: bool) -> Submission:
    """An organiser selects or rejects a submission; the applicant is told by e-mail (after commit), in
    their language; a selected one gets a link to confirm or decline."""
    submission = (
        Submission.objects.select_for_update(of=("self",))
        .select_related("call__event", "submitted_by")
        .get(pk=submission.pk)
    )
    _require_manager(actor, submission.call.event)
    if submission.status not in (
        Submission.Status.SUBMITTED,
        Submission.Status.SELECTED,
        Submission.Status.REJECTED,
    ):
        raise ValidationError(
            _("This application can no longer be decided: it is %(status)s.")
            % {"status": submission.get_status_display()}
        )
    new = Submission.Status.SELECTED if selected else Submission.Status.REJECTED
    if submission.status == new:
        raise ValidationError(
            _("This application is already %(status)s.") % {"status": submission.get_status_display()}
        )
    submission.status = new
    submission.decided_at = timezone.now()
    submission.save(update_fields=["status", "decided_at", "updated_at"])
    log_action(
        actor=actor,
        action="events.submission.select" if selected else "events.submission.reject",
        obj=submission,
        call=submission.call_id,
    )
    message = _decision_mail(submission)
    if message.to:
        transaction.on_commit(lambda: mail.send([message]))
    return submission


@transaction.atomic
def answer_selection(*, submission: Submission, confirm: bool) -> Submission:
    """The selected applicant confirms (or declines) through the link of their selection e-mail."""
    submission = (
        Submission.objects.select_for_update(of=("self",)).select_related("call__event").get(pk=submission.pk)
    )
    if submission.status != Submission.Status.SELECTED:
        raise ValidationError(
            _("There is nothing to confirm: this application is %(status)s.")
            % {"status": submission.get_status_display()}
        )
    if submission.call.event.ends_at <= timezone.now():
        raise ValidationError(_("This event is over."))
    submission.status = Submission.Status.CONFIRMED if confirm else Submission.Status.DECLINED
    submission.answered_at = timezone.now()
    submission.save(update_fields=["status", "answered_at", "updated_at"])
    log_action(
        actor=submission.submitted_by,
        action="events.submission.confirm" if confirm else "events.submission.decline",
        obj=submission,
    )
    return submission


@transaction.atomic
def withdraw_submission(*, actor, submission: Submission) -> Submission:
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if submission.submitted_by_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("Only the applicant may withdraw an application."))
    if submission.status not in (Submission.Status.SUBMITTED, Submission.Status.SELECTED):
        raise ValidationError(
            _("This application can no longer be withdrawn: it is %(status)s.")
            % {"status": submission.get_status_display()}
        )
    submission.status = Submission.Status.WITHDRAWN
    submission.save(update_fields=["status", "updated_at"])
    log_action(actor=actor, action="events.submission.withdraw", obj=submission)
    return submission


@transaction.atomic
def place_submission(*, actor, submission: Submission, session: Session | None) -> Submission:
    """Place a confirmed talk or pitch in a session of the event's schedule (None takes it out)."""
    submission = (
        Submission.objects.select_for_update(of=("self",)).select_related("call__event").get(pk=submission.pk)
    )
    event = submission.call.event
    _require_manager(actor, event)
    if session is not None:
        if submission.call.kind == Call.Kind.DELEGATION:
            raise ValidationError(
                _("A delegation member is not placed in a session: it is listed as the delegation.")
            )
        if submission.status != Submission.Status.CONFIRMED:
            raise ValidationError(_("Only a confirmed talk or pitch can be placed in a session."))
        if session.event_id != event.pk:
            raise ValidationError({"session": _("That session belongs to another event.")})
    submission.session = session
    submission.save(update_fields=["session", "updated_at"])
    log_action(
        actor=actor,
        action="events.submission.place",
        obj=submission,
        session=session.title if session else None,
    )
    return submission


def open_calls(event: Event):
    now = timezone.now()
    return event.calls.filter(Q(opens_at__lte=now) & Q(closes_at__gt=now))
