from itertools import groupby

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from jumelage.core.forms import apply_service_errors
from jumelage.directory.forms import theme_paths
from jumelage.ecosystems import queries, services
from jumelage.ecosystems.forms import LabelChangeForm, NodeForm
from jumelage.ecosystems.models import Ecosystem, NetworkNode, NodeKind

MEMBERS_PER_PAGE = 20


def _description(obj) -> tuple[str, str]:
    """The description in the visitor's language, else in the first other language that has one."""
    lang = (translation.get_language() or settings.LANGUAGE_CODE)[:2]
    for code in [lang, *(c for c, _name in settings.LANGUAGES if c != lang)]:
        text = (getattr(obj, f"description_{code}", "") or "").strip()
        if text:
            return text, code
    return "", lang


@cache_control(max_age=300, public=True)
def brands_css(request):
    """Each ecosystem's colours as CSS classes, so templates show brands without inline styles (CSP)."""
    return HttpResponse(queries.brands_css(), content_type="text/css; charset=utf-8")


def overview(request):
    return render(request, "ecosystems/overview.html", queries.overview_context())


def _partner_events(request, **scope) -> dict:
    """The events this ecosystem (or one of its nodes) or node is a partner of, with its role."""
    from jumelage.events.services.reports import partner_events  # events builds on ecosystems

    return partner_events(user=request.user, **scope)


def ecosystem_detail(request, slug):
    ecosystem = get_object_or_404(Ecosystem, slug=slug)
    nodes = queries.ecosystem_nodes(ecosystem)
    kinds = dict(NodeKind.choices)
    groups = [(kinds.get(kind, kind), list(items)) for kind, items in groupby(nodes, key=lambda n: n.kind)]
    return render(
        request,
        "ecosystems/ecosystem_detail.html",
        {
            "ecosystem": ecosystem,
            "description": _description(ecosystem),
            "node_groups": groups,
            "member_count": queries.ecosystem_member_count(ecosystem),
            "can_edit": request.user.has_perm("ecosystems.change_ecosystem", ecosystem),
            "partner_events": _partner_events(request, ecosystem=ecosystem),
        },
    )


def _get_node(slug) -> NetworkNode:
    return get_object_or_404(NetworkNode.objects.select_related("ecosystem", "parent"), slug=slug)


def node_detail(request, slug):
    node = _get_node(slug)
    members = Paginator(queries.node_members(node, request.user), MEMBERS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "ecosystems/node_detail.html",
        {
            "node": node,
            "description": _description(node),
            "children": node.children.order_by("name"),
            "label_history": node.label_history.order_by("decided_on", "pk"),
            "themes": sorted(theme_paths(node.themes.all()).values(), key=str.casefold),
            "members": members,
            "can_edit": request.user.has_perm("ecosystems.change_networknode", node),
            "partner_events": _partner_events(request, node=node),
        },
    )


def _require_node_editor(request, node: NetworkNode) -> None:
    if not request.user.has_perm("ecosystems.change_networknode", node):
        raise PermissionDenied(_("Only the staff of this node or of its ecosystem may edit it."))


def _edit_page(request, node, form, label_form, status=200):
    return render(
        request,
        "ecosystems/node_edit.html",
        {
            "node": node,
            "form": form,
            "label_form": label_form,
            "label_history": node.label_history.order_by("decided_on", "pk"),
        },
        status=status,
    )


def node_edit(request, slug):
    """Node staff (of this node or its ecosystem) and admins edit the node through services.update_node."""
    node = _get_node(slug)
    _require_node_editor(request, node)
    status = 200
    if request.method == "POST":
        form = NodeForm(request.POST, instance=NetworkNode.objects.get(pk=node.pk))
        if form.is_valid():
            try:
                services.update_node(
                    actor=request.user,
                    node=node,
                    data=form.service_data(),
                    themes=form.cleaned_data["themes"],
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(
                    request, _("The node %(name)s was saved.") % {"name": form.cleaned_data["name"]}
                )
                return redirect("ecosystems:node-detail", slug=node.slug)
        status = 400
    else:
        form = NodeForm(instance=node)
    return _edit_page(request, node, form, LabelChangeForm(node=node), status)


@require_POST
def node_label(request, slug):
    """Record a label decision (the node's kind changes, the history and the audit log keep it)."""
    node = _get_node(slug)
    _require_node_editor(request, node)
    label_form = LabelChangeForm(request.POST, node=node)
    if label_form.is_valid():
        data = label_form.cleaned_data
        try:
            services.record_label_change(
                actor=request.user,
                node=node,
                to_kind=data["to_kind"],
                decided_on=data["decided_on"],
                decided_by=data["decided_by"],
                evidence=data.get("evidence", ""),
            )
        except ValidationError as exc:
            apply_service_errors(label_form, exc)
        else:
            messages.success(
                request,
                _("%(name)s is now: %(kind)s. The change is in its label history.")
                % {"name": node.name, "kind": node.get_kind_display()},
            )
            return redirect("ecosystems:node-detail", slug=node.slug)
    return _edit_page(request, node, NodeForm(instance=node), label_form, status=400)
