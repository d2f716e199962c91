"""Export of the (filtered) directory to CSV and XLSX, on the web and on the command line."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import translation
from openpyxl import load_workbook

from jumelage.directory import exporting, importing
from jumelage.directory.models import Membership
from tests import factories


@pytest.fixture(autouse=True)
def _english(settings):
    with translation.override("en"):
        yield


@pytest.fixture
def evil(world):
    theme = factories.ThemeFactory(code="smart-city")
    org = factories.OrganisationFactory(
        name='=HYPERLINK("http://evil.example","click")',
        slug="evil",
        country="BE",
        city="+32 Namur",
        tagline_fr="@SUM(A1)",
        description_fr="-2+3",
        street="\tTab street",
        aliases=["Evil Co", "Mal"],
    )
    org.themes.add(theme)
    Membership.objects.create(organisation=org, ecosystem=world.wallonia, node=world.awex)
    return org


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_csv_export_neutralises_formulas_and_uses_the_import_columns(world, evil):
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get("/directory/export.csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="jumelage-directory-')
    rows = csv_rows(response)
    assert rows[0] == importing.ORGANISATION_COLUMNS
    by_name = {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    row = by_name['\'=HYPERLINK("http://evil.example","click")']
    assert row["city"] == "'+32 Namur"
    assert row["tagline_fr"] == "'@SUM(A1)"
    assert row["description_fr"] == "'-2+3"
    assert row["street"] == "'\tTab street"
    assert row["aliases"] == "Evil Co|Mal" and row["themes"] == "smart-city"
    assert row["ecosystem"] == "digital-wallonia" and row["node"] == "awex"
    # Visibility: a visitor gets published organisations only.
    assert "Paris Deeptech" in by_name and "Unpublished Org" not in by_name


def test_export_applies_the_list_filters(world, evil):
    rows = csv_rows(Client(HTTP_ACCEPT_LANGUAGE="en").get("/directory/export.csv?country=FR"))
    assert [r[0] for r in rows[1:]] == ["Paris Deeptech"]

    rows = csv_rows(
        Client(HTTP_ACCEPT_LANGUAGE="en").get("/directory/export.csv?ecosystem=digital-wallonia&kind=startup")
    )
    assert sorted(r[0] for r in rows[1:]) == sorted(["'" + evil.name, "Wallonie Startup"])


def test_export_shows_what_the_user_may_see(world, client_factory):
    rows = csv_rows(client_factory(world.users["node_staff"]).get("/directory/export.csv"))
    assert "Unpublished Org" in [r[0] for r in rows[1:]]


def test_export_with_a_bad_filter_says_which(world):
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get("/directory/export.csv?kind=spaceship")

    assert response.status_code == 400
    assert "Unknown kind of organisation: “spaceship”." in response.content.decode()


def test_unknown_export_format_is_not_found(world):
    assert Client(HTTP_ACCEPT_LANGUAGE="en").get("/directory/export.pdf").status_code == 404


def test_xlsx_export_neutralises_formulas(world, evil):
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get("/directory/export.xlsx")

    assert response.status_code == 200
    assert response["Content-Type"] == exporting.CONTENT_TYPES["xlsx"]
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert list(rows[0]) == importing.ORGANISATION_COLUMNS
    evil_row = next(r for r in rows if r[0].startswith("'="))
    assert evil_row[0] == '\'=HYPERLINK("http://evil.example","click")'
    assert all(not (isinstance(v, str) and v.startswith(("=", "+", "-", "@"))) for r in rows for v in r)


def test_export_then_import_round_trip_finds_every_row_a_duplicate(world, tmp_path):
    path = tmp_path / "out.csv"
    call_command("export_directory", str(path), stdout=io.StringIO())

    plan = importing.plan_import(path, kind="organisations")

    assert plan.ok
    assert {(r.label, r.action) for r in plan.rows} == {
        ("Wallonie Startup", "skip"),
        ("Paris Deeptech", "skip"),
    }


def test_cli_export_with_filters(world, tmp_path):
    path = tmp_path / "fr.xlsx"
    out = io.StringIO()

    call_command("export_directory", str(path), "--country", "FR", stdout=out)

    assert "Exported 1 organisation(s)" in out.getvalue()
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["Paris Deeptech"]


def test_cli_export_as_a_user_and_bad_input(world, tmp_path):
    path = tmp_path / "all.csv"
    call_command("export_directory", str(path), "--user", "admin", stdout=io.StringIO())
    assert "Unpublished Org" in path.read_text(encoding="utf-8")

    with pytest.raises(CommandError, match=r"must end in \.csv or \.xlsx"):
        call_command("export_directory", str(tmp_path / "out.pdf"))
    with pytest.raises(CommandError, match="--kind: Unknown kind of organisation"):
        call_command("export_directory", str(path), "--kind", "spaceship")
