"""B2B brokerage on an event: slots and tables, participants, meeting requests, the schedule.

The pure scheduler (jumelage.meetings, no Django) places meetings; this app keeps the rows it works
from and the schedule it returns. The database refuses a double booking whatever the code does: a table
holds one meeting per slot (unique slot+table) and a participant sits in one meeting per slot (unique
slot+participant on MeetingSeat).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jumelage.core.models import TimeStampedModel


class Brokerage(TimeStampedModel):
    class Status(models.TextChoices):
        SETUP = "setup", _("being set up")
        OPEN = "open", _("requests open")
        SCHEDULED = "scheduled", _("schedule published")

    event = models.OneToOneField("events.Event", on_delete=models.CASCADE, related_name="brokerage")
    meeting_minutes = models.PositiveSmallIntegerField(
        _("meeting length (minutes)"), default=20, validators=[MinValueValidator(5), MaxValueValidator(240)]
    )
    pause_minutes = models.PositiveSmallIntegerField(
        _("pause between meetings (minutes)"), default=5, validators=[MaxValueValidator(120)]
    )
    max_meetings = models.PositiveSmallIntegerField(
        _("most meetings per participant"), default=8, validators=[MinValueValidator(1)]
    )
    max_requests = models.PositiveSmallIntegerField(
        _("most requests a participant may send"), default=15, validators=[MinValueValidator(1)]
    )
    requests_close_at = models.DateTimeField(_("requests close"), null=True, blank=True)
    answers_close_at = models.DateTimeField(_("answers close"), null=True, blank=True)
    # The answer deadline participants were last reminded of (so one reminder per deadline).
    answers_reminded_for = models.DateTimeField(null=True, blank=True, editable=False)
    online_allowed = models.BooleanField(_("online meetings allowed"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SETUP)
    published_at = models.DateTimeField(_("schedule published"), null=True, blank=True)

    class Meta:
        verbose_name = _("B2B brokerage")
        verbose_name_plural = _("B2B brokerages")

    def __str__(self) -> str:
        return str(self.event)


class MeetingSession(models.Model):
    """A block of consecutive slots (morning, afternoon); the gap between two is a pause (lunch)."""

    brokerage = models.ForeignKey(Brokerage, on_delete=models.CASCADE, related_name="sessions")
    name = models.CharField(_("name"), max_length=80)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))

    class Meta:
        ordering = ["brokerage", "starts_at"]
        verbose_name = _("meeting session")
        verbose_name_plural = _("meeting sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="meeting_session_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Slot(models.Model):
    brokerage = models.ForeignKey(Brokerage, on_delete=models.CASCADE, related_name="slots")
    session = models.ForeignKey(MeetingSession, on_delete=models.CASCADE, related_name="slots")
    number = models.PositiveSmallIntegerField(_("number"))  # 1-based, in time order across the day
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))

    class Meta:
        ordering = ["brokerage", "number"]
        verbose_name = _("slot")
        verbose_name_plural = _("slots")
        constraints = [models.UniqueConstraint(fields=["brokerage", "number"], name="slot_number_unique")]

    def __str__(self) -> str:
        """Local time, as participants read it: "10:30–10:50"."""
        return f"{timezone.localtime(self.starts_at):%H:%M}–{timezone.localtime(self.ends_at):%H:%M}"

    def with_day(self) -> str:
        """With its day, in the reader's formats: "27/12/2026 10:30–10:50" (a brokerage may last days)."""
        start = formats.date_format(timezone.localtime(self.starts_at), "SHORT_DATETIME_FORMAT")
        return f"{start}–{formats.time_format(timezone.localtime(self.ends_at), 'TIME_FORMAT')}"


class Table(models.Model):
    brokerage = models.ForeignKey(Brokerage, on_delete=models.CASCADE, related_name="tables")
    name = models.CharField(_("name"), max_length=60)
    # Where a participant who takes part online joins the meetings held at this table.
    video_link = models.URLField(_("video link"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["brokerage", "position", "name"]
        verbose_name = _("table")
        verbose_name_plural = _("tables")
        constraints = [models.UniqueConstraint(fields=["brokerage", "name"], name="table_name_unique")]

    def __str__(self) -> str:
        return self.name


class Participant(TimeStampedModel):
    """Someone taking part in the brokerage, on behalf of an organisation."""

    brokerage = models.ForeignKey(Brokerage, on_delete=models.CASCADE, related_name="participants")
    # None once the person erased their account (GDPR): the participation in a past event stays,
    # anonymised, so that the event's meeting counts stay true.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="brokerage_roles"
    )
    organisation = models.ForeignKey(
        "directory.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"))
    language = models.CharField(_("language"), max_length=5, default="fr")
    offers = models.TextField(_("what we offer"), blank=True)
    seeks = models.TextField(_("what we seek"), blank=True)
    themes = models.ManyToManyField("directory.Theme", blank=True, related_name="+", verbose_name=_("themes"))
    unavailable = models.ManyToManyField(
        Slot, blank=True, related_name="+", verbose_name=_("unavailable slots")
    )
    max_meetings = models.PositiveSmallIntegerField(_("most meetings"), null=True, blank=True)
    online = models.BooleanField(_("takes part online"), default=False)

    class Meta:
        ordering = ["brokerage", "name"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [models.UniqueConstraint(fields=["brokerage", "user"], name="participant_once")]

    def __str__(self) -> str:
        return self.name


class MeetingRequest(TimeStampedModel):
    class Status(models.TextChoices):
        PENDING = "pending", _("awaiting an answer")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        WITHDRAWN = "withdrawn", _("withdrawn")
        CANCELLED = "cancelled", pgettext_lazy("meeting request status", "cancelled")

    brokerage = models.ForeignKey(Brokerage, on_delete=models.CASCADE, related_name="requests")
    requester = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="sent_requests")
    recipient = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="received_requests")
    message = models.TextField(_("message"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    reason = models.TextField(_("reason"), blank=True)
    by_organiser = models.BooleanField(_("created by the organisers"), default=False)
    mutual = models.BooleanField(_("both asked"), default=False)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        ordering = ["brokerage", "created_at", "pk"]
        verbose_name = _("meeting request")
        verbose_name_plural = _("meeting requests")
        constraints = [
            models.CheckConstraint(condition=~Q(requester=F("recipient")), name="no_meeting_with_oneself"),
            models.UniqueConstraint(
                fields=["requester", "recipient"],
                condition=Q(status__in=["pending", "accepted"]),
                name="one_live_request_per_pair",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.requester} → {self.recipient}"

    @property
    def priority(self) -> int:
        """Weight in the scheduler: organiser-created and mutual meetings are placed first."""
        return 3 if self.by_organiser else 2 if self.mutual else 1


class Meeting(TimeStampedModel):
    """An accepted request and, once scheduled, its slot and table."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        HELD = "held", _("held")
        NO_SHOW = "no_show", _("no-show")
        CANCELLED = "cancelled", _("cancelled")

    brokerage = models.ForeignKey(Brokerage, on_delete=models.CASCADE, related_name="meetings")
    request = models.OneToOneField(MeetingRequest, on_delete=models.CASCADE, related_name="meeting")
    slot = models.ForeignKey(Slot, null=True, blank=True, on_delete=models.SET_NULL, related_name="meetings")
    table = models.ForeignKey(
        Table, null=True, blank=True, on_delete=models.SET_NULL, related_name="meetings"
    )
    locked = models.BooleanField(_("locked to its slot and table"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)

    class Meta:
        ordering = ["brokerage", "slot__number", "table__position"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.UniqueConstraint(fields=["slot", "table"], name="one_meeting_per_table_and_slot"),
            models.CheckConstraint(
                condition=Q(slot__isnull=True, table__isnull=True)
                | Q(slot__isnull=False, table__isnull=False),
                name="meeting_slot_and_table_together",
            ),
        ]

    def __str__(self) -> str:
        return str(self.request)


class MeetingSeat(models.Model):
    """One participant's seat at a scheduled meeting: unique per slot, so nobody is in two at once.
    Also where each side confirms the meeting took place and rates it."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="seats")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="seats")
    slot = models.ForeignKey(Slot, on_delete=models.CASCADE, related_name="+")
    held = models.BooleanField(_("took place"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(
        _("rating"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )

    class Meta:
        verbose_name = _("meeting seat")
        verbose_name_plural = _("meeting seats")
        constraints = [
            models.UniqueConstraint(
                fields=["slot", "participant"], name="one_meeting_per_participant_and_slot"
            ),
            models.UniqueConstraint(fields=["meeting", "participant"], name="one_seat_per_participant"),
        ]

    def __str__(self) -> str:
        return f"{self.participant} @ {self.meeting}"


class ScheduleRun(TimeStampedModel):
    """One run of the scheduler: a draft the organisers look at, and publish or discard.
    Nothing in Meeting changes until it is published."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting for a worker")
        RUNNING = "running", _("running")
        READY = "ready", _("draft ready")
        FAILED = "failed", _("no schedule")
        PUBLISHED = "published", _("published")
        DISCARDED = "discarded", _("discarded")

    brokerage = models.ForeignKey(Brokerage, on_delete=models.CASCADE, related_name="runs")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    time_limit = models.PositiveSmallIntegerField(_("time limit (seconds)"), default=10)
    # {meeting_id: [slot_number, table_id]} for every placed meeting.
    assignment = models.JSONField(default=dict, blank=True)
    requested = models.PositiveIntegerField(default=0)
    placed = models.PositiveIntegerField(default=0)
    placed_bound = models.PositiveIntegerField(null=True, blank=True)
    breaks = models.PositiveIntegerField(null=True, blank=True)
    breaks_bound = models.PositiveIntegerField(null=True, blank=True)
    moved = models.PositiveIntegerField(default=0)  # already scheduled meetings this draft moves
    proven = models.BooleanField(default=False)
    conflicts = models.JSONField(default=list, blank=True)  # [{"constraint", "message", "participants"}]
    seconds = models.FloatField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["brokerage", "-created_at"]
        verbose_name = _("scheduler run")
        verbose_name_plural = _("scheduler runs")

    def __str__(self) -> str:
        return f"{self.brokerage} — {self.created_at:%Y-%m-%d %H:%M}"
