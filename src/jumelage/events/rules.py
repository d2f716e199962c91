"""Who may do what with events. One mechanism for pages, API and admin (django-rules).

- Partner staff: staff of an ecosystem or node that is one of the event's partners (ecosystem staff also
  count for a partner node of their ecosystem). Staff of the lead and co-organisers *manage* the event;
  staff of supporting partners see its staff pages (registrations, report) but change nothing.
- Members-only events are seen by partner staff and by representatives of organisations that are
  members of a partner ecosystem or node.
"""

import rules
from django.db.models import Q

from jumelage.ecosystems.rules import (
    is_platform_admin,
    is_staff_anywhere,
    staffs_brand_of,
)


def partners_staffed_by(user, event) -> list:
    """The event's partners the user is staff of (cached on the event object for the request)."""
    if not (user and user.is_authenticated) or event is None:
        return []
    cache = event.__dict__.setdefault("_partners_staffed_by", {})
    if user.pk not in cache:
        cache[user.pk] = [p for p in event.partners.select_related("node") if staffs_brand_of(user, p)]
    return cache[user.pk]


@rules.predicate
def is_partner_staff(user, event) -> bool:
    return bool(partners_staffed_by(user, event))


@rules.predicate
def is_organiser(user, event) -> bool:
    """Staff of the lead or of a co-organiser."""
    return any(p.is_co_organiser for p in partners_staffed_by(user, event))


@rules.predicate
def is_published(user, event) -> bool:
    return event is not None and event.status != event.Status.DRAFT


@rules.predicate
def is_public(user, event) -> bool:
    return event is not None and event.visibility == event.Visibility.PUBLIC


@rules.predicate
def is_member_of_a_partner(user, event) -> bool:
    """A representative of an organisation that is a member of one of the partner ecosystems or nodes."""
    if not (user and user.is_authenticated) or event is None:
        return False
    from jumelage.directory.models import Membership  # the directory imports nothing from events

    partners = list(event.partners.all())
    eco_ids = {p.ecosystem_id for p in partners if p.ecosystem_id} | {
        p.node.ecosystem_id for p in partners if p.node_id
    }
    node_ids = {p.node_id for p in partners if p.node_id}
    return (
        Membership.objects.filter(organisation__representatives__user=user)
        .filter(Q(ecosystem_id__in=eco_ids) | Q(node_id__in=node_ids))
        .exists()
    )


can_manage = is_platform_admin | is_organiser
can_see_staff_pages = is_platform_admin | is_partner_staff
can_view = (is_published & (is_public | is_member_of_a_partner)) | can_see_staff_pages

rules.add_perm("events.view_event", can_view)
rules.add_perm("events.add_event", is_platform_admin | is_staff_anywhere)
rules.add_perm("events.change_event", can_manage)
rules.add_perm("events.delete_event", can_manage)
rules.add_perm("events.view_registrations", can_see_staff_pages)  # lists, check-in, report
rules.add_perm("events.check_in", can_see_staff_pages)
rules.add_perm("events.view_report", can_see_staff_pages)
rules.add_perm("events.register", can_view & is_published)

# --- Programme board and calls (programme area) ---------------------------------------------------------
# Partner staff (supporting partners included) and platform admins read the co-programming board; only
# staff of the lead and co-organisers propose, decide and publish (a decision is made for a partner).
rules.add_perm("events.view_programme_board", can_see_staff_pages)
rules.add_perm("events.propose", is_organiser)
rules.add_perm("events.manage_calls", can_manage)
