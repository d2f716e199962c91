"""Reading opportunities, interests, the pipeline and the market-needs register. Querysets start from
`visible_to(user)` so a forgotten filter shows less, not more; the rules in rules.py say the same."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from jumelage.directory.models import Theme
from jumelage.ecosystems.models import Ecosystem
from jumelage.ecosystems.rules import is_platform_admin, is_staff_anywhere
from jumelage.opportunities.models import (
    FINAL_STAGES,
    Interest,
    Introduction,
    Market,
    MarketNeed,
    Opportunity,
    Stage,
)
from jumelage.opportunities.rules import member_ecosystem_ids, represented_ids, staff_scope_q

MAX_QUERY_LENGTH = 200
_COUNTRY = re.compile(r"^[A-Za-z]{2}$")


def managed_q(user, prefix: str = "") -> Q | None:
    """Opportunities (under `prefix`) the user manages: of organisations they represent or curate."""
    q = None
    ids = represented_ids(user)
    if ids:
        q = Q(**{f"{prefix}organisation_id__in": ids})
    scope = staff_scope_q(user, f"{prefix}organisation__")
    if scope is not None:
        q = scope if q is None else q | scope
    return q


def visible_to(user) -> QuerySet[Opportunity]:
    qs = Opportunity.objects.all()
    if is_platform_admin(user):
        return qs
    published = ~Q(status=Opportunity.Status.DRAFT)
    if not (user and user.is_authenticated):
        return qs.filter(published, visibility=Opportunity.Visibility.PUBLIC)
    if is_staff_anywhere(user):
        visible = published
    else:
        visible = published & Q(visibility=Opportunity.Visibility.PUBLIC)
        mine = member_ecosystem_ids(user)
        if mine:
            untargeted = ~Q(pk__in=Opportunity.target_ecosystems.through.objects.values("opportunity_id"))
            visible |= (
                published
                & Q(visibility=Opportunity.Visibility.MEMBERS)
                & (
                    untargeted
                    | Q(target_ecosystems__in=mine)
                    | Q(organisation__memberships__ecosystem_id__in=mine)
                )
            )
    managed = managed_q(user)
    if managed is not None:
        visible |= managed
    return qs.filter(pk__in=Opportunity.objects.filter(visible).values("pk"))


def managed_by(user) -> QuerySet[Opportunity]:
    if is_platform_admin(user):
        return Opportunity.objects.all()
    q = managed_q(user)
    if q is None:
        return Opportunity.objects.none()
    return Opportunity.objects.filter(pk__in=Opportunity.objects.filter(q).values("pk"))


class FilterError(ValueError):
    def __init__(self, param: str, message: str):
        super().__init__(message)
        self.param = param
        self.message = message


@dataclass
class Filters:
    values: dict[str, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.values)


FILTER_PARAMS = ("q", "kind", "theme", "ecosystem", "country", "status")


def filter_opportunities(qs: QuerySet[Opportunity], params: Mapping) -> tuple[QuerySet[Opportunity], Filters]:
    """Apply the list filters (page and API share them). An unknown value raises FilterError."""
    active = Filters()
    q = (params.get("q") or "").strip()
    if q:
        if len(q) > MAX_QUERY_LENGTH:
            raise FilterError(
                "q", _("The search is too long (at most %(n)s characters).") % {"n": MAX_QUERY_LENGTH}
            )
        active.values["q"] = q
        for word in q.split()[:10]:
            qs = qs.filter(
                Q(title__icontains=word)
                | Q(summary__icontains=word)
                | Q(description_fr__icontains=word)
                | Q(description_nl__icontains=word)
                | Q(description_en__icontains=word)
                | Q(organisation__name__icontains=word)
            )
    kind = (params.get("kind") or "").strip()
    if kind:
        if kind not in Opportunity.Kind.values:
            raise FilterError("kind", _("Unknown kind of opportunity: “%(value)s”.") % {"value": kind})
        active.values["kind"] = kind
        qs = qs.filter(kind=kind)
    status = (params.get("status") or "").strip()
    if status:
        if status not in Opportunity.Status.values:
            raise FilterError("status", _("Unknown status: “%(value)s”.") % {"value": status})
        active.values["status"] = status
        qs = qs.filter(status=status)
    theme = (params.get("theme") or "").strip()
    if theme:
        found = Theme.objects.filter(code=theme).first()
        if found is None:
            raise FilterError("theme", _("Unknown theme: “%(value)s”.") % {"value": theme})
        active.values["theme"] = theme
        ids = {found.pk}
        frontier = {found.pk}
        while frontier:  # the theme and every theme below it
            frontier = set(Theme.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)) - ids
            ids |= frontier
        qs = qs.filter(
            pk__in=Opportunity.themes.through.objects.filter(theme_id__in=ids).values("opportunity_id")
        )
    ecosystem = (params.get("ecosystem") or "").strip()
    if ecosystem:
        eco = Ecosystem.objects.filter(slug=ecosystem).first()
        if eco is None:
            raise FilterError("ecosystem", _("Unknown ecosystem: “%(value)s”.") % {"value": ecosystem})
        active.values["ecosystem"] = ecosystem
        qs = qs.filter(
            pk__in=Opportunity.objects.filter(organisation__memberships__ecosystem=eco).values("pk")
        )
    country = (params.get("country") or "").strip()
    if country:
        if not _COUNTRY.match(country):
            raise FilterError("country", _("A country is a two-letter code, e.g. BE or FR."))
        active.values["country"] = country.upper()
        qs = qs.filter(organisation__country=country.upper())
    return qs, active


# --- Interests and the pipeline --------------------------------------------------------------------------


def interests_visible_to(user) -> QuerySet[Interest]:
    qs = Interest.objects.all()
    if is_platform_admin(user):
        return qs
    q = managed_q(user, "opportunity__")
    ids = represented_ids(user)
    if ids:
        mine = Q(organisation_id__in=ids)
        q = mine if q is None else q | mine
    scope = staff_scope_q(user, "organisation__")
    if scope is not None:
        q = scope if q is None else q | scope
    if q is None:
        return qs.none()
    return qs.filter(pk__in=Interest.objects.filter(q).values("pk"))


def introductions_visible_to(user) -> QuerySet[Introduction]:
    """Introductions the user may follow: those of organisations they represent, and for staff those of
    their own members (either side)."""
    qs = Introduction.objects.all()
    if is_platform_admin(user):
        return qs
    ids = represented_ids(user)
    parts = [Q(first_organisation_id__in=ids), Q(second_organisation_id__in=ids)] if ids else []
    for side in ("first_organisation__", "second_organisation__"):
        scope = staff_scope_q(user, side)
        if scope is not None:
            parts.append(scope)
    if not parts:
        return qs.none()
    q = parts[0]
    for part in parts[1:]:
        q |= part
    return qs.filter(pk__in=Introduction.objects.filter(q).values("pk"))


def pipeline_totals() -> list[dict]:
    """Cross-ecosystem totals: per ecosystem (of the step's attribution), how many partnerships
    reached each stage. Counts only, no names: every partner's staff may see them."""
    stages = [s for s in Stage]
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    from jumelage.opportunities.models import PipelineStep

    for row in PipelineStep.objects.values("ecosystem_id", "stage").annotate(n=Count("id")):
        counts[row["ecosystem_id"]][row["stage"]] = row["n"]
    out = []
    for eco in Ecosystem.objects.order_by("name"):
        out.append({"ecosystem": eco, "counts": [counts[eco.pk].get(s.value, 0) for s in stages]})
    return out


def stage_counts(qs: QuerySet[Introduction]) -> list[tuple[str, int]]:
    found = dict(qs.values_list("stage").annotate(n=Count("id")))
    return [(s.label, found.get(s.value, 0)) for s in Stage]


def open_introductions(qs: QuerySet[Introduction]) -> QuerySet[Introduction]:
    return qs.exclude(stage__in=FINAL_STAGES)


# --- Market needs ---------------------------------------------------------------------------------------


def needs_aggregate(qs: QuerySet[MarketNeed], *, by: str = "year") -> dict:
    """Needs counted by theme (rows) and market (series), plus by period and market for the trend.
    Returns the two charts' data for the `bar_chart` tag and the tables beside them."""
    markets = list(Market)
    by_theme: dict[str, dict[str, int]] = defaultdict(dict)
    for row in qs.values("theme_id", "market").annotate(n=Count("id")):
        by_theme[row["theme_id"]][row["market"]] = row["n"]
    labels = {t.pk: t.label for t in Theme.objects.filter(pk__in=list(by_theme))}
    theme_rows = sorted(
        ((labels.get(tid, "?"), [per.get(m.value, 0) for m in markets]) for tid, per in by_theme.items()),
        key=lambda r: (-sum(r[1]), r[0].casefold()),
    )
    by_period: dict[str, dict[str, int]] = defaultdict(dict)
    for market, observed in qs.values_list("market", "observed_on"):
        key = _period(observed, by)
        by_period[key][market] = by_period[key].get(market, 0) + 1
    period_rows = [(k, [by_period[k].get(m.value, 0) for m in markets]) for k in sorted(by_period)]
    series = [(f"market-{m.value.lower()}", str(m.label), m.value) for m in markets]
    description = _(
        "Number of market needs recorded, per Belgian and French market; the same figures are in the "
        "table below the chart."
    )
    return {
        "series": series,
        "charts": [
            {
                "id": "chart-needs-theme",
                "title": _("Market needs by theme"),
                "description": description,
                "series": series,
                "rows": theme_rows,
            },
            {
                "id": "chart-needs-period",
                "title": _("Market needs over time"),
                "description": description,
                "series": series,
                "rows": period_rows,
            },
        ],
    }


def _period(day: date, by: str) -> str:
    if by == "quarter":
        return f"{day.year} Q{(day.month - 1) // 3 + 1}"
    if by == "month":
        return f"{day.year}-{day.month:02d}"
    return str(day.year)
