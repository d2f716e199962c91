"""Factories with plain defaults, and `build_world`: the smallest setting in which every role exists."""

from datetime import timedelta
from types import SimpleNamespace

import factory
from django.contrib.auth import get_user_model

from jumelage.directory.models import Membership, Organisation, Representative, Theme
from jumelage.ecosystems.models import Ecosystem, EcosystemStaff, NetworkNode, NodeKind, NodeStaff

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class EcosystemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ecosystem

    name = factory.Sequence(lambda n: f"Ecosystem {n}")
    short_name = factory.Sequence(lambda n: f"E{n}")
    slug = factory.Sequence(lambda n: f"ecosystem-{n}")
    country = "BE"


class NodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NetworkNode

    ecosystem = factory.SubFactory(EcosystemFactory)
    kind = NodeKind.HUB
    name = factory.Sequence(lambda n: f"Node {n}")
    slug = factory.Sequence(lambda n: f"node-{n}")


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme

    code = factory.Sequence(lambda n: f"theme-{n}")
    label_fr = factory.Sequence(lambda n: f"Thème {n}")
    label_nl = factory.Sequence(lambda n: f"Thema {n}")
    label_en = factory.Sequence(lambda n: f"Theme {n}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = "startup"
    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")
    country = "BE"


def build_world() -> SimpleNamespace:
    wallonia = EcosystemFactory(
        name="Digital Wallonia", short_name="DW", slug="digital-wallonia", country="BE"
    )
    frenchtech = EcosystemFactory(name="La French Tech", short_name="FT", slug="la-french-tech", country="FR")
    awex = NodeFactory(ecosystem=wallonia, kind=NodeKind.EXPORT_AGENCY, name="AWEX", slug="awex")
    ftbxl = NodeFactory(
        ecosystem=frenchtech, kind=NodeKind.HUB, name="French Tech Brussels", slug="french-tech-brussels"
    )
    be_org = OrganisationFactory(name="Wallonie Startup", slug="wallonie-startup", country="BE", city="Namur")
    fr_org = OrganisationFactory(name="Paris Deeptech", slug="paris-deeptech", country="FR", city="Paris")
    hidden = OrganisationFactory(name="Unpublished Org", slug="unpublished-org", published=False)
    Membership.objects.create(organisation=be_org, ecosystem=wallonia, node=awex)
    Membership.objects.create(organisation=fr_org, ecosystem=frenchtech, node=ftbxl)
    Membership.objects.create(organisation=hidden, ecosystem=frenchtech, node=ftbxl)

    users = {
        "visitor": None,
        "member": UserFactory(username="member"),
        "representative": UserFactory(username="rep"),
        "node_staff": UserFactory(username="ftbxl-staff"),
        "ecosystem_staff": UserFactory(username="dw-staff"),
        "admin": UserFactory(username="admin", is_superuser=True, is_staff=True),
    }
    Representative.objects.create(user=users["representative"], organisation=be_org)
    NodeStaff.objects.create(user=users["node_staff"], node=ftbxl)
    EcosystemStaff.objects.create(user=users["ecosystem_staff"], ecosystem=wallonia)
    return SimpleNamespace(
        wallonia=wallonia,
        frenchtech=frenchtech,
        awex=awex,
        ftbxl=ftbxl,
        be_org=be_org,
        fr_org=fr_org,
        hidden=hidden,
        users=users,
    )


# --- Events ---------------------------------------------------------------------------------------------


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "events.Event"

    slug = factory.Sequence(lambda n: f"event-{n}")
    title = factory.Sequence(lambda n: f"Event {n}")
    kind = "conference"
    status = "published"
    starts_at = factory.LazyFunction(lambda: _in_days(30))
    ends_at = factory.LazyAttribute(lambda e: e.starts_at + timedelta(hours=8))
    city = "Bruxelles"
    country = "BE"
    languages = factory.LazyFunction(lambda: ["fr", "en"])
    capacity = 50


def _in_days(days: int):
    from django.utils import timezone

    return (timezone.now() + timedelta(days=days)).replace(hour=9, minute=0, second=0, microsecond=0)


def build_event(world, **fields):
    """A published public event led by Digital Wallonia with French Tech Brussels (a node of the other
    ecosystem) as co-organiser, in that agreed order."""
    from jumelage.events.models import EventPartner

    event = EventFactory(slug="smart-city-day", title="Smart City Day", kind="themed_day", **fields)
    EventPartner.objects.create(event=event, ecosystem=world.wallonia, role="lead", position=0)
    EventPartner.objects.create(event=event, node=world.ftbxl, role="co_organiser", position=1)
    return event
