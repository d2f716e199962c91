"""Role × route rows (tests/core/route_matrix.py) of the opportunities and matchmaking apps.

The world (build_world) has Wallonie Startup (be_org: Digital Wallonia member through AWEX, represented
by `representative`, curated by `ecosystem_staff`) and Paris Deeptech (fr_org: La French Tech member
through French Tech Brussels, curated by `node_staff`). `extend` adds:
- world.opportunity: a public published opportunity of Paris Deeptech, with a pending interest of
  Wallonie Startup (world.interest);
- world.draft_opportunity: a draft of Wallonie Startup;
- world.be_opportunity: a published opportunity of Wallonie Startup whose interest from Paris Deeptech
  was accepted (world.introduction);
- world.market_need, and world.suggestion (world.opportunity suggested to Wallonie Startup).
"""

from tests.core.route_matrix import LOGIN, REDIRECT, Row, admin_model_rows, every, roles

OPP = "opportunities/<int:pk>/"
HIDDEN_DRAFT = "Draft Matrix Opportunity"


def _who(visitor, member, representative, node_staff, ecosystem_staff, admin):
    return roles(
        visitor=visitor,
        member=member,
        representative=representative,
        node_staff=node_staff,
        ecosystem_staff=ecosystem_staff,
        admin=admin,
    )


# Representatives, staff and admins may publish; a member with no organisation may not.
PUBLISHERS = _who(LOGIN, 403, 200, 200, 200, 200)
# Paris Deeptech's opportunity is managed by French Tech Brussels staff and admins.
FR_MANAGERS = _who(LOGIN, 403, 403, 200, 403, 200)
REGISTER = _who(LOGIN, 403, 200, 200, 200, 200)

ROWS: list[Row] = [
    # --- pages --------------------------------------------------------------------------------------
    Row("opportunities/", "/opportunities/", every(200), shows="Matrix Opportunity"),
    Row("opportunities/", "/opportunities/?theme=no-such-theme", every(400), note="an unknown filter value"),
    Row("opportunities/new/", "/opportunities/new/", PUBLISHERS),
    Row(
        "opportunities/new/",
        "/opportunities/new/",
        _who(LOGIN, 403, 400, 400, 400, 400),
        method="POST",
        note="an empty form comes back with its errors",
    ),
    Row(OPP, "/opportunities/{w.opportunity.pk}/", every(200), shows="Matrix Opportunity"),
    Row(
        OPP,
        "/opportunities/{w.draft_opportunity.pk}/",
        _who(404, 404, 200, 404, 200, 200),
        shows=HIDDEN_DRAFT,
        hides=HIDDEN_DRAFT,
    ),
    Row(OPP, "/opportunities/999999/", every(404)),
    Row(OPP + "edit/", "/opportunities/{w.opportunity.pk}/edit/", FR_MANAGERS, shows="Matrix Opportunity"),
    Row(
        OPP + "edit/",
        "/opportunities/{w.opportunity.pk}/edit/",
        _who(LOGIN, 403, 403, 400, 403, 400),
        method="POST",
    ),
    Row(
        OPP + "edit/",
        "/opportunities/{w.draft_opportunity.pk}/edit/",
        _who(404, 404, 200, 404, 200, 200),
        hides=HIDDEN_DRAFT,
    ),
    Row(OPP + "status/", "/opportunities/{w.opportunity.pk}/status/", every(405)),
    Row(
        OPP + "status/",
        "/opportunities/{w.opportunity.pk}/status/",
        _who(403, 403, 403, 400, 403, 400),
        method="POST",
        note="no action given",
    ),
    Row(
        OPP + "interest/",
        "/opportunities/{w.opportunity.pk}/interest/",
        every(REDIRECT),
        note="a reload or language switch on the form with errors: back to the opportunity",
    ),
    Row(
        OPP + "interest/",
        "/opportunities/{w.opportunity.pk}/interest/",
        _who(403, 403, 400, 403, 403, 400),
        method="POST",
        note="representatives of another organisation (and superusers, who pass every permission): an "
        "empty message is refused",
    ),
    Row("interests/<int:pk>/decision/", "/interests/{w.interest.pk}/decision/", every(405)),
    Row(
        "interests/<int:pk>/decision/",
        "/interests/{w.interest.pk}/decision/",
        _who(403, 404, 403, 400, 403, 400),
        method="POST",
        note="the interested side sees it but only the publisher's side answers",
    ),
    Row("pipeline/", "/pipeline/", _who(LOGIN, 403, 200, 200, 200, 200)),
    Row(
        "introductions/<int:pk>/",
        "/introductions/{w.introduction.pk}/",
        _who(LOGIN, 404, 200, 200, 200, 200),
        shows="Matrix Belgian Offer",
    ),
    Row("introductions/<int:pk>/steps/", "/introductions/{w.introduction.pk}/steps/", every(405)),
    Row(
        "introductions/<int:pk>/steps/",
        "/introductions/{w.introduction.pk}/steps/",
        _who(403, 404, 400, 400, 400, 400),
        method="POST",
    ),
    Row("market-needs/", "/market-needs/", REGISTER, shows="Smart grids for SMEs"),
    Row("market-needs/new/", "/market-needs/new/", REGISTER),
    Row("market-needs/new/", "/market-needs/new/", _who(LOGIN, 403, 400, 400, 400, 400), method="POST"),
    # --- matchmaking pages ---------------------------------------------------------------------------
    Row("opportunities/<int:pk>/suggestions/", "/opportunities/{w.opportunity.pk}/suggestions/", every(200)),
    Row(
        "opportunities/<int:pk>/suggestions/",
        "/opportunities/{w.draft_opportunity.pk}/suggestions/",
        _who(404, 404, 200, 404, 200, 200),
        hides=HIDDEN_DRAFT,
    ),
    Row(
        "organisations/<slug:slug>/suggestions/",
        "/organisations/{w.be_org.slug}/suggestions/?partial=1",
        _who(200, 200, 200, 200, 200, 200),
        shows="Matrix Opportunity",
    ),
    Row(
        "organisations/<slug:slug>/suggestions/",
        "/organisations/{w.hidden.slug}/suggestions/",
        _who(404, 404, 404, 200, 404, 200),
        hides="Unpublished Org",
    ),
    Row("suggestions/<int:pk>/feedback/", "/suggestions/{w.suggestion.pk}/feedback/", every(405)),
    Row(
        "suggestions/<int:pk>/feedback/",
        "/suggestions/{w.suggestion.pk}/feedback/",
        _who(403, 403, 400, 403, 400, 400),
        method="POST",
        note="no verdict given",
    ),
    Row("matchmaking/digest/", "/matchmaking/digest/", _who(LOGIN, 200, 200, 200, 200, 200)),
    Row(
        "matchmaking/digest/",
        "/matchmaking/digest/",
        _who(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
        method="POST",
        data={"active": "on"},
    ),
    # --- API ----------------------------------------------------------------------------------------
    Row("api/v1/opportunities", "/api/v1/opportunities", every(200), shows="Matrix Opportunity"),
    Row(
        "api/v1/opportunities",
        "/api/v1/opportunities",
        _who(401, 403, 201, 403, 201, 201),
        method="POST",
        json=True,
        data={
            "organisation": "wallonie-startup",
            "kind": "business_offer",
            "title": "Matrix API Offer",
            "summary": "Made by the matrix",
            "description_fr": "Une offre.",
            "deadline": "2099-01-01",
            "publish": True,
        },
        shows="Matrix API Offer",
    ),
    Row(
        "api/v1/opportunities/<pk>",
        "/api/v1/opportunities/{w.opportunity.pk}",
        every(200),
        shows="Matrix Opportunity",
    ),
    Row(
        "api/v1/opportunities/<pk>",
        "/api/v1/opportunities/{w.draft_opportunity.pk}",
        _who(404, 404, 200, 404, 200, 200),
        hides=HIDDEN_DRAFT,
    ),
    Row(
        "api/v1/opportunities/<pk>",
        "/api/v1/opportunities/{w.opportunity.pk}",
        _who(401, 403, 403, 200, 403, 200),
        method="PATCH",
        json=True,
        data={"summary": "Changed by the matrix"},
        shows="Changed by the matrix",
    ),
    Row(
        "api/v1/opportunities/<pk>/interests",
        "/api/v1/opportunities/{w.opportunity.pk}/interests",
        _who(401, 403, 422, 403, 403, 403),
        method="POST",
        json=True,
        data={"organisation": "wallonie-startup", "message": "Again"},
        note="Wallonie Startup already expressed interest: refused with the reason",
    ),
    Row(
        "api/v1/interests/<pk>/decision",
        "/api/v1/interests/{w.interest.pk}/decision",
        _who(401, 404, 403, 200, 403, 200),
        method="POST",
        json=True,
        data={"accept": False},
        shows="declined",
    ),
    Row("api/v1/introductions", "/api/v1/introductions", _who(401, 200, 200, 200, 200, 200)),
    Row(
        "api/v1/introductions/<pk>/steps",
        "/api/v1/introductions/{w.introduction.pk}/steps",
        _who(401, 404, 422, 422, 422, 422),
        method="POST",
        json=True,
        data={"stage": "met", "happened_on": "2020-01-01"},
        note="dated before the introduction: refused with the reason",
    ),
    Row("api/v1/market-needs", "/api/v1/market-needs", _who(401, 403, 200, 200, 200, 200)),
    Row(
        "api/v1/market-needs",
        "/api/v1/market-needs",
        _who(401, 403, 422, 422, 422, 422),
        method="POST",
        json=True,
        data={
            "theme": "no-such-theme",
            "market": "BE",
            "expressed_by": "x",
            "evidence": "y",
            "observed_on": "2026-01-01",
        },
    ),
    Row(
        "api/v1/opportunities/<pk>/suggestions",
        "/api/v1/opportunities/{w.opportunity.pk}/suggestions",
        every(200),
    ),
    Row(
        "api/v1/organisations/<slug>/suggestions",
        "/api/v1/organisations/{w.be_org.slug}/suggestions",
        every(200),
        shows="Matrix Opportunity",
    ),
    # --- admin ------------------------------------------------------------------------------------------
    *admin_model_rows("opportunities/opportunity", obj="{w.opportunity.pk}"),
    *admin_model_rows("opportunities/marketneed", obj="{w.market_need.pk}"),
]


def extend(world):
    from datetime import date, timedelta

    from django.utils import timezone

    from jumelage.directory.models import Theme
    from jumelage.matchmaking.models import Suggestion
    from jumelage.opportunities import services
    from jumelage.opportunities.models import MarketNeed

    admin = world.users["admin"]
    deadline = timezone.localdate() + timedelta(days=60)
    base = {
        "kind": "technology_request",
        "summary": "For the matrix",
        "description_fr": "Texte.",
        "deadline": deadline,
    }
    world.opportunity = services.create_opportunity(
        actor=admin, organisation=world.fr_org, data={**base, "title": "Matrix Opportunity"}, publish=True
    )
    world.draft_opportunity = services.create_opportunity(
        actor=admin, organisation=world.be_org, data={**base, "title": HIDDEN_DRAFT}
    )
    world.be_opportunity = services.create_opportunity(
        actor=admin, organisation=world.be_org, data={**base, "title": "Matrix Belgian Offer"}, publish=True
    )
    world.interest = services.express_interest(
        actor=world.users["representative"],
        opportunity=world.opportunity,
        organisation=world.be_org,
        message="Hi",
    )
    accepted = services.express_interest(
        actor=admin, opportunity=world.be_opportunity, organisation=world.fr_org, message="Bonjour"
    )
    services.decide_interest(actor=world.users["representative"], interest=accepted, accept=True)
    accepted.refresh_from_db()
    world.introduction = accepted.introduction
    theme = Theme.objects.create(
        code="matrix-energy", label_fr="Énergie (matrice)", label_en="Energy (matrix)"
    )
    world.market_need = MarketNeed.objects.create(
        theme=theme,
        market="BE",
        sector="Smart grids for SMEs",
        expressed_by="Matrix",
        evidence="Seen by the matrix",
        observed_on=date(2026, 1, 15),
        recorded_by=admin,
    )
    world.suggestion = Suggestion.objects.create(
        subject_kind="organisation",
        subject_id=world.be_org.pk,
        target_kind="opportunity",
        target_id=world.opportunity.pk,
        score=1.0,
        cross_border=True,
        reasons=[{"code": "themes", "values": ["matrix-energy"], "text": "shared themes: matrix-energy"}],
    )
    return world
