"""A relay: one network node passes an opportunity or an event on to another node, which may share it
with its own community. A relay passed on again keeps the one it came from (`via`), so every node
sees where an item came from (provenance)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jumelage.core.models import TimeStampedModel


class Relay(TimeStampedModel):
    class Status(models.TextChoices):
        # French agrees with "relais" (masculine): "refusé", where other statuses say "refusée".
        PENDING = "pending", pgettext_lazy("relay status", "to decide")
        SHARED = "shared", pgettext_lazy("relay status", "shared with the community")
        DECLINED = "declined", pgettext_lazy("relay status", "declined")

    opportunity = models.ForeignKey(
        "opportunities.Opportunity", null=True, blank=True, on_delete=models.CASCADE, related_name="relays"
    )
    event = models.ForeignKey(
        "events.Event", null=True, blank=True, on_delete=models.CASCADE, related_name="relays"
    )
    from_node = models.ForeignKey(
        "ecosystems.NetworkNode", on_delete=models.CASCADE, related_name="relays_sent", verbose_name=_("from")
    )
    to_node = models.ForeignKey(
        "ecosystems.NetworkNode",
        on_delete=models.CASCADE,
        related_name="relays_received",
        verbose_name=_("to"),
    )
    # The relay this one passes on (None: the first node to relay the item).
    via = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="onward")
    message = models.TextField(_("message"), max_length=1000, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("relay")
        verbose_name_plural = _("relays")
        constraints = [
            models.CheckConstraint(
                condition=Q(opportunity__isnull=False, event__isnull=True)
                | Q(opportunity__isnull=True, event__isnull=False),
                name="relay_one_item",
            ),
            models.CheckConstraint(condition=~Q(from_node=F("to_node")), name="relay_to_another_node"),
            # a node receives an item once, whoever relays it (two staff at once: one row)
            models.UniqueConstraint(
                fields=["opportunity", "to_node"],
                condition=Q(opportunity__isnull=False),
                name="relay_opportunity_once",
            ),
            models.UniqueConstraint(
                fields=["event", "to_node"], condition=Q(event__isnull=False), name="relay_event_once"
            ),
        ]
        indexes = [models.Index(fields=["to_node", "status"])]

    def __str__(self) -> str:
        return f"{self.item} → {self.to_node}"

    @property
    def item(self):
        return self.opportunity if self.opportunity_id else self.event
