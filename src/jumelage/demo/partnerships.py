"""The demo partnership: Digital Wallonia × French Tech Brussels, built only from what the announcement
of 16 June 2017 says (../shared/brief: the three forms of the collaboration, the relay, the meeting
"à la rentrée" to settle the terms). Its actions are the ones announced, left "planned": Jumelage does
not know what became of them, and no date, status or meeting is invented. Idempotent."""

from __future__ import annotations

import datetime

from jumelage.ecosystems.models import Ecosystem, NetworkNode
from jumelage.partnerships import services
from jumelage.partnerships.models import Partnership

TITLE = "Digital Wallonia × French Tech Brussels"
SUMMARY = (
    "Demo: the collaboration announced on 16 June 2017 by the Agence du Numérique, as the announcement "
    "describes it; what became of it is not recorded here."
)
# French typography: a no-break space before ":" and ";"
TERMS_FR = """Collaboration annoncée le 16 juin 2017 entre l'écosystème Digital Wallonia et French Tech Brussels, sous trois formes :
- des participations conjointes à des événements et conférences à Bruxelles et en Wallonie (thèmes, orateurs, acteurs à mobiliser, entreprises et start-ups à valoriser) ;
- des partenariats business ou technologiques entre les écosystèmes numériques wallons et français, dans la suite des initiatives menées avec des régions françaises (Bretagne, Hauts-de-France, Nouvelle-Aquitaine) ;
- des actions communes lors d'événements internationaux où les deux sont présents, comme les missions de l'AWEX au CES de Las Vegas et au Mobile World Congress de Barcelone.
French Tech Brussels sert en outre de relais vers le réseau des communautés et hubs French Tech dans le monde. Un co-branding sur des événements et des actions n'implique pas un mélange.
Les deux parties devaient se revoir à la rentrée pour préciser les modalités et le contenu de leurs intérêts croisés."""
TERMS_EN = """Collaboration announced on 16 June 2017 between the Digital Wallonia ecosystem and French Tech Brussels, in three forms:
- joint participation in events and conferences in Brussels and Wallonia (themes, speakers, actors to mobilise, companies and startups to showcase);
- business or technology partnerships between the Walloon and French digital ecosystems, following the initiatives with French regions (Bretagne, Hauts-de-France, Nouvelle-Aquitaine);
- joint actions at international events where both are present, such as AWEX's missions to CES Las Vegas and Mobile World Congress Barcelona.
French Tech Brussels also relays to the worldwide network of French Tech communities and hubs. Co-branding on events and actions does not imply a merger.
The two parties were to meet again after the summer to settle the terms and content of their joint interests."""
ACTIONS = [
    ("Joint events and conferences in Brussels and Wallonia", None),
    ("Business and technology partnerships between the Walloon and French ecosystems", None),
    ("Joint presence at international events (AWEX missions to CES and Mobile World Congress)", "wallonia"),
    ("Relay to the worldwide network of French Tech communities and hubs", "ftbxl"),
]


def load_demo_partnership() -> int:
    """Create the demo partnership if it is missing. Returns 1 if it was created, else 0."""
    wallonia = Ecosystem.objects.filter(slug="digital-wallonia").first()
    ftbxl = NetworkNode.objects.filter(slug="french-tech-brussels").first()
    if wallonia is None or ftbxl is None or Partnership.objects.filter(title=TITLE).exists():
        return 0
    partnership = services.create_partnership(
        actor=None,
        data={
            "title": TITLE,
            "summary": SUMMARY,
            "status": Partnership.Status.ACTIVE,
            "signed_on": datetime.date(2017, 6, 16),
            "terms_fr": TERMS_FR,
            "terms_en": TERMS_EN,
        },
        brands=[wallonia, ftbxl],
    )
    parties = {
        "wallonia": partnership.parties.get(ecosystem=wallonia),
        "ftbxl": partnership.parties.get(node=ftbxl),
    }
    for title, owner in ACTIONS:
        services.add_action(
            actor=None,
            partnership=partnership,
            data={"title": title, "owner": parties.get(owner) if owner else None},
        )
    return 1
