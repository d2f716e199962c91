"""Matchmaking on the Django side: suggestions refreshed by tasks on save, shown with their
explanation on the opportunity and organisation pages, feedback, and the weekly digest."""

from jumelage.directory import services as directory_services
from jumelage.directory.models import Representative
from jumelage.matchmaking import service
from jumelage.matchmaking.models import DigestSubscription, Suggestion, SuggestionFeedback
from tests.factories import OrganisationFactory, UserFactory
from tests.opportunities.helpers import in_days, make_opportunity


def _profiles(world, themes):
    """The Belgian startup builds air-quality sensors for public transport; a Belgian neighbour works
    on the same theme; an unrelated French health company."""
    return _profiles_written(world, themes)


def _profiles_written(world, themes):
    directory_services.update_organisation(
        actor=world.users["admin"],
        organisation=world.be_org,
        data={"description_fr": "Nous concevons des capteurs de qualité de l’air pour les bus et les trams."},
        themes=[themes["mobility"]],
    )
    neighbour = OrganisationFactory(name="Liège Mobilité", slug="liege-mobilite", country="BE", city="Liège")
    neighbour.themes.set([themes["mobility"]])
    from jumelage.directory.models import Membership

    Membership.objects.create(organisation=neighbour, ecosystem=world.wallonia)
    health = OrganisationFactory(name="Lyon Santé", slug="lyon-sante", country="FR", city="Lyon")
    health.themes.set([themes["health"]])
    Membership.objects.create(organisation=health, ecosystem=world.frenchtech)
    return neighbour, health


def test_a_published_opportunity_is_suggested_to_the_matching_organisation_across_the_border(
    world, themes, client_factory, committed
):
    with committed():
        neighbour, health = _profiles(world, themes)
    with committed():  # the refresh task runs once the opportunity is committed
        opportunity = make_opportunity(world, themes=[themes["mobility"]])
    rows = Suggestion.objects.filter(
        subject_kind="opportunity", subject_id=opportunity.pk, target_kind="organisation"
    )
    suggested = [r.target_id for r in rows.order_by("rank")]
    assert world.be_org.pk in suggested
    assert health.pk not in suggested
    assert world.fr_org.pk not in suggested  # never its own publisher
    be_row = rows.get(target_id=world.be_org.pk)
    assert be_row.cross_border and be_row.score > 0
    # The cross-border match comes before the equally themed neighbour of the same side.
    if neighbour.pk in suggested:
        assert suggested.index(world.be_org.pk) < suggested.index(neighbour.pk)

    # On the opportunity's suggestions (what htmx loads into its page), with the explanation.
    page = client_factory().get(f"/opportunities/{opportunity.pk}/suggestions/?partial=1").content.decode()
    assert "Wallonie Startup" in page
    assert "shared themes: Mobility" in page
    assert "cross-border" in page

    # The new opportunity shows up in the Belgian startup's "suggested for you" too (cascade refresh).
    page = client_factory(world.users["representative"]).get("/organisations/wallonie-startup/suggestions/")
    body = page.content.decode()
    assert page.status_code == 200 and "Capteurs de qualité de l’air pour la mobilité urbaine" in body
    assert "Dismiss" in body  # its representative may give feedback

    # The API gives the same, best first.
    api = client_factory().get(f"/api/v1/opportunities/{opportunity.pk}/suggestions").json()
    assert api[0]["name"] == "Wallonie Startup" and "Mobility" in api[0]["explanation"]


def test_dismissed_suggestions_are_not_shown_again(world, themes, client_factory, committed):
    with committed():
        _profiles(world, themes)
    with committed():
        opportunity = make_opportunity(world, themes=[themes["mobility"]])
    row = Suggestion.objects.get(
        subject_kind="organisation",
        subject_id=world.be_org.pk,
        target_kind="opportunity",
        target_id=opportunity.pk,
    )
    client = client_factory(world.users["representative"])
    # Only those who manage the subject give feedback.
    assert (
        client_factory(world.users["member"])
        .post(f"/suggestions/{row.pk}/feedback/", {"verdict": "dismiss"})
        .status_code
        == 403
    )
    assert client.post(f"/suggestions/{row.pk}/feedback/", {"verdict": "maybe"}).status_code == 400
    response = client.post(f"/suggestions/{row.pk}/feedback/", {"verdict": "dismiss"}, follow=True)
    assert "it will not be suggested again" in response.content.decode()
    assert SuggestionFeedback.objects.get().verdict == "dismissed"
    page = client.get("/organisations/wallonie-startup/suggestions/").content.decode()
    assert "pour la mobilité urbaine" not in page
    # A refresh keeps it out: the engine learnt the dismissal.
    service.refresh("organisation", world.be_org.pk)
    assert not Suggestion.objects.filter(
        subject_kind="organisation",
        subject_id=world.be_org.pk,
        target_id=opportunity.pk,
        target_kind="opportunity",
    ).exists()


def test_suggestions_respect_what_the_viewer_may_see(world, themes, client_factory, committed):
    with committed():
        _profiles(world, themes)
    with committed():
        opportunity = make_opportunity(world, themes=[themes["mobility"]], visibility="staff")
    assert Suggestion.objects.filter(
        subject_kind="organisation", subject_id=world.be_org.pk, target_id=opportunity.pk
    ).exists()
    rep_page = client_factory(world.users["representative"]).get(
        "/organisations/wallonie-startup/suggestions/"
    )
    assert "pour la mobilité urbaine" not in rep_page.content.decode()
    staff_page = client_factory(world.users["ecosystem_staff"]).get(
        "/organisations/wallonie-startup/suggestions/"
    )
    assert "pour la mobilité urbaine" in staff_page.content.decode()


def test_an_organisation_profile_change_refreshes_its_suggestions(world, themes, committed):
    make_opportunity(world, themes=[themes["health"]], title="Dispositifs médicaux")
    assert not Suggestion.objects.filter(subject_kind="organisation", subject_id=world.be_org.pk).exists()
    with committed():
        directory_services.update_organisation(
            actor=world.users["admin"], organisation=world.be_org, data={}, themes=[themes["health"]]
        )
    assert Suggestion.objects.filter(
        subject_kind="organisation", subject_id=world.be_org.pk, target_kind="opportunity"
    ).exists()


def test_weekly_digest_is_opt_in_and_sends_only_new_matches(world, themes, client_factory, committed, smtp):
    from jumelage.matchmaking import tasks

    with committed():
        _profiles(world, themes)
    rep = world.users["representative"]
    with committed():
        make_opportunity(world, themes=[themes["mobility"]])
    assert tasks.send_digests() == 0  # nobody opted in
    client = client_factory(rep)
    client.post("/matchmaking/digest/", {"active": "on"})
    assert DigestSubscription.objects.get(user=rep).active
    assert tasks.send_digests() == 1
    [digest] = smtp.to(rep.email)
    assert "Capteurs de qualité de l’air pour la mobilité urbaine" in digest.text()
    assert "Wallonie Startup" in digest.text()
    assert tasks.send_digests() == 0  # nothing new since
    client.post("/matchmaking/digest/", {})
    assert not DigestSubscription.objects.get(user=rep).active


def test_text_in_another_language_still_matches(world, themes, committed):
    """An English text typed into the Dutch field: the engine detects the language itself."""
    other = OrganisationFactory(name="Ghent Air Sensors", slug="ghent-air", country="BE")
    from jumelage.directory.models import Membership

    Membership.objects.create(organisation=other, ecosystem=world.wallonia)
    directory_services.update_organisation(
        actor=world.users["admin"],
        organisation=other,
        data={"description_nl": "We build air quality sensors for buses and trams in Belgian cities."},
    )
    with committed():
        opportunity = make_opportunity(
            world,
            title="Air quality sensors wanted",
            summary="Sensors for buses",
            description_fr="",
            description_en="We are looking for air quality sensors to equip buses and trams.",
        )
    ids = set(
        Suggestion.objects.filter(
            subject_kind="opportunity", subject_id=opportunity.pk, target_kind="organisation"
        ).values_list("target_id", flat=True)
    )
    assert other.pk in ids


def test_digest_page_needs_login(world, client_factory):
    response = client_factory().get("/matchmaking/digest/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    user = UserFactory(username="lonely")
    page = client_factory(user).get("/matchmaking/digest/").content.decode()
    assert "You represent no organisation yet" in page
    Representative.objects.create(user=user, organisation=world.fr_org)


def test_a_market_need_an_organisation_expressed_feeds_its_suggestions(world, themes, committed):
    from jumelage.opportunities import services

    make_opportunity(world, themes=[themes["health"]], title="Dispositifs de télésurveillance")
    assert not Suggestion.objects.filter(subject_kind="organisation", subject_id=world.be_org.pk).exists()
    with committed():
        services.record_market_need(
            actor=world.users["ecosystem_staff"],
            data={
                "theme": themes["health"],
                "market": "BE",
                "organisation": world.be_org,
                "evidence": "Cherche une solution de télésurveillance des patients à domicile.",
                "observed_on": in_days(-3),
            },
        )
    rows = Suggestion.objects.filter(
        subject_kind="organisation", subject_id=world.be_org.pk, target_kind="opportunity"
    )
    assert rows.exists()
    assert any(r["code"] == "themes" for r in rows.get().reasons)


def test_many_saves_in_one_transaction_enqueue_one_sync(world, themes, committed, monkeypatch):
    from jumelage.matchmaking import tasks

    calls = []
    from types import SimpleNamespace

    monkeypatch.setattr(tasks, "sync_engine", SimpleNamespace(enqueue=lambda: calls.append("sync")))
    monkeypatch.setattr(
        tasks, "refresh_suggestions", SimpleNamespace(enqueue=lambda kind, pk: calls.append((kind, pk)))
    )
    with committed():
        for i in range(tasks.BULK_THRESHOLD + 5):
            OrganisationFactory(name=f"Bulk {i}", slug=f"bulk-{i}")
    assert calls == ["sync"]
    calls.clear()
    with committed():
        OrganisationFactory(name="Single", slug="single")
    assert len(calls) == 1 and calls[0][0] == "organisation"


def test_the_engine_follows_rows_written_by_other_processes(world, themes, committed):
    """A bulk write (an import: no signals) is picked up by the next sync of a running engine."""
    service.rebuild_engine()
    other = OrganisationFactory.build(name="Imported Mobility", slug="imported-mobility", country="BE")
    from jumelage.directory.models import Organisation

    Organisation.objects.bulk_create([other])
    imported = Organisation.objects.get(slug="imported-mobility")
    imported.themes.set([themes["mobility"]])
    Organisation.objects.filter(pk=imported.pk).update(description_fr="Capteurs pour bus et trams.")
    assert f"org-{imported.pk}" in service.get_engine(force_sync=True)


def test_at_least_half_of_the_suggestions_cross_the_border_when_relevant_ones_exist():
    from dataclasses import dataclass

    @dataclass
    class S:
        id: str
        score: float

    class Engine:
        docs = {}

        def get(self, doc_id):
            return self.docs.get(doc_id)

    @dataclass
    class D:
        ecosystem: str
        country: str = ""

    engine = Engine()
    engine.docs["src"] = D("dw")
    same = [S(f"same-{i}", 10 - i * 0.1) for i in range(12)]
    cross = [S(f"cross-{i}", 5 - i * 0.1) for i in range(8)]
    for s in same:
        engine.docs[s.id] = D("dw")
    for s in cross:
        engine.docs[s.id] = D("ft")
    chosen = service.favour_cross_border(engine, "src", same + cross)
    assert len(chosen) == service.K
    assert sum(s.id.startswith("cross") for s in chosen) == service.K // 2
    assert [s.score for s in chosen] == sorted((s.score for s in chosen), reverse=True)
    # Not enough cross-border candidates: all of them, the rest from the same side.
    chosen = service.favour_cross_border(engine, "src", same + cross[:2])
    assert sum(s.id.startswith("cross") for s in chosen) == 2
