import json

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from jumelage.core.forms import apply_service_errors
from jumelage.directory import queries, services
from jumelage.directory.forms import OrganisationForm, theme_paths
from jumelage.directory.models import Affiliation, Organisation
from jumelage.directory.rules import curates
from jumelage.ecosystems.rules import is_platform_admin


def organisation_list(request):
    """The directory: search, facets with counts, 25 results a page. htmx gets only the results part.
    The results part is rendered once per search and page, then kept with the cached search."""
    context = {"params": request.GET, "error": None, "active": None}
    try:
        found = queries.search_directory(request.user, request.GET, facets=True)
    except queries.FilterError as exc:
        context["error"] = exc
        # htmx does not swap 4xx answers by default: the partial says what is wrong with a 200.
        if request.htmx:
            return render(request, "directory/_results.html", context)
        context["results_html"] = render_to_string("directory/_results.html", context, request)
        return render(request, "directory/organisation_list.html", context, status=400)
    context["active"] = found.active
    page_number = request.GET.get("page", "1")
    results_html = found.fragments.get(page_number)
    if results_html is None:
        page = Paginator(found, 25).get_page(page_number)
        found.prepare_rows(page.object_list)
        results_html = render_to_string(
            "directory/_results.html",
            {
                **context,
                "page": page,
                "facets": found.facets,
                "querystring": queries.querystring(found.active),
                "described": queries.describe_filters(found.active),
            },
            request,
        )
        if page_number.isdigit() and page.number == int(page_number) and len(found.fragments) < 10:
            found.fragments[page_number] = results_html
    if request.htmx:
        return HttpResponse(results_html)
    context["results_html"] = results_html
    return render(request, "directory/organisation_list.html", context)


def _get_visible(request, slug) -> Organisation:
    org = Organisation.objects.filter(slug=slug).first()
    if org is None or not request.user.has_perm("directory.view_organisation", org):
        raise Http404(_("No such organisation."))
    return org


def _in_language(obj, prefix: str, lang: str) -> tuple[str, str]:
    """The text of `<prefix>_<lang>` or, failing that, of the first other language that has one."""
    order = [lang, *(code for code, _name in settings.LANGUAGES if code != lang)]
    for code in order:
        text = getattr(obj, f"{prefix}_{code}", "") or ""
        if text.strip():
            return text, code
    return "", lang


def _organisation_json_ld(request, org: Organisation, description: str, people) -> str:
    """schema.org Organization as JSON-LD, escaped for a <script type="application/ld+json"> block."""
    data = {
        "@context": "https://schema.org",
        "@type": "Organization",
        "name": org.name,
        "url": request.build_absolute_uri(reverse("directory:organisation-detail", args=[org.slug])),
    }
    if org.aliases:
        data["alternateName"] = list(org.aliases)
    if description:
        data["description"] = description
    if org.website:
        data["sameAs"] = org.website
    if org.founding_year:
        data["foundingDate"] = str(org.founding_year)
    address = {
        "@type": "PostalAddress",
        "streetAddress": org.street,
        "postalCode": org.postcode,
        "addressLocality": org.city,
        "addressRegion": org.region,
        "addressCountry": org.country,
    }
    address = {k: v for k, v in address.items() if v}
    if len(address) > 1:
        data["address"] = address
    if org.vat_number:
        data["vatID"] = org.vat_number
    if org.siren or org.enterprise_number:
        data["taxID"] = org.siren or org.enterprise_number
    if people:
        data["member"] = [
            {"@type": "Person", "name": a.person.name, **({"jobTitle": a.role} if a.role else {})}
            for a in people
        ]
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    # Same escapes as Django's json_script: nothing in the data can close the <script> element.
    return mark_safe(text.translate({ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}))


def organisation_detail(request, slug):
    """The public profile. Visitors see published profiles only (404 otherwise); people appear only
    with their public-profile consent, and then only their name and role."""
    org = _get_visible(request, slug)
    lang = (translation.get_language() or settings.LANGUAGE_CODE)[:2]
    description, description_lang = _in_language(org, "description", lang)
    memberships = list(
        org.memberships.select_related("ecosystem", "node").order_by("ecosystem__name", "node__name")
    )
    people = list(
        Affiliation.objects.filter(organisation=org, person__public_profile=True)
        .select_related("person")
        .order_by("person__name")
    )
    themes = sorted(theme_paths(org.themes.all()).values(), key=str.casefold)
    return render(
        request,
        "directory/organisation_detail.html",
        {
            "org": org,
            "can_edit": request.user.has_perm("directory.change_organisation", org),
            "description": description,
            "description_lang": description_lang,
            "description_fallback": bool(description) and description_lang != lang,
            "description_lang_name": translation.get_language_info(description_lang)["name_translated"],
            "memberships": memberships,
            "people": people,
            "themes": themes,
            "json_ld": _organisation_json_ld(request, org, description, people),
            # Demo records already carry their credit line ("Source: CORDIS …"); others get the prefix.
            "attribution": org.source
            if org.source.casefold().startswith("source")
            else _("Source: %(source)s") % {"source": org.source},
        },
    )


class _EditConflict(Exception):
    """Someone else saved the organisation after the editor opened the form."""


def organisation_edit(request, slug):
    """A representative (or curating staff, or an admin) edits the profile through
    services.update_organisation; a save made by someone else since the form was opened is reported,
    not overwritten."""
    org = _get_visible(request, slug)
    if not request.user.has_perm("directory.change_organisation", org):
        raise PermissionDenied(_("You may only edit the organisations you represent or curate."))
    staff = is_platform_admin(request.user) or curates(request.user, org)
    status = 200
    if request.method == "POST":
        # The form works on a copy: `org` stays as stored until the service has saved.
        form = OrganisationForm(request.POST, instance=Organisation.objects.get(pk=org.pk), staff=staff)
        if form.is_valid():
            try:
                with transaction.atomic():
                    current = Organisation.objects.select_for_update().get(pk=org.pk)
                    started = form.cleaned_data.get("updated_at")
                    if started is not None and current.updated_at != started:
                        raise _EditConflict
                    services.update_organisation(
                        actor=request.user,
                        organisation=current,
                        data=form.service_data(),
                        themes=form.cleaned_data["themes"],
                    )
            except _EditConflict:
                status = 409
                form.add_error(
                    None,
                    _(
                        "Someone else saved this profile after you opened it. Nothing of yours was "
                        "saved: reload the page to see their changes, then make yours again."
                    ),
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
                status = 400
            else:
                messages.success(request, _("The profile of %(name)s was saved.") % {"name": current.name})
                return redirect("directory:organisation-detail", slug=current.slug)
        else:
            status = 400
    else:
        form = OrganisationForm(instance=org, staff=staff)
    return render(
        request, "directory/organisation_edit.html", {"org": org, "form": form, "staff": staff}, status=status
    )


# --- Export and import (import helper) -------------------------------------------------------------


def organisation_export(request, fmt):
    """The directory as the list page shows it (same filters, same visibility), as CSV or XLSX."""
    from jumelage.directory import exporting

    if fmt not in exporting.FORMATS:
        raise Http404(_("Export formats: CSV and XLSX."))
    try:
        qs, _active = queries.filter_organisations(queries.visible_to(request.user), request.GET)
    except queries.FilterError as exc:
        return HttpResponse(
            _("Cannot export: %(error)s") % {"error": exc},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    return exporting.export_response(qs, fmt)


@csrf_exempt  # CSRF is checked by import_views.upload, after the size limit is in place
def import_upload(request):
    from jumelage.directory import import_views

    return import_views.upload_entry(request)


def import_job(request, pk):
    from jumelage.directory import import_views

    return import_views.job_page(request, pk)


def import_job_status(request, pk):
    from jumelage.directory import import_views

    return import_views.job_status(request, pk)


def import_commit(request, pk):
    from jumelage.directory import import_views

    return import_views.commit(request, pk)
