"""Relay pages: relaying an opportunity or an event from a node, and a node's relays (received, to
share with its community or decline, and sent)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from jumelage.ecosystems.models import NetworkNode
from jumelage.events import queries as event_queries
from jumelage.opportunities import queries as opportunity_queries
from jumelage.relay import queries, services
from jumelage.relay.forms import DecideForm, RelayForm
from jumelage.relay.models import Relay

PER_PAGE = 20


def _staff_node(request, slug: str, perm: str) -> NetworkNode:
    node = get_object_or_404(NetworkNode.objects.select_related("ecosystem"), slug=slug)
    if not request.user.has_perm(perm, node):
        raise PermissionDenied(
            _("Only the staff of %(node)s or of its ecosystem may relay from it and read its relays.")
            % {"node": node.name}
        )
    return node


def _item(request, node: NetworkNode):
    """What the relay form is about, from the query: ?opportunity=<id>, ?event=<slug> or ?via=<relay id>
    (a relay the node received, passed on). Only what the user may see."""

    def param(name: str) -> str:
        return request.POST.get(name) or request.GET.get(name) or ""

    if param("via"):
        via = get_object_or_404(
            Relay.objects.select_related("opportunity", "event", "from_node"),
            pk=_int(param("via")),
            to_node=node,
        )
        return via.item, via
    if param("opportunity"):
        return get_object_or_404(
            opportunity_queries.visible_to(request.user), pk=_int(param("opportunity"))
        ), None
    if param("event"):
        return get_object_or_404(event_queries.visible_to(request.user), slug=param("event")), None
    raise Http404(_("Say what to relay: an opportunity or an event."))


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise Http404(_("No such item.")) from None


def relay_start(request):
    """The item pages' "Relay" form names the node in the query (?from=<slug>): go to that node's
    relay form with the rest of the query."""
    query = request.GET.copy()
    slug = query.pop("from", [""])[-1]
    if not slug:
        raise Http404(_("Choose the node to relay from."))
    try:
        target = reverse("relay:new", args=[slug])
    except NoReverseMatch:
        raise Http404(_("No such node.")) from None
    return redirect(target + "?" + query.urlencode())


@login_required
def relay_new(request, slug: str):
    node = _staff_node(request, slug, "relay.relay_from_node")
    item, via = _item(request, node)
    groups = queries.targets(node, item)
    status = 200
    form = RelayForm(request.POST or None, groups=groups)
    if request.method == "POST":
        if form.is_valid():
            try:
                relays = services.relay_item(
                    actor=request.user,
                    from_node=node,
                    item=item,
                    to_nodes=form.chosen_nodes(),
                    message=form.cleaned_data["message"],
                    via=via,
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    for message in errors:
                        form.add_error(None if field == "__all__" else field, message)
            else:
                names = ", ".join(r.to_node.name for r in relays)
                messages.success(
                    request,
                    ngettext(
                        "Relayed to %(count)d node: %(nodes)s. Its staff were told by e-mail.",
                        "Relayed to %(count)d nodes: %(nodes)s. Their staff were told by e-mail.",
                        len(relays),
                    )
                    % {"count": len(relays), "nodes": names},
                )
                if via is not None:
                    return redirect("relay:inbox", slug=node.slug)
                return redirect(queries.item_path(item))
        status = 400
    return render(
        request,
        "relay/relay_new.html",
        {
            "node": node,
            "item": item,
            "item_path": queries.item_path(item),
            "kind": queries.item_field(item),
            "via": via,
            "relayable": queries.relayable(item),
            "form": form,
            "groups": groups,
        },
        status=status,
    )


def _inbox_page(request, node: NetworkNode, *, error: str = "", status: int = 200):
    received = Paginator(queries.received(node), PER_PAGE).get_page(request.GET.get("page"))
    for relay in received:
        relay.item_relayable = queries.relayable(relay.item)
    sent = Paginator(queries.sent(node), PER_PAGE).get_page(request.GET.get("sent_page"))
    return render(
        request,
        "relay/inbox.html",
        {
            "node": node,
            "received": received,
            "sent": sent,
            "pending": queries.received(node).filter(status=Relay.Status.PENDING).count(),
            "error": error,
        },
        status=status,
    )


@login_required
def inbox(request, slug: str):
    node = _staff_node(request, slug, "relay.view_node_relays")
    return _inbox_page(request, node)


@require_POST
@login_required
def decide(request, slug: str, pk: int):
    node = _staff_node(request, slug, "relay.view_node_relays")
    relay = get_object_or_404(Relay.objects.select_related("to_node"), pk=pk, to_node=node)
    if not request.user.has_perm("relay.decide_relay", relay):
        raise PermissionDenied(_("Only the staff of the receiving node may decide on a relay."))
    form = DecideForm(request.POST)
    if not form.is_valid():
        problems = "; ".join(str(e) for errors in form.errors.values() for e in errors)
        return _inbox_page(
            request, node, error=_("Nothing was changed: %(problems)s") % {"problems": problems}, status=400
        )
    relay = services.decide_relay(
        actor=request.user, relay=relay, share=form.share(), reason=form.cleaned_data["reason"]
    )
    title = str(relay.item)
    if relay.status == Relay.Status.SHARED:
        text = _("“%(title)s” is shared with the community of %(node)s: it is listed on the node’s page.")
    else:
        text = _("“%(title)s” is declined: it is not listed on the page of %(node)s.")
    messages.success(request, text % {"title": title, "node": node.name})
    return redirect("relay:inbox", slug=node.slug)
