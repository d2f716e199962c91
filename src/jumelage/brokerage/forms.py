from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jumelage.brokerage.models import MeetingSession, Slot
from jumelage.directory.models import Theme

# The browser's date, time and date-time pickers read and send ISO values only ("2026-12-27", "14:00",
# "2026-12-27T14:00"), whatever the page's language: a French or Dutch date ("27/12/2026") is not shown
# and comes back empty, so the inputs always carry ISO formats (which the fields also parse in any language).
DATE_INPUT = {"format": "%Y-%m-%d", "attrs": {"type": "date"}}
TIME_INPUT = {"format": "%H:%M", "attrs": {"type": "time"}}
DATETIME_INPUT = {"format": "%Y-%m-%dT%H:%M", "attrs": {"type": "datetime-local"}}


class SetupForm(forms.Form):
    meeting_minutes = forms.IntegerField(
        label=_("Meeting length (minutes)"), min_value=5, max_value=240, initial=20
    )
    pause_minutes = forms.IntegerField(
        label=_("Pause between meetings (minutes)"), min_value=0, max_value=120, initial=5
    )
    max_meetings = forms.IntegerField(
        label=_("Most meetings per participant"), min_value=1, max_value=100, initial=8
    )
    max_requests = forms.IntegerField(
        label=_("Most requests a participant may send"), min_value=1, max_value=200, initial=15
    )
    requests_close_at = forms.DateTimeField(
        label=_("Requests close"),
        required=False,
        widget=forms.DateTimeInput(**DATETIME_INPUT),
    )
    answers_close_at = forms.DateTimeField(
        label=_("Answers close"), required=False, widget=forms.DateTimeInput(**DATETIME_INPUT)
    )
    online_allowed = forms.BooleanField(label=_("Online meetings allowed"), required=False)
    tables = forms.CharField(
        label=_("Tables"),
        help_text=_(
            "One table or room name per line. Where online meetings are allowed, add the table's video "
            "link after a bar: “Table 1 | https://meet.example.org/table-1”."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class SessionForm(forms.Form):
    name = forms.CharField(label=_("Session"), max_length=80, required=False)
    date = forms.DateField(label=_("Date"), required=False, widget=forms.DateInput(**DATE_INPUT))
    start = forms.TimeField(
        label=pgettext_lazy("start time", "From"), required=False, widget=forms.TimeInput(**TIME_INPUT)
    )
    end = forms.TimeField(
        label=pgettext_lazy("end time", "To"), required=False, widget=forms.TimeInput(**TIME_INPUT)
    )

    def clean(self):
        data = super().clean()
        given = [data.get(k) for k in ("name", "date", "start", "end")]
        if any(given) and not all(given):
            raise forms.ValidationError(_("Give the session a name, a date, a start and an end time."))
        return data


MAX_SESSIONS = 12  # a five-day mission with a morning and an afternoon each, and room to spare
SessionFormSet = formset_factory(SessionForm, extra=0, max_num=MAX_SESSIONS, validate_max=True)


class JoinForm(forms.Form):
    offers = forms.CharField(
        label=_("What we offer"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    seeks = forms.CharField(
        label=_("What we seek"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes"),
        queryset=Theme.objects.filter(parent__isnull=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,  # a multiple <select> needs Ctrl-click, which few people know
    )
    unavailable_sessions = forms.ModelMultipleChoiceField(
        label=_("Sessions when you are NOT available"),
        help_text=_("Every slot of a session ticked here is kept free."),
        queryset=MeetingSession.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    unavailable = forms.ModelMultipleChoiceField(
        label=_("Single slots when you are NOT available"),
        queryset=Slot.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    online = forms.BooleanField(
        label=_("I take part online"),
        help_text=_("Your agenda gives the video link of each meeting; the other side sits at the table."),
        required=False,
    )

    @staticmethod
    def initial_for(participant) -> dict:
        """The form's values for a participant who already joined: whole sessions ticked as such."""
        away = set(participant.unavailable.values_list("pk", flat=True))
        sessions = [
            s
            for s in participant.brokerage.sessions.prefetch_related("slots")
            if {x.pk for x in s.slots.all()} <= away
        ]
        whole = {x.pk for s in sessions for x in s.slots.all()}
        return {
            "offers": participant.offers,
            "seeks": participant.seeks,
            "themes": participant.themes.all(),
            "unavailable_sessions": sessions,
            "unavailable": sorted(away - whole),
            "online": participant.online,
        }

    def unavailable_slots(self) -> list[int]:
        """The slots ticked one by one and every slot of the sessions ticked (after is_valid())."""
        data = self.cleaned_data
        slots = {s.pk for s in data["unavailable"]}
        for session in data["unavailable_sessions"]:
            slots.update(session.slots.values_list("pk", flat=True))
        return sorted(slots)

    def __init__(self, *args, brokerage, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unavailable_sessions"].queryset = brokerage.sessions.all()
        self.fields["unavailable"].queryset = brokerage.slots.select_related("session")
        self.fields["unavailable"].label_from_instance = lambda slot: (
            f"{slot.session.name}, {slot.with_day()}"
        )
        if not brokerage.online_allowed:
            del self.fields["online"]


class RequestForm(forms.Form):
    message = forms.CharField(
        label=_("Message"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), max_length=2000, required=False)


class RunForm(forms.Form):
    time_limit = forms.IntegerField(label=_("Time limit (seconds)"), min_value=1, max_value=600, initial=10)


class OrganiserMeetingForm(forms.Form):
    a = forms.ModelChoiceField(label=_("First participant"), queryset=None)
    b = forms.ModelChoiceField(label=_("Second participant"), queryset=None)
    slot = forms.ModelChoiceField(label=_("Lock to slot (optional)"), queryset=None, required=False)
    table = forms.ModelChoiceField(label=_("Table (optional)"), queryset=None, required=False)

    def __init__(self, *args, brokerage, **kwargs):
        super().__init__(*args, **kwargs)
        people = brokerage.participants.select_related("organisation")
        for name in ("a", "b"):  # two people may share a name: their organisation tells them apart
            self.fields[name].queryset = people
            self.fields[name].label_from_instance = lambda p: (
                f"{p.name} ({p.organisation.name})" if p.organisation_id else p.name
            )
        self.fields["slot"].queryset = brokerage.slots.all()
        self.fields["slot"].label_from_instance = Slot.with_day
        self.fields["table"].queryset = brokerage.tables.all()


class ConfirmForm(forms.Form):
    held = forms.TypedChoiceField(
        label=_("Did the meeting take place?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    rating = forms.TypedChoiceField(
        label=_("How useful was it? (1–5)"),
        choices=[("", "—")] + [(str(i), str(i)) for i in range(1, 6)],
        coerce=int,
        empty_value=None,
        required=False,
    )
