from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from jumelage.core.models import TimeStampedModel


class BrandHolder:
    """For rows that name one brand — an ecosystem or one of its nodes — through `ecosystem` and `node`
    foreign keys, exactly one set (an event partner, a partnership party)."""

    @property
    def brand(self):
        """The ecosystem or node this row names."""
        return self.ecosystem if self.ecosystem_id else self.node

    @property
    def brand_name(self) -> str:
        return self.brand.name

    @property
    def home_ecosystem(self):
        """The ecosystem whose colours the brand wears (a node wears its ecosystem's)."""
        return self.ecosystem if self.ecosystem_id else self.node.ecosystem


hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour as #RRGGBB."))


class Ecosystem(TimeStampedModel):
    """A brand with members (Digital Wallonia, La French Tech). Shown intact, never merged."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=40)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    logo = models.FileField(_("logo"), upload_to="ecosystems/logos/", blank=True)
    primary_colour = models.CharField(
        _("primary colour"), max_length=7, validators=[hex_colour], default="#1f2937"
    )
    secondary_colour = models.CharField(
        _("secondary colour"), max_length=7, validators=[hex_colour], default="#ffffff"
    )
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166-1 alpha-2 code, e.g. BE"))
    region = models.CharField(_("home region"), max_length=100, blank=True)
    website = models.URLField(_("website"), blank=True)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_nl = models.TextField(_("description (Dutch)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("ecosystem")
        verbose_name_plural = _("ecosystems")

    def __str__(self) -> str:
        return self.name


class NodeKind(models.TextChoices):
    CAPITAL = "capital", _("labelled city / capital")
    HUB = "hub", _("international hub")
    COMMUNITY = "community", _("community")
    AGENCY = "agency", _("agency")
    EXPORT_AGENCY = "export_agency", _("export agency")
    CLUSTER = "cluster", _("cluster")
    REGION = "region", _("region")
    NETWORK = "network", _("network")


class NetworkNode(TimeStampedModel):
    """A node of an ecosystem's network: a hub, a community, an agency, a cluster, a partner region."""

    ecosystem = models.ForeignKey(
        Ecosystem, on_delete=models.PROTECT, related_name="nodes", verbose_name=_("ecosystem")
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent node"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NodeKind.choices)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    logo = models.FileField(_("logo"), upload_to="ecosystems/logos/", blank=True)
    themes = models.ManyToManyField(
        "directory.Theme", blank=True, related_name="nodes", verbose_name=_("themes")
    )
    city = models.CharField(_("city"), max_length=100, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    website = models.URLField(_("website"), blank=True)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_nl = models.TextField(_("description (Dutch)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)

    class Meta:
        ordering = ["ecosystem__name", "name"]
        verbose_name = _("network node")
        verbose_name_plural = _("network nodes")
        constraints = [
            models.UniqueConstraint(fields=["ecosystem", "name"], name="node_unique_name_in_ecosystem"),
            models.CheckConstraint(condition=~models.Q(parent=models.F("pk")), name="node_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.short_name or self.name


class LabelChange(models.Model):
    """One step in a node's label history (e.g. community → international hub)."""

    node = models.ForeignKey(NetworkNode, on_delete=models.CASCADE, related_name="label_history")
    from_kind = models.CharField(_("from"), max_length=20, choices=NodeKind.choices, blank=True)
    to_kind = models.CharField(_("to"), max_length=20, choices=NodeKind.choices)
    decided_on = models.DateField(_("decided on"))
    decided_by = models.CharField(_("decided by"), max_length=200)
    evidence = models.TextField(_("evidence"), blank=True)

    class Meta:
        ordering = ["node", "decided_on"]
        verbose_name = _("label change")
        verbose_name_plural = _("label history")

    def __str__(self) -> str:
        return f"{self.node}: {self.from_kind or '—'} → {self.to_kind} ({self.decided_on})"


class EcosystemStaff(models.Model):
    """A user on the staff of a whole ecosystem (e.g. Digital Wallonia / AdN)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ecosystem_roles"
    )
    ecosystem = models.ForeignKey(Ecosystem, on_delete=models.CASCADE, related_name="staff")

    class Meta:
        verbose_name = _("ecosystem staff")
        verbose_name_plural = _("ecosystem staff")
        constraints = [models.UniqueConstraint(fields=["user", "ecosystem"], name="ecosystem_staff_unique")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.ecosystem}"


class NodeStaff(models.Model):
    """A user on the staff of one node only (e.g. French Tech Brussels)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="node_roles")
    node = models.ForeignKey(NetworkNode, on_delete=models.CASCADE, related_name="staff")

    class Meta:
        verbose_name = _("node staff")
        verbose_name_plural = _("node staff")
        constraints = [models.UniqueConstraint(fields=["user", "node"], name="node_staff_unique")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.node}"
