from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from jumelage.core.models import TimeStampedModel
from jumelage.directory import identifiers


def _check(fn, value, code, message):
    try:
        fn(value)
    except ValueError as exc:
        # The pure validator says precisely what is wrong (in English); the sentence around it is
        # translated, so an import report or API error in French still reads as French.
        raise ValidationError(message, code=code, params={"value": value, "detail": str(exc)}) from exc


def validate_be_enterprise_number(value):
    _check(
        identifiers.normalise_be_enterprise_number,
        value,
        "enterprise_number",
        _(
            "“%(value)s” is not a valid Belgian enterprise number: it needs 10 digits starting "
            "with 0 or 1, the last two being the mod-97 check (%(detail)s)."
        ),
    )


def validate_siren(value):
    _check(
        identifiers.normalise_siren,
        value,
        "siren",
        _("“%(value)s” is not a valid SIREN: it needs 9 digits that pass the Luhn check (%(detail)s)."),
    )


def validate_eu_vat(value):
    _check(
        identifiers.normalise_eu_vat,
        value,
        "vat_number",
        _(
            "“%(value)s” is not a valid EU VAT number: it needs the country code and that "
            "country's format (%(detail)s)."
        ),
    )


class Theme(models.Model):
    """One concept of the taxonomy shared by every ecosystem (e.g. Smart city › Mobility)."""

    code = models.SlugField(_("code"), max_length=120, unique=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
        verbose_name=_("broader theme"),
    )
    label_fr = models.CharField(_("label (French)"), max_length=200)
    label_nl = models.CharField(_("label (Dutch)"), max_length=200, blank=True)
    label_en = models.CharField(_("label (English)"), max_length=200, blank=True)
    uri = models.URLField(_("concept URI"), max_length=500, blank=True)

    class Meta:
        ordering = ["label_fr"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        from django.utils.translation import get_language

        lang = (get_language() or "fr")[:2]
        return getattr(self, f"label_{lang}", "") or self.label_fr or self.label_en

    @property
    def path(self) -> str:
        parts, node, seen = [], self, set()
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            parts.append(node.label)
            node = node.parent
        return " › ".join(reversed(parts))


class OrganisationKind(models.TextChoices):
    STARTUP = "startup", _("startup")
    SCALEUP = "scaleup", _("scale-up")
    COMPANY = "company", _("company")
    INVESTOR = "investor", _("investor")
    UNIVERSITY = "university", _("university")
    RESEARCH_LAB = "research_lab", _("research lab")
    CLUSTER = "cluster", _("cluster")
    PUBLIC_BODY = "public_body", _("public body")
    SUPPORT = "support", _("support organisation")


class SizeBand(models.TextChoices):
    MICRO = "1-9", _("1–9 employees")
    SMALL = "10-49", _("10–49 employees")
    MEDIUM = "50-249", _("50–249 employees")
    LARGE = "250+", _("250 employees or more")


class Stage(models.TextChoices):
    IDEA = "idea", _("idea")
    PRESEED = "pre_seed", _("pre-seed")
    SEED = "seed", _("seed")
    SERIES_A = "series_a", _("series A")
    GROWTH = "growth", _("growth")
    MATURE = "mature", _("mature")


class Organisation(TimeStampedModel):
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    name = models.CharField(_("name"), max_length=255)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    aliases = models.JSONField(_("other names"), default=list, blank=True)
    tagline_fr = models.CharField(_("tagline (French)"), max_length=300, blank=True)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_nl = models.TextField(_("description (Dutch)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    website = models.URLField(_("website"), max_length=300, blank=True)
    website_domain = models.CharField(max_length=255, blank=True, db_index=True, editable=False)
    street = models.CharField(_("street"), max_length=255, blank=True)
    postcode = models.CharField(_("postcode"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    region = models.CharField(_("region"), max_length=120, blank=True, db_index=True)
    country = models.CharField(
        _("country"), max_length=2, db_index=True, help_text=_("ISO 3166-1 alpha-2 code")
    )
    founding_year = models.PositiveSmallIntegerField(
        _("founding year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1800), MaxValueValidator(2100)],
    )
    size_band = models.CharField(_("size"), max_length=10, choices=SizeBand.choices, blank=True)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, blank=True)
    themes = models.ManyToManyField(Theme, blank=True, related_name="organisations", verbose_name=_("themes"))
    enterprise_number = models.CharField(
        _("Belgian enterprise number"), max_length=12, blank=True, validators=[validate_be_enterprise_number]
    )
    siren = models.CharField(_("SIREN"), max_length=9, blank=True, validators=[validate_siren])
    vat_number = models.CharField(_("VAT number"), max_length=16, blank=True, validators=[validate_eu_vat])
    eu_pic = models.CharField(_("EU participant code (PIC)"), max_length=12, blank=True)
    published = models.BooleanField(_("published"), default=True)
    source = models.CharField(
        _("source"), max_length=255, blank=True, help_text=_("where this record comes from")
    )
    extra = models.JSONField(default=dict, blank=True, editable=False)
    # Normalised, stemmed text kept by jumelage.directory.search; indexed by FTS5 or a GIN index.
    search_document = models.TextField(blank=True, default="", editable=False)
    search_names = models.TextField(blank=True, default="", editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        indexes = [models.Index(fields=["kind"]), models.Index(fields=["stage"])]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise_number"], condition=~models.Q(enterprise_number=""), name="org_unique_bce"
            ),
            models.UniqueConstraint(fields=["siren"], condition=~models.Q(siren=""), name="org_unique_siren"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def description(self) -> str:
        from django.utils.translation import get_language

        lang = (get_language() or "fr")[:2]
        return (
            getattr(self, f"description_{lang}", "")
            or self.description_fr
            or self.description_en
            or self.description_nl
        )


class Membership(models.Model):
    """An organisation's membership of an ecosystem, optionally through one of its nodes."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    ecosystem = models.ForeignKey(
        "ecosystems.Ecosystem", on_delete=models.CASCADE, related_name="memberships"
    )
    node = models.ForeignKey(
        "ecosystems.NetworkNode", null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    since = models.DateField(_("member since"), null=True, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "ecosystem"],
                condition=models.Q(node__isnull=True),
                name="membership_unique_eco",
            ),
            models.UniqueConstraint(
                fields=["organisation", "node"],
                condition=models.Q(node__isnull=False),
                name="membership_unique_node",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ∈ {self.node or self.ecosystem}"


class Person(TimeStampedModel):
    """A person in the directory. Only what the partnership needs: no address, phone or birth date."""

    name = models.CharField(_("name"), max_length=200)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="person"
    )
    languages = models.JSONField(_("languages"), default=list, blank=True)
    expertise = models.ManyToManyField(Theme, blank=True, related_name="experts", verbose_name=_("expertise"))
    public_profile = models.BooleanField(
        _("public profile"), default=False, help_text=_("The person agreed to show their profile publicly.")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.name


class Affiliation(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="affiliations")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="affiliations")
    role = models.CharField(_("role"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("affiliation")
        verbose_name_plural = _("affiliations")
        constraints = [models.UniqueConstraint(fields=["person", "organisation"], name="affiliation_unique")]

    def __str__(self) -> str:
        return f"{self.person}, {self.role} @ {self.organisation}"


class Representative(models.Model):
    """A user allowed to edit one organisation's profile."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="represents")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="representatives")

    class Meta:
        verbose_name = _("organisation representative")
        verbose_name_plural = _("organisation representatives")
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="representative_unique")]

    def __str__(self) -> str:
        return f"{self.user} → {self.organisation}"


class ImportJob(models.Model):
    """One file uploaded for import: its dry-run report, then (if asked) its all-or-nothing commit.
    Run by jumelage.directory.tasks.run_import_job in a task worker; the page polls its progress."""

    class Kind(models.TextChoices):
        ORGANISATIONS = "organisations", _("organisations")
        PEOPLE = "people", _("people")

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting for a worker")
        VALIDATING = "validating", _("checking the file")
        PREVIEW = "preview", _("preview ready")
        COMMITTING = "committing", _("importing")
        DONE = "done", _("imported")
        FAILED = "failed", _("failed")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(_("what the file holds"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", max_length=300, blank=True)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    ecosystem = models.ForeignKey(
        "ecosystems.Ecosystem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    node = models.ForeignKey(
        "ecosystems.NetworkNode", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    update_existing = models.BooleanField(_("update organisations already in the directory"), default=False)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    report = models.JSONField(_("report"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"
