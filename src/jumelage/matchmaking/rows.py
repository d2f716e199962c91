"""Rows → engine documents: published organisations (descriptions in FR/NL/EN, themes and their broader
themes, market needs they expressed, country, city, ecosystem, kind, stage, partners from past
introductions, network nodes) and published opportunities (title, descriptions, themes, owner,
offer/request, category, target countries), read in a few queries per batch."""

from __future__ import annotations

from collections import Counter, defaultdict

from django.db.models import Q

from jumelage.directory.models import Membership, Organisation, Theme
from jumelage.matchmaking.engine import Document, Text
from jumelage.matchmaking.models import OPPORTUNITY, ORGANISATION


def key(kind: str, pk: int) -> str:
    return f"{'org' if kind == ORGANISATION else 'opp'}-{pk}"


def parse_key(doc_id: str) -> tuple[str, int]:
    prefix, _sep, pk = doc_id.partition("-")
    return (ORGANISATION if prefix == "org" else OPPORTUNITY), int(pk)


CATEGORY = {
    "business_offer": "business",
    "business_request": "business",
    "technology_offer": "technology",
    "technology_request": "technology",
    "rnd_partner": "rnd",
    "investment": "investment",
    "market_entry": "market_entry",
    "talent": "talent",
}


class _Lookups:
    """What documents need beyond their own row, read in a few queries for a whole batch."""

    def __init__(self, org_ids: set[int] | None = None):
        if org_ids is not None and len(org_ids) > MAX_IN:
            org_ids = None  # everything: cheaper than thousands of parameters (and within SQLite's cap)
        themes = {t.pk: t for t in Theme.objects.only("pk", "code", "parent_id")}
        self.theme_code = {pk: t.code for pk, t in themes.items()}
        self.theme_parent = {pk: t.parent_id for pk, t in themes.items()}
        # Tuples, not model instances: a rebuild reads every row, and instances cost ten times more.
        memberships = Membership.objects.all()
        if org_ids is not None:
            memberships = memberships.filter(organisation_id__in=org_ids)
        self.ecosystem: dict[int, str] = {}
        self.groups: dict[int, set[str]] = defaultdict(set)
        for org_id, eco_slug, node_slug in memberships.order_by("id").values_list(
            "organisation_id", "ecosystem__slug", "node__slug"
        ):
            self.ecosystem.setdefault(org_id, eco_slug)
            if node_slug:
                self.groups[org_id].add(f"node:{node_slug}")
        self.partners: dict[int, Counter] = defaultdict(Counter)
        from jumelage.opportunities.models import Introduction

        pairs = Introduction.objects.values_list("second_organisation_id", "first_organisation_id")
        if org_ids is not None:
            pairs = pairs.filter(Q(second_organisation_id__in=org_ids) | Q(first_organisation_id__in=org_ids))
        for a, b in pairs:
            self.partners[a][key(ORGANISATION, b)] += 1
            self.partners[b][key(ORGANISATION, a)] += 1
        # Market needs an organisation expressed: their themes and evidence describe what it looks for.
        from jumelage.opportunities.models import MarketNeed

        self.need_themes: dict[int, set[int]] = defaultdict(set)
        self.need_texts: dict[int, list[str]] = defaultdict(list)
        needs = MarketNeed.objects.exclude(organisation=None)
        if org_ids is not None:
            needs = needs.filter(organisation_id__in=org_ids)
        for org_id, theme_id, evidence in needs.values_list("organisation_id", "theme_id", "evidence"):
            self.need_themes[org_id].add(theme_id)
            self.need_texts[org_id].append(evidence)

    def themes(self, theme_ids) -> dict[str, float]:
        """Codes of the themes, weight 1, and of their broader themes, weight 0.5."""
        out: dict[str, float] = {}
        for pk in theme_ids:
            code = self.theme_code.get(pk)
            if code is None:
                continue
            out[code] = 1.0
            parent, seen = self.theme_parent.get(pk), set()
            while parent is not None and parent not in seen:
                seen.add(parent)
                out.setdefault(self.theme_code[parent], 0.5)
                parent = self.theme_parent.get(parent)
        return out


def _texts(*items) -> list:
    # The field a text was typed in is a hint, not a fact (a "Dutch" description may be in English):
    # the engine detects each passage's language itself.
    return [Text(t) for t in items if t and t.strip()]


def _merge(own: dict[str, float], extra: dict[str, float], factor: float) -> dict[str, float]:
    out = dict(own)
    for code, weight in extra.items():
        out[code] = max(out.get(code, 0.0), weight * factor)
    return out


# Past this many ids, read whole tables and filter in Python: SQLite caps the parameters of a query.
MAX_IN = 5000


def _theme_ids(through, fk: str, ids) -> dict[int, list[int]]:
    out: dict[int, list[int]] = defaultdict(list)
    rows = through.objects.all() if len(ids) > MAX_IN else through.objects.filter(**{f"{fk}__in": ids})
    wanted = set(ids)
    for owner, theme in rows.values_list(fk, "theme_id"):
        if owner in wanted:
            out[owner].append(theme)
    return out


ORG_FIELDS = (
    "pk",
    "name",
    "tagline_fr",
    "description_fr",
    "description_nl",
    "description_en",
    "country",
    "city",
    "kind",
    "stage",
)


def organisation_documents(qs, lookups: _Lookups | None = None) -> list:
    rows = list(qs.values_list(*ORG_FIELDS))
    ids = [r[0] for r in rows]
    lookups = lookups or _Lookups(set(ids))
    themes = _theme_ids(Organisation.themes.through, "organisation_id", ids) if ids else {}
    return [
        Document(
            id=key(ORGANISATION, pk),
            kind="organisation",
            name=name,
            texts=_texts(tagline, d_fr, d_nl, d_en, *lookups.need_texts.get(pk, ())),
            themes=_merge(
                lookups.themes(themes.get(pk, ())), lookups.themes(lookups.need_themes.get(pk, ())), 0.5
            ),
            country=country,
            city=city,
            ecosystem=lookups.ecosystem.get(pk, ""),
            org_type=kind,
            stages=[stage] if stage else [],
            partners=dict(lookups.partners.get(pk, {})),
            groups=lookups.groups.get(pk, set()),
        )
        for pk, name, tagline, d_fr, d_nl, d_en, country, city, kind, stage in rows
    ]


OPP_FIELDS = (
    "pk",
    "title",
    "description_fr",
    "description_nl",
    "description_en",
    "kind",
    "target_countries",
    "organisation_id",
    "organisation__country",
    "organisation__city",
)


def opportunity_documents(qs, lookups: _Lookups | None = None) -> list:
    from jumelage.opportunities.models import Opportunity

    rows = list(qs.values_list(*OPP_FIELDS))
    ids = [r[0] for r in rows]
    lookups = lookups or _Lookups({r[7] for r in rows})
    themes = _theme_ids(Opportunity.themes.through, "opportunity_id", ids) if ids else {}
    probe = Opportunity()
    docs = []
    for pk, title, d_fr, d_nl, d_en, kind, countries, org_id, country, city in rows:
        probe.kind = kind
        docs.append(
            Document(
                id=key(OPPORTUNITY, pk),
                kind="opportunity",
                name=title,
                # The summary repeats the description (and holds the demo disclaimer): not indexed.
                texts=_texts(title, d_fr, d_nl, d_en),
                themes=lookups.themes(themes.get(pk, ())),
                country=country,
                city=city,
                ecosystem=lookups.ecosystem.get(org_id, ""),
                intent=probe.intent,
                category=CATEGORY.get(kind, ""),
                owner=key(ORGANISATION, org_id),
                groups=lookups.groups.get(org_id, set()),
                target_countries=countries or [],
            )
        )
    return docs


def eligible_organisations():
    return Organisation.objects.filter(published=True)


def eligible_opportunities():
    from jumelage.opportunities.models import Opportunity

    return Opportunity.objects.filter(status=Opportunity.Status.PUBLISHED, organisation__published=True)
