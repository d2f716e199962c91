"""Organisers: scheduler runs (start one, follow it, publish or discard its draft) and the table plan."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.translation import gettext as _

from jumelage.brokerage import dashboard, scheduling
from jumelage.brokerage.forms import RunForm
from jumelage.brokerage.models import Meeting, ScheduleRun
from jumelage.brokerage.views.common import brokerage_view, refused, render_page

DRAFT_PER_PAGE = 100  # meetings of the draft per page (a large event's draft holds thousands)


@brokerage_view("brokerage.schedule")
def schedule(request, brokerage):
    form = RunForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            run = scheduling.start_run(
                brokerage=brokerage, actor=request.user, time_limit=form.cleaned_data["time_limit"]
            )
        except ValidationError as exc:
            refused(request, exc)
        else:
            return redirect("brokerage:run", brokerage.event.slug, run.pk)
    return render_page(
        request,
        brokerage,
        "brokerage/schedule.html",
        {"form": form, "runs": brokerage.runs.all()[:10], "figures": dashboard.figures(brokerage)},
    )


@brokerage_view("brokerage.schedule")
def run_detail(request, brokerage, pk):
    run = get_object_or_404(ScheduleRun, pk=pk, brokerage=brokerage)
    if request.method == "POST":
        try:
            if "publish" in request.POST:
                changed = scheduling.publish(run=run, actor=request.user)
                messages.success(
                    request,
                    _("The schedule is published; %(n)s participants were told of their new agenda.")
                    % {"n": len(changed)},
                )
                return redirect("brokerage:tables", brokerage.event.slug)
            if "discard" in request.POST:
                scheduling.discard(run=run, actor=request.user)
                messages.success(request, _("Draft discarded."))
                return redirect("brokerage:schedule", brokerage.event.slug)
        except ValidationError as exc:
            refused(request, exc)
    running = run.status in (ScheduleRun.Status.QUEUED, ScheduleRun.Status.RUNNING)
    template = "brokerage/_run.html" if request.htmx else "brokerage/run.html"
    # What publishing this draft would change for the meetings already confirmed, old → new.
    moves = scheduling.moves(run) if run.status == ScheduleRun.Status.READY else []
    page = Paginator(scheduling.draft(run), DRAFT_PER_PAGE).get_page(request.GET.get("page"))
    return render_page(
        request, brokerage, template, {"run": run, "running": running, "moves": moves, "page": page}
    )


@brokerage_view("brokerage.view_dashboard")
def tables(request, brokerage):
    """The table plan: for each slot, who sits at which table."""
    meetings = (
        Meeting.objects.filter(brokerage=brokerage, slot__isnull=False)
        .select_related(
            "slot", "table", "request__requester__organisation", "request__recipient__organisation"
        )
        .order_by("slot__number", "table__position")
    )
    plan: dict = {}
    for m in meetings:
        plan.setdefault(m.slot, []).append(m)
    return render_page(request, brokerage, "brokerage/tables.html", {"plan": list(plan.items())})


urlpatterns = [
    path("events/<slug:slug>/b2b/schedule/", schedule, name="schedule"),
    path("events/<slug:slug>/b2b/schedule/<int:pk>/", run_detail, name="run"),
    path("events/<slug:slug>/b2b/tables/", tables, name="tables"),
]
