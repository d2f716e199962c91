"""A staff member imports a CSV file with bad rows and reads the report: line, column and reason for
each bad row, nothing written. The check runs in a task worker while the page shows its progress."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from jumelage.directory.models import ImportJob, Organisation
from tests.browser.helpers import axe_check, login

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

CSV = (
    "name,kind,country,city,siren\n"
    "Nmrtec,startup,FR,Strasbourg,433572203\n"
    "Broken Siren,startup,FR,Paris,123\n"
    "Sans Pays,company,,Namur,\n"
    "=HYPERLINK(1),startup,BE,Liège,\n"
).encode()


def run_task_worker() -> None:
    """What `jumelage serve` runs beside the app server: process the queued tasks, then stop."""
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def test_staff_imports_a_file_with_bad_rows_and_reads_the_report(page, world):
    before = Organisation.objects.count()
    login(page, "dw-staff")
    page.get_by_role("navigation", name="Principale").get_by_role("link", name="Importer").click()
    page.wait_for_url("**/directory/import/")
    axe_check(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Importer des organisations et des personnes")

    page.get_by_label("Fichier (CSV ou XLSX)").set_input_files(
        files=[{"name": "membres.csv", "mimeType": "text/csv", "buffer": CSV}]
    )
    expect(page.get_by_label("Le fichier contient")).to_have_value("organisations")
    with page.expect_navigation():
        page.get_by_role("button", name="Vérifier le fichier").click()
    axe_check(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Import de membres.csv")
    job = ImportJob.objects.get()
    # Queued: the page shows a progress bar and polls for the outcome.
    expect(page.get_by_role("heading", name="Vérification du fichier…")).to_be_visible()
    expect(page.get_by_role("progressbar")).to_be_visible()

    run_task_worker()

    # The report replaces the progress bar without a reload.
    errors = page.get_by_role("table").filter(has=page.get_by_role("columnheader", name="Problème"))
    expect(errors).to_be_visible(timeout=10_000)
    axe_check(page)
    rows = errors.locator("tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0).locator("td")).to_have_text(["3", "siren", re.compile(r"SIREN.*123|123.*SIREN")])
    expect(rows.nth(1).locator("td")).to_have_text(["4", "country", "Ce champ ne peut pas être vide."])
    expect(rows.nth(2).locator("td")).to_have_text(
        [
            "5",
            "name",
            re.compile(
                r"«\s=HYPERLINK\(1\)\s» commence par «\s=\s», qu’un tableur exécuterait comme une formule"
            ),
        ]
    )
    summary = page.locator(".import-summary")
    expect(summary).to_contain_text("Lignes erronées")
    expect(page.get_by_role("button", name="Importer ces lignes")).to_have_count(0)
    expect(page.get_by_text("Corrigez le fichier et envoyez-le à nouveau")).to_be_visible()

    assert Organisation.objects.count() == before  # nothing half-written
    job.refresh_from_db()
    assert job.report["bad_rows"] == 3


def test_staff_previews_a_clean_file_then_imports_it(page, world):
    login(page, "dw-staff", next_path="/directory/import/")
    page.get_by_label("Fichier (CSV ou XLSX)").set_input_files(
        files=[
            {
                "name": "nouveaux.csv",
                "mimeType": "text/csv",
                "buffer": b"name,kind,country,city\nNamur Capteurs,startup,BE,Namur\nLiege Robots,company,BE,Liege\n",
            }
        ]
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Vérifier le fichier").click()
    axe_check(page)
    run_task_worker()
    sample = page.get_by_role("region", name="Premières lignes à créer")
    expect(sample).to_contain_text("ligne 2 : Namur Capteurs")
    axe_check(page)
    assert not Organisation.objects.filter(name="Namur Capteurs").exists()  # a preview writes nothing

    with page.expect_navigation():
        page.get_by_role("button", name="Importer ces lignes").click()
    axe_check(page)
    run_task_worker()
    expect(page.get_by_role("status").filter(has_text="Importé")).to_have_text(
        "Importé : 2 nouvelles fiches.", timeout=10_000
    )
    axe_check(page)

    # The new members are in the directory, in the staff member's ecosystem.
    page.get_by_role("link", name="Annuaire", exact=True).click()
    page.wait_for_url("**/directory/")
    axe_check(page)
    page.get_by_label("Écosystème", exact=True).select_option("digital-wallonia")
    expect(page.locator("#directory-results ol.results h3")).to_have_text(
        ["Liege Robots", "Namur Capteurs", "Wallonie Startup"]
    )
    axe_check(page)
