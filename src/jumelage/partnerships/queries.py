"""Reading partnerships: what a user may see, and the indicators of a partnership — what each party
brought and got, side by side, computed from the platform (joint events, who led them, registrations
brought, relays between the parties' nodes, partnerships credited in the pipeline, member organisations).
No figure is typed in: each is counted from the rows it names."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from jumelage.directory.models import Membership
from jumelage.ecosystems.models import NetworkNode
from jumelage.ecosystems.rules import is_platform_admin, staff_ecosystem_ids, staff_node_ids
from jumelage.events.models import Event, EventPartner, Registration
from jumelage.opportunities.models import PipelineStep
from jumelage.partnerships.models import Partnership, Party
from jumelage.relay.models import Relay


def visible_to(user) -> QuerySet[Partnership]:
    qs = Partnership.objects.all()
    if is_platform_admin(user):
        return qs
    shown = Q(public=True) & ~Q(status=Partnership.Status.DRAFT)
    eco_ids, node_ids = staff_ecosystem_ids(user), staff_node_ids(user)
    if eco_ids or node_ids:
        shown |= (
            Q(parties__ecosystem_id__in=eco_ids)
            | Q(parties__node_id__in=node_ids)
            | Q(parties__node__ecosystem_id__in=eco_ids)
        )
    return qs.filter(pk__in=Partnership.objects.filter(shown).values("pk"))


def parties_of(partnership: Partnership) -> list[Party]:
    return list(partnership.parties.select_related("ecosystem", "node__ecosystem"))


def _brand(party: Party, prefix: str = "") -> Q:
    """Rows that belong to the party's brand: a node party is that node; an ecosystem party is the
    ecosystem and every node of it."""
    if party.node_id:
        return Q(**{f"{prefix}node_id": party.node_id})
    return Q(**{f"{prefix}ecosystem_id": party.ecosystem_id}) | Q(
        **{f"{prefix}node__ecosystem_id": party.ecosystem_id}
    )


def _nodes(party: Party) -> set[int]:
    if party.node_id:
        return {party.node_id}
    return set(NetworkNode.objects.filter(ecosystem_id=party.ecosystem_id).values_list("pk", flat=True))


@dataclass
class Indicator:
    label: str
    values: list[int]
    help: str = ""


def indicators(partnership: Partnership, parties: list[Party]) -> list[Indicator]:
    """One row per indicator, one value per party in the parties' order."""
    live = EventPartner.objects.exclude(event__status__in=[Event.Status.DRAFT, Event.Status.CANCELLED])
    events = [set(live.filter(_brand(p)).values_list("event_id", flat=True)) for p in parties]
    joint = {
        e
        for i, own in enumerate(events)
        for e in own
        if any(e in other for j, other in enumerate(events) if j != i)
    }
    led = [
        live.filter(_brand(p), event_id__in=joint, role=EventPartner.Role.LEAD)
        .values("event_id")
        .distinct()
        .count()
        for p in parties
    ]
    brought = [
        Registration.objects.filter(event_id__in=joint, status=Registration.Status.CONFIRMED)
        .filter(_brand(p, "via_partner__"))
        .count()
        for p in parties
    ]
    nodes = [_nodes(p) for p in parties]
    relays_sent, relays_shared = [], []
    for i, own in enumerate(nodes):
        others = set().union(*(n for j, n in enumerate(nodes) if j != i)) - own
        sent = Relay.objects.filter(from_node_id__in=own, to_node_id__in=others)
        relays_sent.append(sent.count())
        relays_shared.append(sent.filter(status=Relay.Status.SHARED).count())
    credited = [
        PipelineStep.objects.filter(_brand(p)).values("introduction_id").distinct().count() for p in parties
    ]
    members = [
        Membership.objects.filter(_brand(p), organisation__published=True)
        .values("organisation_id")
        .distinct()
        .count()
        for p in parties
    ]
    return [
        Indicator(
            _("Joint events"),
            [len(own & joint) for own in events],
            _("events two or more parties organise or support together"),
        ),
        Indicator(_("Joint events it led"), led),
        Indicator(_("Confirmed registrations it brought to joint events"), brought),
        Indicator(_("Items it relayed to the other parties' nodes"), relays_sent),
        Indicator(_("Of which shared with their community"), relays_shared),
        Indicator(
            _("Partnerships in the pipeline credited to it"),
            credited,
            _("introductions with a step it made happen"),
        ),
        Indicator(_("Published member organisations"), members),
    ]
