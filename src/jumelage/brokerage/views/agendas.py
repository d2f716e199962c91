"""A participant's agenda once the schedule is published: the page, its .ics and PDF files, and the
confirmation on site that a meeting took place."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jumelage.brokerage import agenda, services
from jumelage.brokerage.forms import ConfirmForm
from jumelage.brokerage.models import Meeting
from jumelage.brokerage.views.common import brokerage_view, me, refused, render_page


@brokerage_view("brokerage.take_part")
def my_agenda(request, brokerage):
    participant = me(request, brokerage)
    return render_page(
        request,
        brokerage,
        "brokerage/agenda.html",
        {
            "entries": agenda.entries(participant) if brokerage.published_at else [],
            # agreed meetings not placed yet: the agenda says they are waiting, not "nothing"
            "waiting": Meeting.objects.filter(
                Q(request__requester=participant) | Q(request__recipient=participant),
                brokerage=brokerage,
                slot__isnull=True,
                status=Meeting.Status.PLANNED,
            ).count(),
            "confirm_form": ConfirmForm(),
            "now": timezone.now(),
        },
    )


@brokerage_view("brokerage.take_part")
def agenda_file(request, brokerage, fmt):
    participant = me(request, brokerage)
    slug = brokerage.event.slug
    if fmt == "ics":
        response = HttpResponse(
            agenda.ics(brokerage, participant), content_type="text/calendar; charset=utf-8"
        )
    elif fmt == "pdf":
        response = HttpResponse(agenda.pdf(brokerage, participant), content_type="application/pdf")
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{slug}-b2b-agenda.{fmt}"'
    return response


@require_POST
@brokerage_view("brokerage.take_part")
def confirm(request, brokerage, pk):
    participant = me(request, brokerage)
    meeting = get_object_or_404(Meeting, pk=pk, brokerage=brokerage)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say whether the meeting took place, and give a rating from 1 to 5."))
    else:
        try:
            services.confirm(
                meeting=meeting,
                by=participant,
                held=form.cleaned_data["held"],
                rating=form.cleaned_data["rating"],
            )
            messages.success(request, _("Thank you: your answer is recorded."))
        except ValidationError as exc:
            refused(request, exc)
    return redirect("brokerage:agenda", brokerage.event.slug)


urlpatterns = [
    path("events/<slug:slug>/b2b/agenda/", my_agenda, name="agenda"),
    path("events/<slug:slug>/b2b/agenda.<str:fmt>", agenda_file, name="agenda-file"),
    path("events/<slug:slug>/b2b/meetings/<int:pk>/confirm/", confirm, name="confirm"),
]
