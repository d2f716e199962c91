"""Who may do what in a brokerage: the event's organisers set it up and schedule it; its participants
(confirmed attendees who joined) see each other and ask for meetings; partner staff see the dashboard."""

import rules

from jumelage.events.rules import can_manage, can_see_staff_pages, can_view


@rules.predicate
def is_participant(user, brokerage) -> bool:
    if not (user and user.is_authenticated) or brokerage is None:
        return False
    return brokerage.participants.filter(user=user).exists()


def _event(pred):
    """A predicate on the brokerage's event."""

    @rules.predicate(name=f"event_{pred.name}")
    def on_event(user, brokerage) -> bool:
        return brokerage is not None and pred.test(user, brokerage.event)

    return on_event


organises = _event(can_manage)
sees_staff_pages = _event(can_see_staff_pages)
sees_event = _event(can_view)

rules.add_perm("brokerage.view_brokerage", sees_event)
rules.add_perm("brokerage.setup", organises)
rules.add_perm("brokerage.schedule", organises)
rules.add_perm("brokerage.view_dashboard", sees_staff_pages)
rules.add_perm("brokerage.take_part", sees_event & is_participant)
rules.add_perm("brokerage.view_catalogue", (sees_event & is_participant) | sees_staff_pages)
