"""Partnership opportunities, the market-needs register, expressions of interest, introductions and
the partnership pipeline."""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from jumelage.core.models import TimeStampedModel

# Longest description accepted per language: a long page of text, far beyond a real opportunity.
MAX_DESCRIPTION = 20_000
MAX_MESSAGE = 5_000


class Opportunity(TimeStampedModel):
    class Kind(models.TextChoices):
        BUSINESS_OFFER = "business_offer", _("business offer")
        BUSINESS_REQUEST = "business_request", _("business request")
        TECHNOLOGY_OFFER = "technology_offer", _("technology offer")
        TECHNOLOGY_REQUEST = "technology_request", _("technology request")
        RND_PARTNER = "rnd_partner", _("R&D partner search")
        INVESTMENT = "investment", _("investment search")
        MARKET_ENTRY = "market_entry", _("market entry in the other country (soft landing)")
        TALENT = "talent", _("talent or skills search")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("public")
        MEMBERS = "members", _("members of the partner ecosystems")
        STAFF = "staff", _("ecosystem staff only")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")
        EXPIRED = "expired", _("expired")
        CLOSED = "closed", _("closed")

    organisation = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.CASCADE,
        related_name="opportunities",
        verbose_name=_("organisation"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=500)
    description_fr = models.TextField(
        _("description (French)"), blank=True, validators=[MaxLengthValidator(MAX_DESCRIPTION)]
    )
    description_nl = models.TextField(
        _("description (Dutch)"), blank=True, validators=[MaxLengthValidator(MAX_DESCRIPTION)]
    )
    description_en = models.TextField(
        _("description (English)"), blank=True, validators=[MaxLengthValidator(MAX_DESCRIPTION)]
    )
    themes = models.ManyToManyField(
        "directory.Theme", blank=True, related_name="opportunities", verbose_name=_("themes")
    )
    target_ecosystems = models.ManyToManyField(
        "ecosystems.Ecosystem",
        blank=True,
        related_name="targeted_by_opportunities",
        verbose_name=_("target ecosystems"),
    )
    target_countries = models.JSONField(
        _("target countries"), default=list, blank=True, help_text=_("ISO 3166-1 alpha-2 codes")
    )
    deadline = models.DateField(_("deadline"))
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    # The deadline a renewal reminder was last sent for (so one reminder per deadline, even if re-run).
    reminded_for = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-published_at", "-created_at", "-id"]
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        indexes = [
            models.Index(fields=["status", "deadline"]),
            models.Index(fields=["kind"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def description(self) -> str:
        lang = (get_language() or "fr")[:2]
        return (
            getattr(self, f"description_{lang}", "")
            or self.description_fr
            or self.description_en
            or self.description_nl
        )

    @property
    def is_open(self) -> bool:
        """Published and its deadline not passed: interest may still be expressed."""
        return self.status == self.Status.PUBLISHED and self.deadline >= timezone.localdate()

    @property
    def intent(self) -> str:
        """'offer', 'request' or '' (for complementarity: an offer answers a request)."""
        if self.kind.endswith("_offer"):
            return "offer"
        if self.kind.endswith("_request") or self.kind in {"rnd_partner", "investment", "talent"}:
            return "request"
        return ""


class Market(models.TextChoices):
    BE = "BE", _("Belgian market")
    FR = "FR", _("French market")


class MarketNeed(TimeStampedModel):
    """A need observed on the Belgian or French market, recorded by staff or members."""

    theme = models.ForeignKey(
        "directory.Theme", on_delete=models.PROTECT, related_name="market_needs", verbose_name=_("theme")
    )
    market = models.CharField(_("market"), max_length=2, choices=Market.choices)
    sector = models.CharField(_("sector"), max_length=120, blank=True)
    organisation = models.ForeignKey(
        "directory.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="market_needs",
        verbose_name=_("expressed by (organisation)"),
    )
    expressed_by = models.CharField(
        _("expressed by (other)"),
        max_length=200,
        blank=True,
        help_text=_("Who expressed the need when it is not an organisation of the directory."),
    )
    evidence = models.TextField(_("evidence"), validators=[MaxLengthValidator(MAX_DESCRIPTION)])
    observed_on = models.DateField(_("observed on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-observed_on", "-id"]
        verbose_name = _("market need")
        verbose_name_plural = _("market needs")
        indexes = [models.Index(fields=["market", "observed_on"])]

    def __str__(self) -> str:
        return f"{self.theme} · {self.market} · {self.observed_on}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if not self.organisation_id and not (self.expressed_by or "").strip():
            raise ValidationError(
                {"expressed_by": _("Say who expressed the need: an organisation or, failing that, a name.")}
            )
        if self.observed_on and self.observed_on > timezone.localdate():
            raise ValidationError({"observed_on": _("A need cannot be observed in the future.")})


class Interest(TimeStampedModel):
    """An organisation's expression of interest in an opportunity; the owner accepts or declines it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for an answer")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="interests")
    organisation = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.CASCADE,
        related_name="interests",
        verbose_name=_("organisation"),
    )
    message = models.TextField(_("message"), validators=[MaxLengthValidator(MAX_MESSAGE)])
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("expression of interest")
        verbose_name_plural = _("expressions of interest")
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity", "organisation"], name="interest_once_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} → {self.opportunity}"


class Stage(models.TextChoices):
    INTRODUCED = "introduced", _("introduced")
    MET = "met", _("met")
    AGREEMENT = "agreement", _("agreement")
    ACTIVE = "active", _("active partnership")
    CLOSED = "closed", _("closed")
    LOST = "lost", _("lost")


# The pipeline's order; `lost` may follow any step before `closed`.
STAGE_ORDER = [Stage.INTRODUCED, Stage.MET, Stage.AGREEMENT, Stage.ACTIVE, Stage.CLOSED]
FINAL_STAGES = {Stage.CLOSED, Stage.LOST}


class Introduction(TimeStampedModel):
    """Two organisations were introduced and their partnership is followed. It starts from an accepted
    interest in an opportunity, or from a B2B meeting held at an event (`event`, no interest)."""

    interest = models.OneToOneField(
        Interest, null=True, blank=True, on_delete=models.CASCADE, related_name="introduction"
    )
    # The side that reached out (the interested organisation, the one that asked for the meeting) and
    # the side approached (the opportunity's publisher, the one asked).
    first_organisation = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("organisation that reached out"),
    )
    second_organisation = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("organisation approached"),
    )
    event = models.ForeignKey(
        "events.Event",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="introductions",
        verbose_name=_("met at"),
    )
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, default=Stage.INTRODUCED)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("introduction")
        verbose_name_plural = _("introductions")

    def __str__(self) -> str:
        return f"{self.second_organisation} ↔ {self.first_organisation}"

    @property
    def organisations(self) -> tuple:
        return self.first_organisation, self.second_organisation


class PipelineStep(models.Model):
    """One dated step of a partnership, attributed to the ecosystem (or node) that made it happen."""

    introduction = models.ForeignKey(Introduction, on_delete=models.CASCADE, related_name="steps")
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices)
    happened_on = models.DateField(_("date"))
    ecosystem = models.ForeignKey(
        "ecosystems.Ecosystem",
        on_delete=models.PROTECT,
        related_name="pipeline_steps",
        verbose_name=_("made happen by (ecosystem)"),
    )
    node = models.ForeignKey(
        "ecosystems.NetworkNode",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pipeline_steps",
        verbose_name=_("made happen by (node)"),
    )
    note = models.TextField(_("note"), blank=True, validators=[MaxLengthValidator(MAX_MESSAGE)])
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["introduction", "happened_on", "id"]
        verbose_name = _("pipeline step")
        verbose_name_plural = _("pipeline steps")
        constraints = [
            models.UniqueConstraint(fields=["introduction", "stage"], name="pipeline_step_once_per_stage")
        ]

    def __str__(self) -> str:
        return f"{self.introduction}: {self.get_stage_display()} ({self.happened_on})"
