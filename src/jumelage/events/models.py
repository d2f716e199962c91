"""Joint events: co-organised by ecosystems and nodes, each brand shown intact.

An event has partners (lead, co-organisers, supporting partners) in an agreed order; a co-programming
board of proposals that every co-organiser must approve; calls for talks and pitches scored by a jury;
a schedule of sessions in rooms; registrations with a capacity the database itself guarantees.
"""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jumelage.core.models import TimeStampedModel
from jumelage.directory.models import Stage
from jumelage.ecosystems.models import BrandHolder


def new_token() -> str:
    return secrets.token_urlsafe(18)


class EventKind(models.TextChoices):
    CONFERENCE = "conference", _("conference")
    INFO_SESSION = "info_session", _("information session")
    NETWORKING = "networking", _("networking evening")
    PITCH_EVENING = "pitch_evening", _("themed evening with pitches")
    THEMED_DAY = "themed_day", _("themed day")
    CLUSTER_MEETING = "cluster_meeting", _("cluster meeting")
    MISSION = "mission", _("exploration mission")
    TRADE_SHOW = "trade_show", _("presence at a trade show")


class Event(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        # French agrees with the noun: "événement publié", "inscription annulée".
        PUBLISHED = "published", pgettext_lazy("event status", "published")
        CANCELLED = "cancelled", pgettext_lazy("event status", "cancelled")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("public")
        MEMBERS = "members", _("members of the co-organising ecosystems only")

    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_nl = models.TextField(_("description (Dutch)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    timezone = models.CharField(_("time zone"), max_length=60, default="Europe/Brussels")
    online = models.BooleanField(_("online"), default=False)
    online_url = models.URLField(_("online meeting address"), max_length=300, blank=True)
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    street = models.CharField(_("street"), max_length=255, blank=True)
    postcode = models.CharField(_("postcode"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True, help_text=_("ISO 3166-1 alpha-2 code"))
    languages = models.JSONField(_("languages"), default=list, blank=True)
    themes = models.ManyToManyField(
        "directory.Theme", blank=True, related_name="events", verbose_name=_("themes")
    )
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Seats; leave empty for no limit.")
    )
    # Seats taken, kept by the registration service in the same transaction as each registration; the
    # check constraint below makes the database refuse an overbooking whatever the code does.
    confirmed_count = models.PositiveIntegerField(default=0, editable=False)
    waitlist = models.BooleanField(_("waiting list when full"), default=True)
    registration_opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(_("registration closes"), null=True, blank=True)
    programme_published_at = models.DateTimeField(_("programme published"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="event_ends_after_start"),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(confirmed_count__lte=F("capacity")),
                name="event_never_overbooked",
            ),
        ]
        indexes = [models.Index(fields=["status", "starts_at"])]

    def __str__(self) -> str:
        return self.title


class EventPartner(BrandHolder, models.Model):
    """One co-organiser of an event: an ecosystem or one node, with its role and its place in the
    order the partners agreed. Its brand (logo, name, link) is shown intact, side by side."""

    class Role(models.TextChoices):
        LEAD = "lead", _("lead organiser")
        CO_ORGANISER = "co_organiser", _("co-organiser")
        SUPPORTING = "supporting", _("supporting partner")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="partners")
    ecosystem = models.ForeignKey(
        "ecosystems.Ecosystem", null=True, blank=True, on_delete=models.PROTECT, related_name="event_roles"
    )
    node = models.ForeignKey(
        "ecosystems.NetworkNode", null=True, blank=True, on_delete=models.PROTECT, related_name="event_roles"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["event", "position", "pk"]
        verbose_name = _("event partner")
        verbose_name_plural = _("event partners")
        constraints = [
            models.CheckConstraint(
                condition=Q(ecosystem__isnull=False, node__isnull=True)
                | Q(ecosystem__isnull=True, node__isnull=False),
                name="event_partner_is_ecosystem_or_node",
            ),
            models.UniqueConstraint(
                fields=["event", "ecosystem"],
                condition=Q(ecosystem__isnull=False),
                name="event_partner_ecosystem_once",
            ),
            models.UniqueConstraint(
                fields=["event", "node"], condition=Q(node__isnull=False), name="event_partner_node_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.brand_name} ({self.get_role_display()})"

    @property
    def is_co_organiser(self) -> bool:
        """Lead and co-organisers approve the programme; supporting partners do not."""
        return self.role != self.Role.SUPPORTING


# --- Co-programming board ------------------------------------------------------------------------------


class Proposal(TimeStampedModel):
    """A partner's proposal for the programme: a theme, a speaker, actors to mobilise, a showcase.
    Agreed only when every co-organiser has approved it."""

    class Kind(models.TextChoices):
        THEME = "theme", _("theme")
        SPEAKER = "speaker", _("speaker")
        MOBILISE = "mobilise", _("actors to mobilise")
        SHOWCASE = "showcase", _("company or startup to showcase")

    class Status(models.TextChoices):
        PENDING = "pending", _("awaiting approval")
        AGREED = "agreed", _("agreed")
        REJECTED = "rejected", _("rejected")
        WITHDRAWN = "withdrawn", _("withdrawn")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="proposals")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    details = models.TextField(_("details"), blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_for = models.ForeignKey(
        EventPartner,
        on_delete=models.CASCADE,
        related_name="proposals",
        verbose_name=_("proposed by partner"),
    )
    theme = models.ForeignKey(
        "directory.Theme", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    person = models.ForeignKey(
        "directory.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="event_proposals"
    )
    speaker_name = models.CharField(_("speaker's name (not in the directory)"), max_length=200, blank=True)
    speaker_email = models.EmailField(_("speaker's e-mail"), blank=True)
    organisation = models.ForeignKey(
        "directory.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="event_proposals",
    )
    # For MOBILISE: the directory filters (a query string of the directory list page) naming who to invite.
    audience_query = models.CharField(_("directory filters"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)

    class Meta:
        ordering = ["event", "created_at", "pk"]
        verbose_name = _("programme proposal")
        verbose_name_plural = _("programme proposals")

    def __str__(self) -> str:
        return self.title


class ProposalApproval(models.Model):
    """One co-organiser's decision on a proposal."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="approvals")
    partner = models.ForeignKey(EventPartner, on_delete=models.CASCADE, related_name="approvals")
    approved = models.BooleanField(_("approved"))
    comment = models.TextField(_("comment"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), auto_now=True)

    class Meta:
        verbose_name = _("proposal approval")
        verbose_name_plural = _("proposal approvals")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "partner"], name="one_decision_per_partner"),
        ]

    def __str__(self) -> str:
        return f"{self.partner}: {'yes' if self.approved else 'no'} — {self.proposal}"


class Invitation(TimeStampedModel):
    """An invitation sent to an organisation mobilised for an event, and its answer."""

    class Status(models.TextChoices):
        PENDING = "pending", _("not sent yet")
        SENT = "sent", _("sent")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="invitations")
    proposal = models.ForeignKey(
        Proposal, null=True, blank=True, on_delete=models.SET_NULL, related_name="invitations"
    )
    organisation = models.ForeignKey(
        "directory.Organisation", on_delete=models.CASCADE, related_name="event_invitations"
    )
    email = models.EmailField(_("e-mail"), blank=True)
    language = models.CharField(_("language"), max_length=5, default="fr")
    token = models.CharField(max_length=40, unique=True, default=new_token, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        ordering = ["event", "organisation__name"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(fields=["event", "organisation"], name="invite_organisation_once")
        ]


# --- Schedule -------------------------------------------------------------------------------------------


class Room(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(_("name"), max_length=120)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)

    class Meta:
        ordering = ["event", "name"]
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        constraints = [models.UniqueConstraint(fields=["event", "name"], name="room_unique_name_in_event")]

    def __str__(self) -> str:
        return self.name


class Session(TimeStampedModel):
    class Kind(models.TextChoices):
        TALK = "talk", _("talk")
        PANEL = "panel", _("panel")
        PITCHES = "pitches", _("pitches")
        WORKSHOP = "workshop", _("workshop")
        NETWORKING = "networking", _("networking")
        BREAK = "break", _("break")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.TALK)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    room = models.ForeignKey(Room, null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions")
    language = models.CharField(_("language"), max_length=5, blank=True)
    speakers = models.ManyToManyField("directory.Person", blank=True, related_name="event_sessions")

    class Meta:
        ordering = ["event", "starts_at", "room__name", "pk"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.title


# --- Calls for talks and pitches --------------------------------------------------------------------------


class Call(TimeStampedModel):
    class Kind(models.TextChoices):
        TALK = "talk", _("call for speakers")
        PITCH = "pitch", _("call for startup pitches")
        # Companies apply to join a delegation (a shared pavilion at a trade show, a mission abroad).
        DELEGATION = "delegation", _("call for companies to join the delegation")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="calls")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))

    class Meta:
        ordering = ["event", "closes_at", "pk"]
        verbose_name = _("call for proposals")
        verbose_name_plural = _("calls for proposals")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="call_closes_after_opening"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Criterion(models.Model):
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("criterion"), max_length=120)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1, validators=[MinValueValidator(1)])
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["call", "position", "pk"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")

    def __str__(self) -> str:
        return self.name


class Juror(models.Model):
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="jurors")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="juries")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("juror")
        verbose_name_plural = _("jurors")
        constraints = [models.UniqueConstraint(fields=["call", "user"], name="juror_once_per_call")]

    def __str__(self) -> str:
        return str(self.user)


class Submission(TimeStampedModel):
    """A proposed talk, or a startup's application to pitch."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        SELECTED = "selected", _("selected")
        REJECTED = "rejected", _("not selected")
        CONFIRMED = "confirmed", _("confirmed")
        DECLINED = "declined", _("declined by the applicant")
        WITHDRAWN = "withdrawn", _("withdrawn")

    class Ask(models.TextChoices):
        INVESTMENT = "investment", _("investment")
        CLIENTS = "clients", _("clients")
        PARTNERS = "partners", _("partners")

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="submissions")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="event_submissions"
    )
    organisation = models.ForeignKey(
        "directory.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="event_submissions",
    )
    title = models.CharField(_("title"), max_length=200)
    abstract = models.TextField(_("abstract"))
    speaker_name = models.CharField(_("speaker"), max_length=200)
    speaker_email = models.EmailField(_("speaker's e-mail"))
    language = models.CharField(_("language"), max_length=5, default="fr")
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, blank=True)
    asks = models.JSONField(_("looking for"), default=list, blank=True)
    deck = models.FileField(_("deck"), upload_to="events/decks/%Y/", max_length=300, blank=True)
    video_url = models.URLField(_("video link"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="submissions"
    )
    outcome = models.TextField(_("outcome after the event"), blank=True)

    class Meta:
        ordering = ["call", "created_at", "pk"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        constraints = [
            models.UniqueConstraint(
                fields=["call", "organisation"],
                condition=Q(organisation__isnull=False) & ~Q(status="withdrawn"),
                name="one_live_submission_per_organisation",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def asks_display(self) -> list[str]:
        """What the applicant looks for, in the reader's language."""
        labels = dict(self.Ask.choices)
        return [str(labels.get(a, a)) for a in self.asks]


class Score(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="scores")
    juror = models.ForeignKey(Juror, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    value = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(0), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "juror", "criterion"], name="one_score_per_criterion"
            ),
            models.CheckConstraint(condition=Q(value__lte=5), name="score_at_most_5"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.value}"


# --- Registration ---------------------------------------------------------------------------------------


class Question(models.Model):
    """A question the organisers ask at registration (beyond organisation, role and interests)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="questions")
    label = models.CharField(_("question"), max_length=200)
    choices = models.JSONField(
        _("choices"), default=list, blank=True, help_text=_("Empty for a free answer.")
    )
    required = models.BooleanField(_("required"), default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["event", "position", "pk"]
        verbose_name = _("registration question")
        verbose_name_plural = _("registration questions")

    def __str__(self) -> str:
        return self.label


class Registration(TimeStampedModel):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("confirmed")
        WAITLISTED = "waitlisted", _("on the waiting list")
        CANCELLED = "cancelled", pgettext_lazy("registration status", "cancelled")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="registrations",
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"))  # stored lower-cased by the service
    language = models.CharField(_("language"), max_length=5, default="fr")
    organisation = models.ForeignKey(
        "directory.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="registrations",
    )
    organisation_name = models.CharField(_("organisation"), max_length=255, blank=True)
    organisation_kind = models.CharField(_("kind of organisation"), max_length=20, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    role = models.CharField(_("role"), max_length=120, blank=True)
    interests = models.ManyToManyField(
        "directory.Theme", blank=True, related_name="+", verbose_name=_("interests")
    )
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    # Which co-organiser brought this person (the link they registered through, or their membership).
    via_partner = models.ForeignKey(
        EventPartner, null=True, blank=True, on_delete=models.SET_NULL, related_name="registrations"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    token = models.CharField(max_length=40, unique=True, default=new_token, editable=False)
    promoted_at = models.DateTimeField(_("promoted from the waiting list"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["event", "created_at", "pk"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "email"], condition=~Q(status="cancelled"), name="register_once_per_event"
            ),
        ]
        indexes = [models.Index(fields=["event", "status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.name} — {self.event}"


class Feedback(models.Model):
    registration = models.OneToOneField(Registration, on_delete=models.CASCADE, related_name="feedback")
    rating = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("given"), auto_now_add=True)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints = [
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="feedback_rating_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.rating}/5 — {self.registration}"
