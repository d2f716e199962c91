"""The opportunity pages speak French and Dutch too (catalog of this app: opportunities/locale)."""

from django.test import Client

from tests.opportunities.helpers import make_opportunity


def test_pages_in_french_and_dutch(world):
    opportunity = make_opportunity(world)
    french = Client(headers={"accept-language": "fr"}).get("/opportunities/").content.decode()
    assert "Opportunités de partenariat" in french and "demande technologique" in french.lower()
    dutch = (
        Client(headers={"accept-language": "nl"}).get(f"/opportunities/{opportunity.pk}/").content.decode()
    )
    assert "Uiterste datum" in dutch and "Voorgestelde partners" in dutch
