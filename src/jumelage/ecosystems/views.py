from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import cache_control

from jumelage.ecosystems import queries
from jumelage.ecosystems.models import Ecosystem, NetworkNode


@cache_control(max_age=300, public=True)
def brands_css(request):
    """Each ecosystem's colours as CSS classes, so templates show brands without inline styles (CSP)."""
    return HttpResponse(queries.brands_css(), content_type="text/css; charset=utf-8")


def overview(request):
    return render(request, "ecosystems/overview.html", queries.overview_context())


def ecosystem_detail(request, slug):
    ecosystem = get_object_or_404(Ecosystem, slug=slug)
    nodes = ecosystem.nodes.select_related("parent").order_by("kind", "name")
    return render(request, "ecosystems/ecosystem_detail.html", {"ecosystem": ecosystem, "nodes": nodes})


def node_detail(request, slug):
    node = get_object_or_404(NetworkNode.objects.select_related("ecosystem", "parent"), slug=slug)
    return render(
        request,
        "ecosystems/node_detail.html",
        {
            "node": node,
            "children": node.children.order_by("name"),
            "label_history": node.label_history.all(),
            "themes": node.themes.all(),
            "member_count": node.memberships.filter(organisation__published=True).count(),
        },
    )
