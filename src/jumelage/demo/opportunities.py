"""Demo opportunities and market needs, so the opportunity pages, the suggestions and the market-needs
chart have something to show.

They are NOT real: every title starts with "Demo", every summary says (in French and English) that the
opportunity is invented for the demonstration, and market needs are "expressed by" a "Demo" source. The publishing organisations
are real demo organisations (the shipped directory), picked by theme; nothing here claims they published
anything. Deadlines and dates are relative to the day the demo is loaded.

Idempotent: an opportunity whose title exists for its organisation is left as it is.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from jumelage.directory.models import Organisation, Theme
from jumelage.ecosystems.models import Ecosystem
from jumelage.opportunities import services
from jumelage.opportunities.models import MarketNeed, Opportunity

NOTE_FR = "Opportunité fictive, créée pour la démonstration de Jumelage : elle n’a pas été publiée par cette organisation."
NOTE_EN = "An invented opportunity, made for the Jumelage demo: this organisation did not publish it."

# (ecosystem slug of the publisher, kind, theme codes, title, summary, description in French, in English)
OPPORTUNITIES = [
    (
        "la-french-tech",
        "technology_request",
        "sensors-instrumentation mobility",
        "Demo — Capteurs de qualité de l’air pour les transports publics",
        "Recherche d’un partenaire wallon pour équiper bus et trams de capteurs.",
        "Nous cherchons une entreprise qui conçoit des capteurs de qualité de l’air et des plateformes de "
        "données pour équiper des bus et des trams, en Wallonie et en France.",
        "We are looking for a company designing air-quality sensors and data platforms for buses and trams.",
    ),
    (
        "digital-wallonia",
        "market_entry",
        "energy",
        "Demo — Atterrissage en France pour une plateforme d’énergie",
        "Une jeune pousse wallonne cherche un premier client industriel en France.",
        "Notre plateforme pilote la consommation d’énergie des PME. Nous cherchons un premier client et un "
        "partenaire de distribution dans les Hauts-de-France.",
        "Our platform manages the energy use of SMEs; we look for a first client and a distribution partner "
        "in northern France.",
    ),
    (
        "la-french-tech",
        "rnd_partner",
        "artificial-intelligence medtech",
        "Demo — Partenaire de recherche en intelligence artificielle pour la santé",
        "Projet collaboratif d’imagerie médicale, recherche d’un laboratoire belge.",
        "Nous préparons un projet de recherche en imagerie médicale assistée par intelligence artificielle "
        "et cherchons un laboratoire ou une université en Belgique.",
        "We prepare an AI-assisted medical imaging research project and look for a Belgian lab or university.",
    ),
    (
        "digital-wallonia",
        "technology_offer",
        "cybersecurity govtech",
        "Demo — Offre de cybersécurité pour les collectivités",
        "Audit et supervision de sécurité pour villes et intercommunales.",
        "Nous proposons l’audit et la supervision de la sécurité informatique des villes et des "
        "intercommunales, et cherchons des intégrateurs en France.",
        "We offer security audits and monitoring for cities and inter-municipal bodies, and look for "
        "integrators in France.",
    ),
    (
        "digital-wallonia",
        "investment",
        "mobility e-commerce",
        "Demo — Levée de fonds d’amorçage pour une solution logistique",
        "Recherche d’investisseurs d’amorçage des deux côtés de la frontière.",
        "Notre solution optimise la logistique du dernier kilomètre. Nous cherchons des investisseurs "
        "d’amorçage en Belgique et en France.",
        "Our last-mile logistics solution is raising a seed round from investors in Belgium and France.",
    ),
]

# (theme code fragment searched in theme codes, market, sector, evidence)
NEEDS = [
    ("energ", "FR", "Industrie", "Demo — des industriels demandent un pilotage fin de leur consommation."),
    ("energ", "BE", "PME", "Demo — des PME wallonnes cherchent des audits énergétiques automatisés."),
    ("health", "FR", "Hôpitaux", "Demo — des hôpitaux cherchent de l’imagerie assistée."),
    ("mobil", "BE", "Transport public", "Demo — les opérateurs veulent mesurer la qualité de l’air à bord."),
]


def _publisher(ecosystem: Ecosystem, themes: list[Theme], index: int) -> Organisation | None:
    """A published member of `ecosystem`, one working on `themes` when there is one."""
    members = Organisation.objects.filter(memberships__ecosystem=ecosystem, published=True)
    for qs in (members.filter(themes__in=themes), members):
        qs = qs.distinct().order_by("name", "pk")
        count = qs.count()
        if count:
            return qs[index % count]
    return None


def load_demo_opportunities() -> int:
    """Create the demo opportunities and market needs that are missing. Returns how many opportunities
    were created."""
    created = 0
    today = timezone.localdate()
    for index, (eco_slug, kind, codes, title, summary, text_fr, text_en) in enumerate(OPPORTUNITIES):
        ecosystem = Ecosystem.objects.filter(slug=eco_slug).first()
        themes = list(Theme.objects.filter(code__in=codes.split()))
        organisation = _publisher(ecosystem, themes, index) if ecosystem else None
        if organisation is None or Opportunity.objects.filter(title=title).exists():
            continue
        services.create_opportunity(
            actor=None,
            organisation=organisation,
            data={
                "kind": kind,
                "title": title,
                # The note goes in the summary, which matchmaking does not read: demo opportunities must
                # not match each other on their shared disclaimer.
                "summary": f"{summary} {NOTE_FR} {NOTE_EN}",
                "description_fr": text_fr,
                "description_en": text_en,
                "deadline": today + timedelta(days=30 + 15 * index),
                "visibility": "public",
            },
            themes=themes or list(organisation.themes.all()[:3]),
            publish=True,
        )
        created += 1
    for offset, (fragment, market, sector, evidence) in enumerate(NEEDS):
        theme = Theme.objects.filter(code__icontains=fragment).order_by("code").first()
        if theme is None or MarketNeed.objects.filter(evidence=evidence).exists():
            continue
        services.record_market_need(
            actor=None,
            data={
                "theme": theme,
                "market": market,
                "sector": sector,
                "expressed_by": "Demo",
                "evidence": evidence,
                "observed_on": today - timedelta(days=40 * (offset + 1)),
            },
        )
    return created
