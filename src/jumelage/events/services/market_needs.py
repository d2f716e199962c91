"""Market needs feed event themes: on the co-programming board, the needs of the market-needs register
(jumelage.opportunities) recorded for the event's themes and markets, aggregated by theme and market,
most-expressed first. A co-organiser turns one into a theme proposal through the board's proposal form
(services.programme.create_proposal); nothing here writes.

- The event's themes count with their sub-themes (a need on Smart city › Mobility feeds a Smart city
  day). An event with no theme yet takes needs on every theme: that is when suggestions help most.
- The event's markets are its country and the countries of its partners' ecosystems, among the
  register's markets (BE, FR); every market when none of them is one.
- Only those who may read the register (opportunities.view_marketneed) see the list.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Max
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jumelage.directory.models import Theme
from jumelage.events.models import Event, Proposal
from jumelage.opportunities.models import Market, MarketNeed

# Proposals that already carry a theme on the board: the need is shown as proposed, not offered again.
OPEN_STATUSES = (Proposal.Status.PENDING, Proposal.Status.AGREED)


@dataclass
class NeedRow:
    """Needs on one theme in one market."""

    theme: Theme
    market: str
    count: int
    last_observed: dt.date
    sectors: list[str] = field(default_factory=list)
    proposed: bool = False

    @property
    def market_label(self) -> str:
        return str(Market(self.market).label)

    @property
    def proposal_details(self) -> str:
        """The details a theme proposal made from this row starts with."""
        details = ngettext(
            "Market need: expressed once on the %(market)s, on %(date)s.",
            "Market need: expressed %(count)d times on the %(market)s, most recently on %(date)s.",
            self.count,
        ) % {
            "count": self.count,
            "market": self.market_label,
            "date": date_format(self.last_observed, "SHORT_DATE_FORMAT"),
        }
        if self.sectors:
            details += " " + _("Sectors: %(sectors)s.") % {"sectors": ", ".join(self.sectors)}
        return details


@dataclass
class EventNeeds:
    rows: list[NeedRow]
    total: int  # theme × market groups found, before the cut to `limit`
    markets: list[str]
    themed: bool  # False when the event has no theme and every theme was taken


def event_markets(event: Event) -> list[str]:
    """The register's markets (BE, FR) the event concerns, in the register's order."""
    countries = {event.country.upper()} if event.country else set()
    for partner in event.partners.select_related("ecosystem", "node__ecosystem"):
        countries.add(partner.home_ecosystem.country.upper())
    known = [m.value for m in Market]
    return [m for m in known if m in countries] or known


def event_theme_ids(event: Event) -> set[int] | None:
    """The event's themes with all their sub-themes; None when the event has no theme."""
    roots = set(event.themes.values_list("pk", flat=True))
    if not roots:
        return None
    children: dict[int, list[int]] = {}
    for pk, parent_id in Theme.objects.filter(parent__isnull=False).values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found, todo = set(), list(roots)
    while todo:
        pk = todo.pop()
        if pk not in found:
            found.add(pk)
            todo.extend(children.get(pk, []))
    return found


def needs_for_event(user, event: Event, *, limit: int = 20) -> EventNeeds | None:
    """The market needs recorded for the event's themes and markets, by theme and market, the most
    expressed first (then the most recently observed); None when `user` may not read the register."""
    if not user.has_perm("opportunities.view_marketneed"):
        return None
    markets = event_markets(event)
    theme_ids = event_theme_ids(event)
    qs = MarketNeed.objects.filter(market__in=markets)
    if theme_ids is not None:
        qs = qs.filter(theme_id__in=theme_ids)
    groups = list(qs.values("theme_id", "market").annotate(n=Count("id"), last=Max("observed_on")).order_by())
    themes = Theme.objects.in_bulk({g["theme_id"] for g in groups})
    groups.sort(
        key=lambda g: (-g["n"], -g["last"].toordinal(), themes[g["theme_id"]].label.casefold(), g["market"])
    )
    shown = groups[:limit]
    sectors: dict[tuple[int, str], set[str]] = {}
    if shown:
        for theme_id, market, sector in (
            qs.filter(theme_id__in={g["theme_id"] for g in shown})
            .exclude(sector="")
            .values_list("theme_id", "market", "sector")
            .distinct()
        ):
            sectors.setdefault((theme_id, market), set()).add(sector.strip())
    proposed = set(
        event.proposals.filter(kind=Proposal.Kind.THEME, status__in=OPEN_STATUSES).values_list(
            "theme_id", flat=True
        )
    )
    rows = [
        NeedRow(
            theme=themes[g["theme_id"]],
            market=g["market"],
            count=g["n"],
            last_observed=g["last"],
            sectors=sorted(sectors.get((g["theme_id"], g["market"]), set()), key=str.casefold),
            proposed=g["theme_id"] in proposed,
        )
        for g in shown
    ]
    return EventNeeds(rows=rows, total=len(groups), markets=markets, themed=theme_ids is not None)
