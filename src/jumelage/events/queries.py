"""Reading events: what a user may see, as a queryset (so a forgotten filter shows less, not more).
The same answer as the rules' `events.view_event` (jumelage.events.rules.can_view), in SQL."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jumelage.ecosystems.models import Ecosystem, NetworkNode
from jumelage.ecosystems.rules import staff_ecosystem_ids, staff_node_ids
from jumelage.events.models import Event, EventKind, EventPartner


def _partner_in(eco_ids, node_ids) -> Exists:
    """Events with a partner that is one of these ecosystems, one of their nodes, or one of these nodes."""
    return Exists(
        EventPartner.objects.filter(event=OuterRef("pk")).filter(
            Q(ecosystem_id__in=eco_ids) | Q(node__ecosystem_id__in=eco_ids) | Q(node_id__in=node_ids)
        )
    )


def visible_to(user) -> QuerySet[Event]:
    """Events `user` may see: published public ones for anyone; published members-only ones for the
    representatives of members of a partner; every event (drafts included) of a partner they are staff
    of; everything for platform admins."""
    qs = Event.objects.all()
    if user is not None and user.is_authenticated and user.is_active and user.is_superuser:
        return qs
    published = ~Q(status=Event.Status.DRAFT)
    allowed = published & Q(visibility=Event.Visibility.PUBLIC)
    if user is not None and user.is_authenticated:
        from jumelage.directory.models import Membership

        members = Membership.objects.filter(organisation__representatives__user=user)
        member_ecos = set(members.values_list("ecosystem_id", flat=True))
        member_nodes = set(members.exclude(node=None).values_list("node_id", flat=True))
        if member_ecos or member_nodes:
            # A member of a partner node is a member of its ecosystem too (the rules count both).
            allowed |= published & _partner_in(member_ecos, member_nodes)
        eco_ids, node_ids = staff_ecosystem_ids(user), staff_node_ids(user)
        if eco_ids or node_ids:
            allowed |= _partner_in(eco_ids, node_ids)
    return qs.filter(allowed)


BRAND_RELATIONS = ("ecosystem", "node", "node__ecosystem")  # what a partner's brand shows


def partners_in_order(event: Event) -> list[EventPartner]:
    """The event's partners in their agreed order, with what their brands need."""
    return list(event.partners.select_related(*BRAND_RELATIONS).order_by("position", "pk"))


def with_partners(qs: QuerySet[Event]) -> QuerySet[Event]:
    """Partners (with what their brands need) fetched in one more query, in their agreed order."""
    from django.db.models import Prefetch

    partners = EventPartner.objects.select_related(*BRAND_RELATIONS).order_by("position", "pk")
    return qs.prefetch_related(Prefetch("partners", queryset=partners))


def in_scope(qs: QuerySet[Event], *, ecosystem=None, node=None) -> QuerySet[Event]:
    """Events one of whose partners is the ecosystem (or one of its nodes), or the node."""
    if ecosystem is not None:
        return qs.filter(_partner_in([ecosystem.pk], []))
    if node is not None:
        return qs.filter(_partner_in([], [node.pk]))
    return qs


# --- The filters of the events list (pages and API share them) ---------------------------------------


class FilterError(Exception):
    """An unknown filter value; `param` names the parameter, `message` says what is wrong."""

    def __init__(self, param: str, message: str):
        super().__init__(message)
        self.param, self.message = param, message


def _filters(params) -> tuple[dict, dict]:
    """Parse the list's filters; an unknown value raises FilterError with a message naming it."""
    active, found = {}, {}
    if slug := params.get("ecosystem"):
        found["ecosystem"] = Ecosystem.objects.filter(slug=slug).first()
        if found["ecosystem"] is None:
            raise FilterError("ecosystem", _("There is no ecosystem “%(value)s”.") % {"value": slug})
        active["ecosystem"] = slug
    if slug := params.get("node"):
        found["node"] = NetworkNode.objects.filter(slug=slug).first()
        if found["node"] is None:
            raise FilterError("node", _("There is no network node “%(value)s”.") % {"value": slug})
        active["node"] = slug
    if kind := params.get("kind"):
        if kind not in EventKind.values:
            raise FilterError("kind", _("There is no kind of event “%(value)s”.") % {"value": kind})
        active["kind"] = kind
    when = params.get("when") or "upcoming"
    if when not in ("upcoming", "past"):
        raise FilterError("when", _("Show “upcoming” or “past” events, not “%(value)s”.") % {"value": when})
    active["when"] = when
    return active, found


def filter_events(user, params):
    """The events `user` may see, filtered as the list page and the API filter them."""
    active, found = _filters(params)
    qs = visible_to(user)
    if "ecosystem" in found:
        qs = in_scope(qs, ecosystem=found["ecosystem"])
    if "node" in found:
        qs = in_scope(qs, node=found["node"])
    if "kind" in active:
        qs = qs.filter(kind=active["kind"])
    now = timezone.now()
    if active["when"] == "upcoming":
        qs = qs.filter(ends_at__gte=now).order_by("starts_at", "pk")
    else:
        qs = qs.filter(ends_at__lt=now).order_by("-starts_at", "-pk")
    return with_partners(qs), active
