"""Pages of opportunities, interests, the partnership pipeline and the market-needs register.

Every page reads through queries.visible_to*(), checks rules (404 for what the caller may not see, 403
for what they see but may not do) and writes through services. Forms that fail come back with their
errors and a 400; nothing is half-written."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from jumelage.core.forms import apply_service_errors
from jumelage.directory.forms import theme_paths
from jumelage.ecosystems.rules import is_platform_admin, is_staff_anywhere
from jumelage.opportunities import queries, services
from jumelage.opportunities.forms import (
    DecisionForm,
    InterestForm,
    MarketNeedForm,
    OpportunityFilterForm,
    OpportunityForm,
    StepForm,
)
from jumelage.opportunities.models import Introduction, MarketNeed, Opportunity, Stage
from jumelage.opportunities.rules import represented_ids

PER_PAGE = 20


def _login_or_forbid(request, message: str):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied(message)


def _get_opportunity(request, pk: int) -> Opportunity:
    opportunity = (
        queries.visible_to(request.user)
        .select_related("organisation", "created_by")
        .prefetch_related("themes", "target_ecosystems", "organisation__memberships__ecosystem")
        .filter(pk=pk)
        .first()
    )
    if opportunity is None:
        raise Http404(_("No such opportunity."))
    return opportunity


# --- List, detail, create, edit ------------------------------------------------------------------------


def opportunity_list(request):
    """Open opportunities the caller may see, filtered and paginated; htmx gets only the results."""
    filter_form = OpportunityFilterForm(request.GET or None)
    qs = queries.visible_to(request.user).select_related("organisation")
    context = {"filter_form": filter_form, "error": None}
    try:
        qs, active = queries.filter_opportunities(qs, request.GET)
    except queries.FilterError as exc:
        context["error"] = exc
        status = 200 if request.htmx else 400
        template = "opportunities/_results.html" if request.htmx else "opportunities/opportunity_list.html"
        return render(request, template, context, status=status)
    if "status" not in active.values:
        qs = qs.filter(status=Opportunity.Status.PUBLISHED)
    page = Paginator(qs.order_by("deadline", "pk"), PER_PAGE).get_page(request.GET.get("page"))
    context.update(
        {
            "page": page,
            "active": active,
            "querystring": urlencode(active.values),
            "can_add": request.user.has_perm("opportunities.add_opportunity"),
            "mine": queries.managed_by(request.user).exclude(status=Opportunity.Status.PUBLISHED)[:50]
            if request.user.is_authenticated and not is_platform_admin(request.user)
            else [],
        }
    )
    if request.htmx:
        return render(request, "opportunities/_results.html", context)
    return render(request, "opportunities/opportunity_list.html", context)


def opportunity_detail(request, pk: int):
    opportunity = _get_opportunity(request, pk)
    user = request.user
    can_manage = user.has_perm("opportunities.change_opportunity", opportunity)
    interests = []
    if can_manage:
        interests = list(
            opportunity.interests.select_related("organisation", "introduction").order_by("-created_at")
        )
    own_interests = []
    if user.is_authenticated and not can_manage:
        own_interests = list(
            queries.interests_visible_to(user).filter(opportunity=opportunity).select_related("organisation")
        )
    interest_form = None
    if user.has_perm("opportunities.express_interest", opportunity):
        interest_form = InterestForm(user=user, opportunity=opportunity)
    return render(
        request,
        "opportunities/opportunity_detail.html",
        {
            "opportunity": opportunity,
            "themes": sorted(theme_paths(opportunity.themes.all()).values(), key=str.casefold),
            "can_manage": can_manage,
            "interests": interests,
            "own_interests": own_interests,
            "interest_form": interest_form,
            "language_warnings": services.language_warnings(opportunity) if can_manage else [],
        },
    )


def opportunity_create(request):
    user = request.user
    if not user.has_perm("opportunities.add_opportunity"):
        return _login_or_forbid(
            request, _("Only organisation representatives and ecosystem staff may publish opportunities.")
        )
    status = 200
    if request.method == "POST":
        form = OpportunityForm(request.POST, user=user, creating=True)
        if form.is_valid():
            organisation = form.cleaned_data["organisation"]
            try:
                opportunity = services.create_opportunity(
                    actor=user,
                    organisation=organisation,
                    data=form.service_data(),
                    themes=form.cleaned_data["themes"],
                    target_ecosystems=form.cleaned_data["target_ecosystems"],
                    publish=request.POST.get("action") == "publish",
                )
            except ValidationError as exc:
                apply_service_errors(form, exc, renamed={"target_countries": "target_countries_text"})
                status = 400
            else:
                if opportunity.status == Opportunity.Status.PUBLISHED:
                    messages.success(
                        request, _("The opportunity “%(title)s” is published.") % {"title": opportunity.title}
                    )
                else:
                    messages.success(
                        request,
                        _("The opportunity “%(title)s” is saved as a draft.") % {"title": opportunity.title},
                    )
                return redirect("opportunities:opportunity-detail", pk=opportunity.pk)
        else:
            status = 400
    else:
        form = OpportunityForm(user=user, creating=True)
    return render(
        request, "opportunities/opportunity_form.html", {"form": form, "opportunity": None}, status=status
    )


def opportunity_edit(request, pk: int):
    opportunity = _get_opportunity(request, pk)
    user = request.user
    if not user.has_perm("opportunities.change_opportunity", opportunity):
        return _login_or_forbid(
            request, _("Only the publisher of this opportunity and its staff may change it.")
        )
    status = 200
    if request.method == "POST":
        form = OpportunityForm(request.POST, instance=Opportunity.objects.get(pk=opportunity.pk), user=user)
        if form.is_valid():
            try:
                services.update_opportunity(
                    actor=user,
                    opportunity=opportunity,
                    data=form.service_data(),
                    themes=form.cleaned_data["themes"],
                    target_ecosystems=form.cleaned_data["target_ecosystems"],
                )
            except ValidationError as exc:
                apply_service_errors(form, exc, renamed={"target_countries": "target_countries_text"})
                status = 400
            else:
                messages.success(request, _("The opportunity was saved."))
                return redirect("opportunities:opportunity-detail", pk=opportunity.pk)
        else:
            status = 400
    else:
        form = OpportunityForm(instance=opportunity, user=user)
    return render(
        request,
        "opportunities/opportunity_form.html",
        {"form": form, "opportunity": opportunity},
        status=status,
    )


@require_POST
def opportunity_status(request, pk: int):
    """Publish (or renew with a new deadline) or close an opportunity."""
    opportunity = _get_opportunity(request, pk)
    if not request.user.has_perm("opportunities.change_opportunity", opportunity):
        raise PermissionDenied(_("Only the publisher of this opportunity and its staff may change it."))
    action = request.POST.get("action", "")
    try:
        if action == "publish":
            deadline = None
            if request.POST.get("deadline"):
                from django.utils.dateparse import parse_date

                try:
                    deadline = parse_date(request.POST["deadline"])
                except ValueError:
                    deadline = None
                if deadline is None:
                    raise ValidationError({"deadline": _("Give the new deadline as a date (YYYY-MM-DD).")})
            services.publish_opportunity(actor=request.user, opportunity=opportunity, deadline=deadline)
            messages.success(request, _("The opportunity is published."))
        elif action == "close":
            services.close_opportunity(actor=request.user, opportunity=opportunity)
            messages.success(request, _("The opportunity is closed."))
        else:
            return HttpResponse(
                _("Say what to do: publish or close."), status=400, content_type="text/plain; charset=utf-8"
            )
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
        return render(
            request,
            "opportunities/status_error.html",
            {"opportunity": opportunity, "errors": exc.messages},
            status=400,
        )
    return redirect("opportunities:opportunity-detail", pk=opportunity.pk)


# --- Interests -----------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def opportunity_interest(request, pk: int):
    if request.method != "POST":
        # This address shows the form again when it has errors; reloading it, or switching language
        # there, comes back with a GET: go back to the opportunity (which checks who may see it).
        return redirect("opportunities:opportunity-detail", pk=pk)
    opportunity = _get_opportunity(request, pk)
    user = request.user
    if not user.has_perm("opportunities.express_interest", opportunity):
        if opportunity.organisation_id in represented_ids(user) and not (
            represented_ids(user) - {opportunity.organisation_id}
        ):
            message = _("This is your own organisation's opportunity: you cannot express interest in it.")
        elif user.is_authenticated and represented_ids(user) and not opportunity.is_open:
            message = _("This opportunity is no longer open to expressions of interest.")
        else:
            message = _("Only representatives of an organisation may express interest in an opportunity.")
        raise PermissionDenied(message)
    form = InterestForm(request.POST, user=user, opportunity=opportunity)
    if form.is_valid():
        try:
            services.express_interest(
                actor=user,
                opportunity=opportunity,
                organisation=form.cleaned_data["organisation"],
                message=form.cleaned_data["message"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc, renamed={"target_countries": "target_countries_text"})
        else:
            messages.success(
                request,
                _("Your interest was sent to %(name)s. You will get an e-mail when they answer.")
                % {"name": opportunity.organisation.name},
            )
            return redirect("opportunities:opportunity-detail", pk=opportunity.pk)
    return render(
        request,
        "opportunities/interest_form.html",
        {"opportunity": opportunity, "interest_form": form},
        status=400,
    )


@require_POST
def interest_decide(request, pk: int):
    interest = (
        queries.interests_visible_to(request.user)
        .select_related("opportunity__organisation", "organisation")
        .filter(pk=pk)
        .first()
    )
    if interest is None:
        if not request.user.is_authenticated:
            raise PermissionDenied(_("Log in to answer an expression of interest."))
        raise Http404(_("No such expression of interest."))
    if not request.user.has_perm("opportunities.decide_interest", interest):
        raise PermissionDenied(_("Only the publisher of the opportunity may answer this interest."))
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return HttpResponse(
            _("Answer with accept or decline."), status=400, content_type="text/plain; charset=utf-8"
        )
    try:
        services.decide_interest(
            actor=request.user, interest=interest, accept=form.cleaned_data["decision"] == "accept"
        )
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=409, content_type="text/plain; charset=utf-8")
    if form.cleaned_data["decision"] == "accept":
        messages.success(
            request,
            _("You accepted the interest of %(name)s: both of you received an introduction e-mail.")
            % {"name": interest.organisation.name},
        )
        return redirect("opportunities:introduction-detail", pk=interest.introduction.pk)
    messages.success(
        request, _("You declined the interest of %(name)s.") % {"name": interest.organisation.name}
    )
    return redirect("opportunities:opportunity-detail", pk=interest.opportunity_id)


# --- Pipeline ------------------------------------------------------------------------------------------


def pipeline(request):
    """The partnerships the caller follows (staff: those of their own members), and for staff the
    cross-ecosystem totals."""
    user = request.user
    if not user.has_perm("opportunities.view_pipeline"):
        return _login_or_forbid(
            request, _("The pipeline is for ecosystem staff and organisation representatives.")
        )
    qs = queries.introductions_visible_to(user).select_related(*INTRODUCTION_RELATED)
    stage = request.GET.get("stage", "")
    if stage and stage not in Stage.values:
        return HttpResponse(
            _("Unknown stage: “%(value)s”.") % {"value": stage},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    counts = queries.stage_counts(qs)
    if stage:
        qs = qs.filter(stage=stage)
    page = Paginator(qs.order_by("-updated_at", "-pk"), PER_PAGE).get_page(request.GET.get("page"))
    staff = is_platform_admin(user) or is_staff_anywhere(user)
    return render(
        request,
        "opportunities/pipeline.html",
        {
            "page": page,
            "counts": counts,
            "stage": stage,
            "stages": list(Stage),
            "totals": queries.pipeline_totals() if staff else None,
        },
    )


# what a pipeline row and an introduction page show: both organisations and where it started
INTRODUCTION_RELATED = ("first_organisation", "second_organisation", "interest__opportunity", "event")


def _get_introduction(request, pk: int) -> Introduction:
    introduction = (
        queries.introductions_visible_to(request.user)
        .select_related(*INTRODUCTION_RELATED)
        .filter(pk=pk)
        .first()
    )
    if introduction is None:
        raise Http404(_("No such introduction."))
    return introduction


def introduction_detail(request, pk: int):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    introduction = _get_introduction(request, pk)
    allowed = services.allowed_next_stages(introduction)
    form = StepForm(allowed=allowed) if allowed else None
    return _introduction_page(request, introduction, form)


def _introduction_page(request, introduction, form, status=200):
    return render(
        request,
        "opportunities/introduction_detail.html",
        {
            "introduction": introduction,
            "steps": introduction.steps.select_related("ecosystem", "node", "recorded_by"),
            "form": form,
            "can_change": request.user.has_perm("opportunities.change_introduction", introduction),
        },
        status=status,
    )


@require_POST
def introduction_step(request, pk: int):
    if not request.user.is_authenticated:
        raise PermissionDenied(_("Log in to follow a partnership."))
    introduction = _get_introduction(request, pk)
    if not request.user.has_perm("opportunities.change_introduction", introduction):
        raise PermissionDenied(_("Only the two organisations and their staff may move this partnership."))
    allowed = services.allowed_next_stages(introduction)
    form = StepForm(request.POST, allowed=allowed)
    if form.is_valid():
        try:
            services.record_step(
                actor=request.user,
                introduction=introduction,
                stage=form.cleaned_data["stage"],
                happened_on=form.cleaned_data["happened_on"],
                ecosystem=form.cleaned_data["ecosystem"],
                node=form.cleaned_data["node"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc, renamed={"target_countries": "target_countries_text"})
        else:
            messages.success(
                request,
                _("The partnership moved to “%(stage)s”.")
                % {"stage": dict(Stage.choices)[form.cleaned_data["stage"]]},
            )
            return redirect("opportunities:introduction-detail", pk=introduction.pk)
    return _introduction_page(request, introduction, form, status=400)


# --- Market needs --------------------------------------------------------------------------------------


def market_needs(request):
    user = request.user
    if not user.has_perm("opportunities.view_marketneed"):
        return _login_or_forbid(request, _("The market-needs register is for ecosystem staff and members."))
    qs = MarketNeed.objects.select_related("theme", "organisation")
    market = request.GET.get("market", "")
    if market:
        if market not in {"BE", "FR"}:
            return HttpResponse(
                _("Unknown market: “%(value)s” (BE or FR).") % {"value": market},
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        qs = qs.filter(market=market)
    by = request.GET.get("by", "year")
    if by not in {"year", "quarter", "month"}:
        by = "year"
    page = Paginator(qs.order_by("-observed_on", "-pk"), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "opportunities/market_needs.html",
        {
            "page": page,
            "aggregate": queries.needs_aggregate(qs, by=by),
            "market": market,
            "by": by,
            "can_add": user.has_perm("opportunities.add_marketneed"),
        },
    )


def market_need_create(request):
    user = request.user
    if not user.has_perm("opportunities.add_marketneed"):
        return _login_or_forbid(request, _("The market-needs register is for ecosystem staff and members."))
    status = 200
    if request.method == "POST":
        form = MarketNeedForm(request.POST)
        if form.is_valid():
            try:
                services.record_market_need(actor=user, data=form.service_data())
            except ValidationError as exc:
                apply_service_errors(form, exc, renamed={"target_countries": "target_countries_text"})
                status = 400
            else:
                messages.success(request, _("The market need was recorded."))
                return redirect(reverse("opportunities:market-needs"))
        else:
            status = 400
    else:
        form = MarketNeedForm()
    return render(request, "opportunities/market_need_form.html", {"form": form}, status=status)
