"""The co-programming board of an event (partner staff) and the invitation answer pages (by token)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jumelage.core.forms import apply_service_errors
from jumelage.directory.forms import theme_paths
from jumelage.directory.models import Organisation, Person, Theme
from jumelage.events.models import EventPartner, Invitation, Proposal, ProposalApproval
from jumelage.events.queries import partners_in_order
from jumelage.events.services import market_needs
from jumelage.events.services import programme as services
from jumelage.events.views.common import event_view

BOARD = "events.view_programme_board"


class ProposalForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What do you propose?"), choices=Proposal.Kind.choices)
    partner = forms.ModelChoiceField(
        label=gettext_lazy("On behalf of"), queryset=EventPartner.objects.none(), empty_label=None
    )
    title = forms.CharField(
        label=gettext_lazy("Title"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Leave empty to use the theme's, speaker's or organisation's name."),
    )
    details = forms.CharField(
        label=gettext_lazy("Details"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    theme = forms.ChoiceField(label=gettext_lazy("Theme"), required=False)
    person = forms.CharField(
        label=gettext_lazy("Speaker from the directory (name)"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("The person's name as in the directory."),
    )
    speaker_name = forms.CharField(
        label=gettext_lazy("Or a new speaker: name"), max_length=200, required=False
    )
    speaker_email = forms.EmailField(label=gettext_lazy("New speaker's e-mail"), required=False)
    organisation = forms.CharField(
        label=gettext_lazy("Company or startup to showcase"),
        max_length=255,
        required=False,
        help_text=gettext_lazy("Its name or its directory address (e.g. wallonie-startup)."),
    )
    audience_query = forms.CharField(
        label=gettext_lazy("Actors to mobilise: directory filters"),
        max_length=500,
        required=False,
        help_text=gettext_lazy(
            "A directory search, e.g. country=BE&theme=smart-city&kind=startup, or the address of a "
            "filtered directory page."
        ),
    )

    def __init__(self, *args, partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = EventPartner.objects.filter(
            pk__in=[p.pk for p in partners]
        ).select_related("ecosystem", "node")
        self.fields["partner"].label_from_instance = lambda p: p.brand_name
        paths = theme_paths()
        themes = sorted(((str(pk), label) for pk, label in paths.items()), key=lambda c: c[1].casefold())
        self.fields["theme"].choices = [("", "—"), *themes]

    def clean_theme(self):
        value = self.cleaned_data.get("theme")
        return Theme.objects.filter(pk=value).first() if value else None

    def clean_person(self):
        name = self.cleaned_data.get("person", "").strip()
        if not name:
            return None
        found = list(Person.objects.filter(name__iexact=name)[:2])
        if not found:
            raise ValidationError(_("Nobody named “%(name)s” is in the directory.") % {"name": name})
        if len(found) > 1:
            raise ValidationError(
                _("Several people in the directory are named “%(name)s”: add them as a new speaker.")
                % {"name": name}
            )
        return found[0]

    def clean_organisation(self):
        value = self.cleaned_data.get("organisation", "").strip()
        if not value:
            return None
        visible = Organisation.objects.filter(published=True)
        found = visible.filter(slug=value).first()
        if found is None:
            matches = list(visible.filter(name__iexact=value)[:2])
            if len(matches) > 1:
                raise ValidationError(
                    _("Several organisations are named “%(name)s”: give its directory address instead.")
                    % {"name": value}
                )
            found = matches[0] if matches else None
        if found is None:
            raise ValidationError(_("No organisation “%(name)s” in the directory.") % {"name": value})
        return found


def _proposals(event):
    approvals = ProposalApproval.objects.select_related("partner__ecosystem", "partner__node", "decided_by")
    return list(
        event.proposals.select_related(
            "proposed_by", "proposed_for__ecosystem", "proposed_for__node", "theme", "person", "organisation"
        )
        .prefetch_related(Prefetch("approvals", queryset=approvals))
        .order_by("created_at", "pk")
    )


def _board_context(request, event, form=None, preview=None):
    user = request.user
    co_organisers = services.co_organisers(event)
    mine = services.deciding_partners(user, event)
    counts = services.invitation_counts(event)
    rows = []
    for p in _proposals(event):
        decided = {a.partner_id: a for a in p.approvals.all()}
        undecided_mine = [m for m in mine if m.pk not in decided]
        row = {
            "proposal": p,
            "decisions": [(partner, decided.get(partner.pk)) for partner in co_organisers],
            "can_decide": p.status == Proposal.Status.PENDING and bool(undecided_mine),
            "decide_for": undecided_mine,
            "can_withdraw": p.status == Proposal.Status.PENDING and p.proposed_by_id == user.pk,
            "invitations": counts.get(p.pk),
        }
        if p.kind == Proposal.Kind.MOBILISE:
            row["preview"] = services.preview_audience(p.audience_query)
            row["can_invite"] = bool(mine) and p.status == Proposal.Status.AGREED
        rows.append(row)
    pending = sum(1 for r in rows if r["proposal"].status == Proposal.Status.PENDING)
    agreed = [r for r in rows if r["proposal"].status == Proposal.Status.AGREED]
    if form is None and mine:
        form = ProposalForm(partners=mine, initial={"partner": mine[0].pk})
    return {
        "event": event,
        "partners": partners_in_order(event),
        "co_organisers": co_organisers,
        "rows": rows,
        "pending": pending,
        "agreed": agreed,
        "form": form,
        "preview": preview,
        "may_propose": bool(mine),
        "may_publish": bool(mine) and pending == 0 and bool(agreed),
        "programme": services.published_programme(event),
        # Market needs feed event themes: shown to those who may read the register; co-organisers
        # turn one into a theme proposal with the board's own form (hidden fields, one click).
        "needs": market_needs.needs_for_event(user, event),
        "propose_for": mine[0] if mine else None,
    }


@event_view(BOARD)
def board(request, event):
    """The board: every proposal with each co-organiser's decision; a form to propose; publishing."""
    if request.method == "POST":
        mine = services.deciding_partners(request.user, event)
        if not mine:
            raise PermissionDenied(_("Only staff of the lead organiser or of a co-organiser may propose."))
        form = ProposalForm(request.POST, partners=mine)
        preview = None
        if "preview" in request.POST:
            preview = services.preview_audience(request.POST.get("audience_query", ""))
            return render(
                request, "events/programme_board.html", _board_context(request, event, form, preview)
            )
        if form.is_valid():
            data = form.cleaned_data
            try:
                proposal = services.create_proposal(
                    actor=request.user,
                    event=event,
                    kind=data["kind"],
                    partner=data["partner"],
                    title=data["title"],
                    details=data["details"],
                    theme=data["theme"],
                    person=data["person"],
                    speaker_name=data["speaker_name"],
                    speaker_email=data["speaker_email"],
                    organisation=data["organisation"],
                    audience_query=data["audience_query"],
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Your proposal “%(title)s” was added to the board.") % {"title": proposal.title},
                )
                return redirect("events:programme-board", event.slug)
        messages.error(request, _("The proposal was not saved: correct the fields below."))
        return render(
            request, "events/programme_board.html", _board_context(request, event, form), status=400
        )
    return render(request, "events/programme_board.html", _board_context(request, event))


def _get_proposal(event, pk) -> Proposal:
    return get_object_or_404(Proposal, event=event, pk=pk)


def _back(event):
    return redirect(reverse("events:programme-board", args=[event.slug]) + "#proposals")


def _require_co_organiser(request, event) -> None:
    if not services.deciding_partners(request.user, event):
        raise PermissionDenied(_("Only staff of the lead organiser or of a co-organiser may do this."))


def _refuse(request, event, message, status=400):
    messages.error(request, message)
    return render(request, "events/programme_board.html", _board_context(request, event), status=status)


@require_POST
@event_view(BOARD)
def decide(request, event, pk):
    _require_co_organiser(request, event)
    proposal = _get_proposal(event, pk)
    decision = request.POST.get("decision")
    if decision not in ("approve", "reject"):
        return _refuse(request, event, _("Choose to approve or to reject the proposal."))
    partner = None
    if request.POST.get("partner"):
        value = request.POST["partner"]
        partner = EventPartner.objects.filter(event=event, pk=value).first() if value.isdigit() else None
        if partner is None:
            return _refuse(request, event, _("Choose one of the event's co-organisers."))
    try:
        services.decide_proposal(
            actor=request.user,
            proposal=proposal,
            approved=decision == "approve",
            comment=request.POST.get("comment", ""),
            partner=partner,
        )
    except PermissionDenied:
        raise
    except ValidationError as exc:
        return _refuse(request, event, " ".join(exc.messages))
    proposal.refresh_from_db()
    if decision == "approve":
        messages.success(
            request,
            _("You approved “%(title)s”; it is now %(status)s.")
            % {"title": proposal.title, "status": proposal.get_status_display()},
        )
    else:
        messages.success(request, _("You rejected “%(title)s”.") % {"title": proposal.title})
    return _back(event)


@require_POST
@event_view(BOARD)
def withdraw(request, event, pk):
    proposal = _get_proposal(event, pk)
    try:
        services.withdraw_proposal(actor=request.user, proposal=proposal)
    except ValidationError as exc:
        return _refuse(request, event, " ".join(exc.messages))
    messages.success(request, _("You withdrew “%(title)s”.") % {"title": proposal.title})
    return _back(event)


@require_POST
@event_view(BOARD)
def invite(request, event, pk):
    _require_co_organiser(request, event)
    proposal = _get_proposal(event, pk)
    try:
        report = services.send_invitations(actor=request.user, proposal=proposal)
    except ValidationError as exc:
        return _refuse(request, event, " ".join(exc.messages))
    messages.success(
        request,
        _(
            "%(created)d invitation(s) created and sent; %(already)d organisation(s) already invited; "
            "%(skipped)d without a representative's e-mail address (not invited)."
        )
        % {"created": report.created, "already": report.already_invited, "skipped": report.without_address},
    )
    return _back(event)


@require_POST
@event_view(BOARD)
def publish(request, event):
    _require_co_organiser(request, event)
    try:
        services.publish_programme(actor=request.user, event=event)
    except ValidationError as exc:
        return _refuse(request, event, " ".join(exc.messages), status=409)
    messages.success(request, _("The programme is published on the event's page."))
    return redirect("events:programme-board", event.slug)


def invitation_answer(request, token):
    """The invited organisation's page (from the e-mail's link): accept or decline, no login needed."""
    invitation = get_object_or_404(Invitation.objects.select_related("event", "organisation"), token=token)
    event = invitation.event
    status = 200
    if request.method == "POST":
        answer = request.POST.get("answer")
        if answer not in ("accept", "decline"):
            messages.error(request, _("Choose to accept or to decline the invitation."))
            status = 400
        else:
            try:
                invitation = services.answer_invitation(invitation=invitation, accept=answer == "accept")
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                status = 409
            else:
                messages.success(
                    request,
                    _("Thank you: you accepted the invitation.")
                    if answer == "accept"
                    else _("Thank you: you declined the invitation."),
                )
                return redirect("events:invitation-answer", token)
    context = {
        "invitation": invitation,
        "event": event,
        "partners": partners_in_order(event),
    }
    return render(request, "events/programme_invitation.html", context, status=status)


urlpatterns = [
    path("events/<slug:slug>/programme/", board, name="programme-board"),
    path("events/<slug:slug>/programme/publish/", publish, name="programme-publish"),
    path("events/<slug:slug>/programme/<int:pk>/decide/", decide, name="programme-decide"),
    path("events/<slug:slug>/programme/<int:pk>/withdraw/", withdraw, name="programme-withdraw"),
    path("events/<slug:slug>/programme/<int:pk>/invite/", invite, name="programme-invite"),
    path("events/invitations/<str:token>/", invitation_answer, name="invitation-answer"),
]
