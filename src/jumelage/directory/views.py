from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from jumelage.directory import queries
from jumelage.directory.models import Organisation


def organisation_list(request):
    qs = queries.visible_to(request.user).order_by("name")
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(request, "directory/organisation_list.html", {"page": page})


def _get_visible(request, slug) -> Organisation:
    org = Organisation.objects.filter(slug=slug).first()
    if org is None or not request.user.has_perm("directory.view_organisation", org):
        raise Http404(_("No such organisation."))
    return org


def organisation_detail(request, slug):
    org = _get_visible(request, slug)
    return render(
        request,
        "directory/organisation_detail.html",
        {"org": org, "can_edit": request.user.has_perm("directory.change_organisation", org)},
    )


def organisation_edit(request, slug):
    org = _get_visible(request, slug)
    if not request.user.has_perm("directory.change_organisation", org):
        raise PermissionDenied
    messages.info(request, _("Editing is not available yet."))
    return redirect("directory:organisation-detail", slug=slug)


def organisation_export(request, fmt):
    raise Http404


def import_upload(request):
    if not request.user.has_perm("directory.import_organisations"):
        raise PermissionDenied
    return render(request, "directory/import.html", {})
