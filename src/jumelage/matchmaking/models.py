"""What the matchmaking engine suggested (kept, so pages read rows instead of ranking), what users
made of it (feedback), and who wants the weekly digest. The engine itself is pure Python
(jumelage.matchmaking.engine); service.py maps rows to its inputs."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

ORGANISATION = "organisation"
OPPORTUNITY = "opportunity"
KIND_CHOICES = [(ORGANISATION, _("organisation")), (OPPORTUNITY, _("opportunity"))]


class Suggestion(models.Model):
    """One ranked suggestion: `target` suggested for `subject`, with its score and explanation."""

    subject_kind = models.CharField(max_length=12, choices=KIND_CHOICES)
    subject_id = models.BigIntegerField()
    target_kind = models.CharField(max_length=12, choices=KIND_CHOICES)
    target_id = models.BigIntegerField()
    rank = models.PositiveSmallIntegerField(default=0)
    score = models.FloatField()
    cross_border = models.BooleanField(default=False)
    # [{"code": "themes", "values": ["energy"], "text": "shared themes: energy"}, …]
    reasons = models.JSONField(default=list, blank=True)
    explanation = models.CharField(max_length=500, blank=True)
    engine = models.CharField(max_length=40, default="engine")
    first_seen_at = models.DateTimeField(auto_now_add=True)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["subject_kind", "subject_id", "target_kind", "rank"]
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        constraints = [
            models.UniqueConstraint(
                fields=["subject_kind", "subject_id", "target_kind", "target_id"], name="suggestion_once"
            )
        ]
        indexes = [models.Index(fields=["target_kind", "target_id"])]

    def __str__(self) -> str:
        return (
            f"{self.subject_kind}:{self.subject_id} → {self.target_kind}:{self.target_id} ({self.score:.2f})"
        )


class SuggestionFeedback(models.Model):
    class Verdict(models.TextChoices):
        ACCEPTED = "accepted", _("useful")
        DISMISSED = "dismissed", _("dismissed")

    subject_kind = models.CharField(max_length=12, choices=KIND_CHOICES)
    subject_id = models.BigIntegerField()
    target_kind = models.CharField(max_length=12, choices=KIND_CHOICES)
    target_id = models.BigIntegerField()
    verdict = models.CharField(max_length=10, choices=Verdict.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("suggestion feedback")
        verbose_name_plural = _("suggestion feedback")
        constraints = [
            models.UniqueConstraint(
                fields=["subject_kind", "subject_id", "target_kind", "target_id"],
                name="suggestion_feedback_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject_kind}:{self.subject_id} → {self.target_kind}:{self.target_id}: {self.verdict}"


class DigestSubscription(models.Model):
    """A user's opt-in to the weekly e-mail of new suggestions for the organisations they represent."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="match_digest"
    )
    active = models.BooleanField(_("send me the weekly digest"), default=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("digest subscription")
        verbose_name_plural = _("digest subscriptions")

    def __str__(self) -> str:
        return f"{self.user} ({'on' if self.active else 'off'})"
