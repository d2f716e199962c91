"""Django admin for events, under the same rules as the pages (core.admin.RulesModelAdmin): partner
staff see the events their ecosystem or node is a partner of (and their parts); organisers (staff of
the lead or a co-organiser) change them; platform admins see everything.

What has its own path with its own guarantees stays read-only here: registrations (seats and the
waiting list are counted by the registration service, under a database constraint) and feedback
(given once by the attendee). Events are created on the events pages, where the creating partner is
set; the admin adds them for platform admins only.
"""

from django.contrib import admin
from django.db.models import Q

from jumelage.core.admin import RulesModelAdmin
from jumelage.ecosystems.rules import is_platform_admin, staff_ecosystem_ids, staff_node_ids
from jumelage.events.models import (
    Call,
    Criterion,
    Event,
    EventPartner,
    Feedback,
    Invitation,
    Juror,
    Proposal,
    ProposalApproval,
    Question,
    Registration,
    Room,
    Session,
    Submission,
)


def partner_event_ids(user):
    """Ids of the events one of whose partners the user is staff of (as a subquery)."""
    eco_ids, node_ids = staff_ecosystem_ids(user), staff_node_ids(user)
    return EventPartner.objects.filter(
        Q(ecosystem_id__in=eco_ids) | Q(node__ecosystem_id__in=eco_ids) | Q(node_id__in=node_ids)
    ).values("event_id")


def _enters(user) -> bool:
    return bool(is_platform_admin(user) or staff_ecosystem_ids(user) or staff_node_ids(user))


class _EventScoped(RulesModelAdmin):
    """Shared by every events admin: staff enter; the list holds the events they are a partner of."""

    event_path = "event"  # how the model reaches its event

    def may_enter(self, request) -> bool:
        return _enters(request.user)

    def scope(self, request, qs):
        if is_platform_admin(request.user):
            return qs
        return qs.filter(**{f"{self.event_path}__in": partner_event_ids(request.user)})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Parts may be attached only to events the user manages.
        if db_field.name == "event" and not is_platform_admin(request.user):
            kwargs["queryset"] = Event.objects.filter(pk__in=self._managed_event_ids(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _managed_event_ids(self, request) -> list[int]:
        events = Event.objects.filter(pk__in=partner_event_ids(request.user))
        return [e.pk for e in events if request.user.has_perm("events.change_event", e)]


class _EventPart(_EventScoped):
    """A part of an event (session, call, registration…): seen by the event's partner staff, changed by
    its organisers (the event's rules, asked about the part's event)."""

    view_perm = "events.view_registrations"

    def _event_of(self, obj):
        for name in self.event_path.split("__"):
            obj = getattr(obj, name)
        return obj

    def has_view_permission(self, request, obj=None) -> bool:
        if obj is None:
            return self.may_enter(request)
        return request.user.has_perm(self.view_perm, self._event_of(obj)) or self.has_change_permission(
            request, obj
        )

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is None:
            return self.may_enter(request)
        return request.user.has_perm("events.change_event", self._event_of(obj))

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is None:
            return is_platform_admin(request.user)
        return request.user.has_perm("events.change_event", self._event_of(obj))

    def has_add_permission(self, request, *args) -> bool:
        return self.may_enter(request)


class _ReadOnlyPart(_EventPart):
    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields] + [f.name for f in self.model._meta.many_to_many]

    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return is_platform_admin(request.user)


class _FollowsEvent:
    """Inline rows of an event may be changed by whoever may change the event."""

    def has_view_permission(self, request, obj=None) -> bool:
        return obj is None or request.user.has_perm("events.view_event", obj)

    def has_add_permission(self, request, obj=None) -> bool:
        return obj is None or request.user.has_perm("events.change_event", obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None or request.user.has_perm("events.change_event", obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return obj is None or request.user.has_perm("events.change_event", obj)


class EventPartnerInline(_FollowsEvent, admin.TabularInline):
    model = EventPartner
    extra = 0
    fields = ("ecosystem", "node", "role", "position")


class RoomInline(_FollowsEvent, admin.TabularInline):
    model = Room
    extra = 0


class QuestionInline(_FollowsEvent, admin.TabularInline):
    model = Question
    extra = 0
    fields = ("label", "choices", "required", "position")


@admin.register(Event)
class EventAdmin(_EventScoped):
    event_path = "pk"
    list_display = (
        "title",
        "kind",
        "status",
        "visibility",
        "starts_at",
        "city",
        "capacity",
        "confirmed_count",
    )
    list_filter = ("status", "kind", "visibility", "online")
    search_fields = ("title", "slug", "city", "venue")
    date_hierarchy = "starts_at"
    readonly_fields = ("confirmed_count", "created_by", "created_at", "updated_at")
    filter_horizontal = ("themes",)
    prepopulated_fields = {"slug": ("title",)}
    inlines = [EventPartnerInline, RoomInline, QuestionInline]

    def has_add_permission(self, request, *args) -> bool:
        return is_platform_admin(request.user)

    def save_model(self, request, obj, form, change):
        if not change and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Session)
class SessionAdmin(_EventPart):
    list_display = ("title", "event", "kind", "starts_at", "ends_at", "room")
    list_filter = ("kind",)
    search_fields = ("title", "event__title")
    list_select_related = ("event", "room")
    raw_id_fields = ("speakers",)
    view_perm = "events.view_event"


class ApprovalInline(admin.TabularInline):
    model = ProposalApproval
    extra = 0
    fields = ("partner", "approved", "comment", "decided_by", "decided_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Proposal)
class ProposalAdmin(_EventPart):
    """Proposals are decided on the co-programming board (every co-organiser approves); here they can be
    read and corrected, the decisions shown read-only."""

    list_display = ("title", "event", "kind", "status", "proposed_for")
    list_filter = ("kind", "status")
    search_fields = ("title", "event__title", "speaker_name")
    list_select_related = ("event",)
    raw_id_fields = ("person", "organisation", "theme", "proposed_by")
    readonly_fields = ("status",)
    inlines = [ApprovalInline]


@admin.register(Invitation)
class InvitationAdmin(_EventPart):
    list_display = ("organisation", "event", "email", "status", "sent_at", "answered_at")
    list_filter = ("status",)
    search_fields = ("organisation__name", "email", "event__title")
    list_select_related = ("event", "organisation")
    raw_id_fields = ("organisation", "proposal")
    readonly_fields = ("sent_at", "answered_at")


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0


class JurorInline(admin.TabularInline):
    model = Juror
    extra = 0
    raw_id_fields = ("user", "invited_by")


@admin.register(Call)
class CallAdmin(_EventPart):
    list_display = ("title", "event", "kind", "opens_at", "closes_at")
    list_filter = ("kind",)
    search_fields = ("title", "event__title")
    list_select_related = ("event",)
    inlines = [CriterionInline, JurorInline]
    view_perm = "events.view_event"

    def get_inlines(self, request, obj):
        # Criteria and the jury belong to the organisers: others don't see the jurors' names.
        if obj is not None and not request.user.has_perm("events.change_event", obj.event):
            return []
        return super().get_inlines(request, obj)


@admin.register(Submission)
class SubmissionAdmin(_EventPart):
    """Applications are decided by the jury on the call pages; here organisers can correct a record and
    write the outcome after the event."""

    event_path = "call__event"
    list_display = ("title", "call", "organisation", "status", "decided_at")
    list_filter = ("status", "call__kind")
    search_fields = ("title", "speaker_name", "organisation__name", "call__event__title")
    list_select_related = ("call", "organisation")
    raw_id_fields = ("organisation", "submitted_by", "session")
    readonly_fields = ("decided_at", "answered_at", "created_at", "updated_at")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "call" and not is_platform_admin(request.user):
            kwargs["queryset"] = Call.objects.filter(event_id__in=self._managed_event_ids(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Registration)
class RegistrationAdmin(_ReadOnlyPart):
    list_display = ("name", "event", "organisation_name", "status", "via_partner", "checked_in_at")
    list_filter = ("status",)
    search_fields = ("name", "email", "organisation_name", "event__title")
    list_select_related = ("event", "via_partner__ecosystem", "via_partner__node")
    exclude = ("token",)

    def get_readonly_fields(self, request, obj=None):
        return [f for f in super().get_readonly_fields(request, obj) if f != "token"]


@admin.register(Feedback)
class FeedbackAdmin(_ReadOnlyPart):
    event_path = "registration__event"
    list_display = ("rating", "registration", "created_at")
    list_filter = ("rating",)
    list_select_related = ("registration__event",)
    search_fields = ("comment", "registration__event__title")
