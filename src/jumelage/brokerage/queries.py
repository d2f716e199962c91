"""Reading the brokerage for pages and the API."""

from __future__ import annotations

from django.db.models import Q

from jumelage.brokerage.models import Brokerage


def catalogue(brokerage: Brokerage, *, q: str = "", country: str = "", theme: str = ""):
    """The brokerage's participants by name, filtered by words (name, organisation, offer, request), the
    organisation's country and a theme code: the pages and the API list the same people."""
    people = brokerage.participants.select_related("organisation").order_by("name")
    if q:
        people = people.filter(
            Q(name__icontains=q)
            | Q(organisation__name__icontains=q)
            | Q(offers__icontains=q)
            | Q(seeks__icontains=q)
        )
    if country:
        people = people.filter(organisation__country=country.upper())
    if theme:
        people = people.filter(themes__code=theme).distinct()
    return people
