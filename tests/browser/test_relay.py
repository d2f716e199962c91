"""A relay across the network in a real browser: French Tech Brussels' staff relay a Paris opportunity
to AWEX; Digital Wallonia's staff (AWEX has none of its own) get the e-mail over real SMTP, share it
with AWEX's community from the node's relays page, and a visitor finds it on AWEX's page with where it
came from. Every page is checked with axe-core."""

import pytest
from playwright.sync_api import expect

from jumelage.relay.models import Relay
from tests.browser.helpers import axe_check, login, visit
from tests.opportunities.helpers import make_opportunity

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.usefixtures("immediate_tasks"),
]

TITLE = "Capteurs de qualité de l’air pour bus"


def test_relay_an_opportunity_share_it_and_find_it_on_the_receiving_node(new_page, world, smtp):
    dw_staff = world.users["ecosystem_staff"]
    dw_staff.email, dw_staff.language = "dw@example.org", "fr"
    dw_staff.save()
    opportunity = make_opportunity(world, title=TITLE)

    # 1. French Tech Brussels' staff relay it to AWEX from the opportunity's page.
    sender = new_page(locale="en-GB")
    login(sender, "ftbxl-staff", next_path=f"/opportunities/{opportunity.pk}/")
    with sender.expect_navigation():
        sender.get_by_role("button", name="Relay to other nodes on behalf of French Tech Brussels").click()
    axe_check(sender)
    expect(sender.get_by_role("heading", level=1)).to_have_text(f"Relay “{TITLE}”")
    with sender.expect_navigation():
        sender.get_by_role("button", name="Relay", exact=True).click()  # nothing chosen
    axe_check(sender)
    expect(sender.locator(".error")).to_have_text("Choose at least one node to relay to.")
    sender.get_by_label("AWEX").check()
    sender.get_by_label("Message to their staff").fill("Pour les membres mobilité de l’AWEX.")
    with sender.expect_navigation():
        sender.get_by_role("button", name="Relay", exact=True).click()
    axe_check(sender)
    expect(sender.get_by_role("status")).to_contain_text("Relayed to 1 node: AWEX.")
    relay = Relay.objects.get()
    assert (relay.from_node, relay.to_node, relay.status) == (world.ftbxl, world.awex, "pending")
    [mail] = smtp.to("dw@example.org")
    assert mail.subject == f"French Tech Brussels relaie «\u00a0{TITLE}\u00a0»"

    # 2. Digital Wallonia's staff share it with AWEX's community, in French.
    receiver = new_page(locale="fr-BE")
    login(receiver, "dw-staff", next_path="/nodes/awex/relays/")
    expect(receiver.get_by_role("heading", level=1)).to_have_text("Relais du pôle AWEX")
    expect(receiver.locator(".relays")).to_contain_text("Pour les membres mobilité de l’AWEX.")
    with receiver.expect_navigation():
        receiver.get_by_role("button", name="Partager avec notre communauté").click()
    axe_check(receiver)
    expect(receiver.get_by_role("status")).to_contain_text("est partagé avec la communauté du pôle AWEX")
    relay.refresh_from_db()
    assert relay.status == "shared"

    # 3. A visitor finds it on AWEX's page, with where it came from.
    visitor = new_page(locale="en-GB")
    visit(visitor, "/nodes/awex/")
    listed = visitor.locator("ul.relayed")
    expect(listed.get_by_role("link", name=TITLE)).to_be_visible()
    expect(listed).to_contain_text("relayed by French Tech Brussels")
