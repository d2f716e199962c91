"""A partnership agreement between ecosystems or nodes (Digital Wallonia and French Tech Brussels): its
terms, the parties (each brand intact, in the order they agreed), an action plan with who carries each
action, and the steering meetings that follow it. Its indicators are computed from the platform
(partnerships/queries.py), side by side per party."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jumelage.core.models import TimeStampedModel
from jumelage.ecosystems.models import BrandHolder


class Partnership(TimeStampedModel):
    class Status(models.TextChoices):
        # French agrees with "partenariat" (masculine)
        DRAFT = "draft", pgettext_lazy("partnership status", "being negotiated")
        ACTIVE = "active", pgettext_lazy("partnership status", "in force")
        ENDED = "ended", pgettext_lazy("partnership status", "ended")

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    terms_fr = models.TextField(_("terms and joint interests (French)"), blank=True)
    terms_nl = models.TextField(_("terms and joint interests (Dutch)"), blank=True)
    terms_en = models.TextField(_("terms and joint interests (English)"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    signed_on = models.DateField(_("agreed on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    public = models.BooleanField(
        _("public"),
        default=True,
        help_text=_("Shown to everyone once in force; otherwise to the parties' staff only."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")

    def __str__(self) -> str:
        return self.title


class Party(BrandHolder, models.Model):
    """One party to a partnership: an ecosystem or one of its nodes."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="parties")
    ecosystem = models.ForeignKey(
        "ecosystems.Ecosystem",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="partnership_roles",
    )
    node = models.ForeignKey(
        "ecosystems.NetworkNode",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="partnership_roles",
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["partnership", "position", "pk"]
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        constraints = [
            models.CheckConstraint(
                condition=Q(ecosystem__isnull=False, node__isnull=True)
                | Q(ecosystem__isnull=True, node__isnull=False),
                name="party_is_ecosystem_or_node",
            ),
            models.UniqueConstraint(
                fields=["partnership", "ecosystem"],
                condition=Q(ecosystem__isnull=False),
                name="party_ecosystem_once",
            ),
            models.UniqueConstraint(
                fields=["partnership", "node"], condition=Q(node__isnull=False), name="party_node_once"
            ),
        ]

    def __str__(self) -> str:
        return self.brand.name


class Action(TimeStampedModel):
    """One item of the action plan, carried by a party or by all of them together."""

    class Status(models.TextChoices):
        PLANNED = "planned", pgettext_lazy("action status", "planned")
        IN_PROGRESS = "in_progress", pgettext_lazy("action status", "in progress")
        DONE = "done", pgettext_lazy("action status", "done")
        DROPPED = "dropped", pgettext_lazy("action status", "dropped")

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(_("action"), max_length=200)
    details = models.TextField(_("details"), blank=True, max_length=2000)
    owner = models.ForeignKey(
        Party,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="actions",
        verbose_name=_("carried by"),
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    event = models.ForeignKey(
        "events.Event",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("event"),
    )

    class Meta:
        ordering = ["partnership", "due_on", "pk"]
        verbose_name = _("action")
        verbose_name_plural = _("action plan")

    def __str__(self) -> str:
        return self.title


class SteeringMeeting(TimeStampedModel):
    """A meeting of the parties that steers the partnership, with what it decided."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="meetings")
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    attendees = models.TextField(_("attendees"), blank=True, max_length=2000)
    decisions = models.TextField(_("decisions"), blank=True, max_length=4000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["partnership", "-held_on", "-pk"]
        verbose_name = _("steering meeting")
        verbose_name_plural = _("steering meetings")

    def __str__(self) -> str:
        return f"{self.partnership} — {self.held_on}"
