"""`jumelage send_event_thanks [slug …]`: thank the checked-in attendees of events that are over, in
their language, with their feedback link. Without a slug: every published event that ended in the last
7 days (`--days`). Each attendee is thanked once, so the command can run every day."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jumelage.events.models import Event
from jumelage.events.services import reports


class Command(BaseCommand):
    help = "Send the thank-you e-mail (with the feedback link) to the checked-in attendees of ended events."

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", help="events to thank for (default: those ended lately)")
        parser.add_argument("--days", type=int, default=7, help="how far back 'lately' goes (default 7)")

    def handle(self, *args, slugs, days, **options):
        if slugs:
            events = list(Event.objects.filter(slug__in=slugs))
            missing = sorted(set(slugs) - {e.slug for e in events})
            if missing:
                raise CommandError(_("No event with the slug: %(slugs)s") % {"slugs": ", ".join(missing)})
        else:
            events = list(reports.ended_events_to_thank(days=days))
        total = 0
        for event in events:
            try:
                sent = reports.send_thanks(event=event)
            except reports.ReportError as exc:
                raise CommandError(f"{event.slug}: {exc.message}") from exc
            total += sent
            self.stdout.write(
                _("%(event)s: %(count)d thank-you e-mails sent.") % {"event": event.slug, "count": sent}
            )
        self.stdout.write(_("%(count)d thank-you e-mails sent in all.") % {"count": total})
