"""The import core (jumelage.directory.importing): reading, row validation, duplicates, commit."""

import pytest
from django.utils import translation
from openpyxl import Workbook

from jumelage.core.models import AuditLog
from jumelage.directory import importing, queries
from jumelage.directory.models import Affiliation, Membership, Organisation, Person
from tests import factories

HEADER = "name,kind,country,city,website,siren,enterprise_number,vat_number,themes"
# Real identifiers with valid checks: SIREN 433572203 (NMRTEC, i-Lab laureate), 552100554 (a
# textbook-valid Luhn number); BCE 0403.170.701 passes mod-97.
GOOD_ROWS = [
    "Nmrtec,startup,FR,Strasbourg,http://www.nmrtec.com,433572203,,,",
    "Exemple Wallon,company,BE,Liège,https://exemple-wallon.be,,0403.170.701,BE0403170701,",
]


# The model's identifier validators: a translated sentence around the pure validator's precise reason.
SIREN_ERROR = "“{v}” is not a valid SIREN: it needs 9 digits that pass the Luhn check ({d})."
BCE_ERROR = (
    "“{v}” is not a valid Belgian enterprise number: it needs 10 digits starting with 0 or 1, "
    "the last two being the mod-97 check ({d})."
)
VAT_ERROR = "“{v}” is not a valid EU VAT number: it needs the country code and that country's format ({d})."


@pytest.fixture(autouse=True)
def _english(settings):
    with translation.override("en"):
        yield


def write(tmp_path, *lines, name="orgs.csv", encoding="utf-8", newline="\n") -> str:
    path = tmp_path / name
    path.write_bytes(newline.join(lines).encode(encoding) + newline.encode())
    return str(path)


def error_texts(plan) -> list[str]:
    return [str(e) for e in plan.errors]


def test_dry_run_previews_and_writes_nothing(world, tmp_path):
    path = write(tmp_path, HEADER, *GOOD_ROWS)
    before = Organisation.objects.count()

    plan = importing.plan_import(path, kind="organisations", ecosystem=world.wallonia)

    assert plan.ok
    assert [(r.line, r.action, r.label) for r in plan.rows] == [
        (2, "create", "Nmrtec"),
        (3, "create", "Exemple Wallon"),
    ]
    assert plan.encoding == "UTF-8" and plan.delimiter == ","
    assert Organisation.objects.count() == before


def test_commit_writes_rows_memberships_themes_and_one_audit_entry(world, tmp_path):
    theme = factories.ThemeFactory(code="smart-city")
    path = write(tmp_path, HEADER, GOOD_ROWS[0] + "smart-city", GOOD_ROWS[1])
    assert list(queries.filter_organisations(Organisation.objects.all(), {"q": "nmrtec"})[0]) == []

    plan = importing.commit_import(
        path, kind="organisations", actor=world.users["ecosystem_staff"], ecosystem=world.wallonia
    )

    assert plan.count("create") == 2
    nmrtec = Organisation.objects.get(siren="433572203")
    assert nmrtec.slug == "nmrtec" and nmrtec.website_domain == "nmrtec.com"
    assert list(nmrtec.themes.all()) == [theme]
    assert Organisation.objects.get(name="Exemple Wallon").enterprise_number == "0403.170.701"
    assert set(Membership.objects.filter(organisation=nmrtec).values_list("ecosystem__slug", "node")) == {
        ("digital-wallonia", None)
    }
    found, _active = queries.filter_organisations(Organisation.objects.all(), {"q": "nmrtec"})
    assert list(found) == [nmrtec]  # indexed for search, cached results dropped
    entry = AuditLog.objects.get(action="directory.import")
    assert entry.actor == world.users["ecosystem_staff"]
    assert entry.data["created"] == 2 and entry.data["file"] == "orgs.csv"


def test_semicolon_delimiter_bom_and_crlf(world, tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(b'\xef\xbb\xbfName;Kind;Country\r\n"Soci\xc3\xa9t\xc3\xa9; test";startup;be\r\n')

    plan = importing.plan_import(path, kind="organisations")

    assert plan.ok, error_texts(plan)
    assert plan.encoding == "UTF-8 (BOM)" and plan.delimiter == ";"
    assert plan.rows[0].obj.name == "Société; test" and plan.rows[0].obj.country == "BE"


def test_wrong_encoding_is_refused_naming_the_line(world, tmp_path):
    path = write(
        tmp_path, "name,kind,country", "Alpha,startup,BE", "Société Générale,company,FR", encoding="cp1252"
    )

    plan = importing.plan_import(path, kind="organisations")

    assert plan.file_error.startswith("Line 3 is not valid UTF-8 (byte 0xE9)")
    assert "CSV UTF-8" in plan.file_error
    assert plan.rows == []


def test_missing_required_columns_are_named(world, tmp_path):
    path = write(tmp_path, "name,city", "Alpha,Namur")

    plan = importing.plan_import(path, kind="organisations")

    assert "Missing required columns: “kind”, “country”." in plan.file_error


def test_unknown_column_is_refused_with_a_suggestion(world, tmp_path):
    path = write(tmp_path, "name,kind,country,sirne", "Alpha,startup,BE,433572203")

    plan = importing.plan_import(path, kind="organisations")

    assert "Unknown column “sirne” (did you mean “siren”?)." in plan.file_error
    assert "Known columns: name, kind" in plan.file_error


def test_wrong_column_count_is_a_row_error(world, tmp_path):
    path = write(
        tmp_path, "name,kind,country", "Alpha,startup,BE", "Beta,startup,BE,extra,cells", "Gamma,startup"
    )

    plan = importing.plan_import(path, kind="organisations")

    texts = error_texts(plan)
    assert "line 3: expected 3 columns, found 5 (check the delimiter and quotes)" in texts
    assert "line 4: expected 3 columns, found 2 (check the delimiter and quotes)" in texts
    assert [r.label for r in plan.rows] == ["Alpha"]


def test_bad_identifiers_are_reported_by_line_and_column(world, tmp_path):
    path = write(
        tmp_path,
        "name,kind,country,siren,enterprise_number,vat_number",
        "Short Siren,startup,FR,123,,",
        "Bad Luhn,startup,FR,433572204,,",
        "Bad Mod97,startup,BE,,0403.170.702,",
        "Bad Vat,startup,BE,,,BE12",
        "Unknown Vat Country,startup,BE,,,US123456789",
    )

    plan = importing.plan_import(path, kind="organisations")

    assert error_texts(plan) == [
        "line 2, column siren: " + SIREN_ERROR.format(v="123", d="SIREN '123' must have 9 digits"),
        "line 3, column siren: "
        + SIREN_ERROR.format(v="433572204", d="SIREN '433572204' fails its Luhn check"),
        "line 4, column enterprise_number: "
        + BCE_ERROR.format(v="0403.170.702", d="enterprise number '0403.170.702' fails its mod-97 check"),
        "line 5, column vat_number: "
        + VAT_ERROR.format(v="BE12", d="VAT number 'BE12' does not have the format of a BE VAT number"),
        "line 6, column vat_number: "
        + VAT_ERROR.format(
            v="US123456789", d="VAT number 'US123456789' must start with an EU country code such as BE or FR"
        ),
    ]
    assert plan.rows == []


def test_other_field_errors_name_the_column(world, tmp_path):
    path = write(
        tmp_path,
        "name,kind,country,founding_year,stage,themes,website",
        "Alpha,spaceship,Belgium,19x5,late,no-such-theme,http://",
        ",startup,BE,1700,,,",
    )

    plan = importing.plan_import(path, kind="organisations")

    texts = error_texts(plan)
    assert any(t.startswith("line 2, column kind: “spaceship” is not one of: ") for t in texts)
    assert "line 2, column country: “Belgium” must be a two-letter ISO 3166 code such as BE or FR" in texts
    assert "line 2, column founding_year: “19x5” is not a year" in texts
    assert any(t.startswith("line 2, column stage: “late” is not one of: ") for t in texts)
    assert "line 2, column themes: unknown theme code “no-such-theme”" in texts
    assert "line 2, column website: Enter a valid URL." in texts
    assert "line 3, column name: This field cannot be blank." in texts
    assert "line 3, column founding_year: Ensure this value is greater than or equal to 1800." in texts


@pytest.mark.parametrize("value", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)"])
def test_formula_cells_make_the_row_bad(world, tmp_path, value):
    path = write(tmp_path, "name,kind,country,city", f'"{value}",startup,BE,Namur', "Fine,startup,BE,Namur")

    plan = importing.plan_import(path, kind="organisations")

    assert len(plan.errors) == 1
    error = plan.errors[0]
    assert (error.line, error.column) == (2, "name")
    assert f"starts with “{value[0]}”, which a spreadsheet would run as a formula" in error.message


def test_one_bad_row_means_nothing_is_written(world, tmp_path):
    path = write(tmp_path, HEADER, *GOOD_ROWS, "Broken,startup,FR,Paris,,123,,,")
    before = (Organisation.objects.count(), Membership.objects.count(), AuditLog.objects.count())

    with pytest.raises(importing.ImportRejected) as caught:
        importing.commit_import(path, kind="organisations", ecosystem=world.frenchtech)

    assert error_texts(caught.value.plan) == [
        "line 4, column siren: " + SIREN_ERROR.format(v="123", d="SIREN '123' must have 9 digits")
    ]
    assert (Organisation.objects.count(), Membership.objects.count(), AuditLog.objects.count()) == before


def test_duplicates_against_the_directory_and_within_the_file(world, tmp_path):
    factories.OrganisationFactory(
        name="Nmrtec Holding", slug="nmrtec-holding", siren="433572203", country="FR"
    )
    factories.OrganisationFactory(
        name="Wallon Web", slug="wallon-web", website="https://www.wallon.be/fr/", website_domain="wallon.be"
    )
    path = write(
        tmp_path,
        HEADER,
        "NMR Tec,startup,FR,Strasbourg,,433572203,,,",  # same SIREN as Nmrtec Holding
        "Autre Nom,company,BE,Namur,http://wallon.be,,,,",  # same domain as Wallon Web
        "Paris Deeptech SAS,startup,FR,Paris,,,,,",  # world.fr_org is "Paris Deeptech"
        "Nouvelle Pousse,startup,BE,Mons,,,,,",
        "Nouvelle Pousse,startup,BE,Mons,,,,,",  # same as the previous line
        "Nouvelles Pousses,startup,BE,Mons,,,,,",  # near-identical name
        "Studio 2,startup,BE,Mons,,,,,",
        "Studio 3,startup,BE,Mons,,,,,",  # different number: not a duplicate
    )

    plan = importing.plan_import(path, kind="organisations")

    assert plan.ok
    summary = [(r.line, r.action, r.reason) for r in plan.rows]
    assert summary == [
        (2, "skip", "same SIREN as “Nmrtec Holding”, already in the directory"),
        (3, "skip", "same website domain as “Wallon Web”, already in the directory"),
        (4, "skip", "name nearly identical to “Paris Deeptech”, already in the directory"),
        (5, "create", ""),
        (6, "skip", "name nearly identical to line 5 (Nouvelle Pousse)"),
        (7, "skip", "name nearly identical to line 5 (Nouvelle Pousse)"),
        (8, "create", ""),
        (9, "create", ""),
    ]


def test_update_existing_changes_matched_organisations(world, tmp_path):
    path = write(
        tmp_path,
        "name,kind,country,city,enterprise_number",
        "Wallonie Startup SA,startup,BE,Liège,0403170701",
    )
    world.be_org.enterprise_number = "0403.170.701"
    world.be_org.save()

    plan = importing.commit_import(
        path, kind="organisations", actor=world.users["ecosystem_staff"], update_existing=True
    )

    assert [(r.action, r.label) for r in plan.rows] == [("update", "Wallonie Startup SA")]
    world.be_org.refresh_from_db()
    assert world.be_org.city == "Liège" and world.be_org.name == "Wallonie Startup SA"
    assert Organisation.objects.filter(enterprise_number="0403.170.701").count() == 1


def test_update_of_an_organisation_the_importer_does_not_curate_is_skipped(world, tmp_path):
    world.fr_org.siren = "433572203"
    world.fr_org.save()
    path = write(tmp_path, "name,kind,country,siren", "Paris Deeptech,startup,FR,433572203")

    plan = importing.plan_import(
        path, kind="organisations", actor=world.users["ecosystem_staff"], update_existing=True
    )

    assert plan.rows[0].action == "skip"
    assert plan.rows[0].reason.endswith("you may not change it")


def test_too_large_file_is_refused(world, tmp_path, settings):
    settings.IMPORT_MAX_BYTES = 1000
    path = tmp_path / "big.csv"
    with path.open("wb") as fh:  # sparse: 200 MB announced, nothing written to disk
        fh.truncate(200 * 1024 * 1024)

    plan = importing.plan_import(path, kind="organisations")

    assert plan.file_error == (
        "The file is 200.0\xa0MB; the largest file accepted is 1000\xa0bytes. Split it into smaller files."
    )


def _xlsx(tmp_path, rows) -> str:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    path = tmp_path / "orgs.xlsx"
    wb.save(path)
    return str(path)


def test_xlsx_import_with_numbers_and_a_formula_cell(world, tmp_path):
    path = _xlsx(
        tmp_path,
        [
            ["Name", "Kind", "Country", "SIREN", "Founding year"],
            ["Nmrtec", "startup", "FR", 433572203, 1999.0],
            [None, None, None, None, None],
            ["Calculée", "startup", "FR", "=1+1", None],
        ],
    )

    plan = importing.plan_import(path, kind="organisations")

    assert plan.file_format == "xlsx"
    assert [(r.line, r.obj.siren, r.obj.founding_year) for r in plan.rows] == [(2, "433572203", 1999)]
    assert error_texts(plan) == [
        "line 4, column siren: “=1+1” starts with “=”, which a spreadsheet would run as a formula; "
        "remove that character"
    ]


def test_not_an_xlsx_file_is_refused(world, tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 this is no zip")

    plan = importing.plan_import(path, kind="organisations")

    assert plan.file_error.startswith("This is not a readable XLSX file")


def test_node_staff_import_into_their_node_only(world, tmp_path):
    staff = world.users["node_staff"]  # French Tech Brussels only
    path = write(
        tmp_path,
        "name,kind,country,ecosystem,node",
        "Pousse Une,startup,FR,,",
        "Pousse Deux,startup,FR,la-french-tech,",
        "Pousse Trois,startup,BE,digital-wallonia,",
        "Pousse Quatre,startup,BE,,awex",
        "Pousse Cinq,startup,BE,nowhere,",
    )

    plan = importing.plan_import(path, kind="organisations", actor=staff)

    assert error_texts(plan) == [
        "line 4, column ecosystem: you are not staff of ecosystem “digital-wallonia”",
        "line 5, column node: you are not staff of node “awex”",
        "line 6, column ecosystem: no ecosystem has the slug “nowhere”",
    ]
    assert [(r.label, r.memberships) for r in plan.rows] == [
        ("Pousse Une", [(world.frenchtech.pk, world.ftbxl.pk)]),
        ("Pousse Deux", [(world.frenchtech.pk, world.ftbxl.pk)]),
    ]


def test_staff_cannot_choose_a_target_they_are_not_staff_of(world, tmp_path):
    path = write(tmp_path, "name,kind,country", "Alpha,startup,BE")

    plan = importing.plan_import(
        path, kind="organisations", actor=world.users["node_staff"], ecosystem=world.wallonia
    )

    assert plan.file_error == "You are not staff of ecosystem “Digital Wallonia”."


def test_people_import(world, tmp_path):
    theme = factories.ThemeFactory(code="ai")
    path = write(
        tmp_path,
        "name,organisation,role,languages,expertise,public_profile",
        "Alice Martin,wallonie-startup,CEO,fr|en,ai,yes",
        "Bob Peeters,Wallonie Startup,CTO,nl,,non",
        "Alice Martin,wallonie-startup,CEO,fr,,",
        "Carla,Nowhere Inc,,,,",
        "Dan,wallonie-startup,,french,,maybe",
        "Eve,paris-deeptech,,,,",
    )

    with pytest.raises(importing.ImportRejected) as caught:
        importing.commit_import(path, kind="people", actor=world.users["ecosystem_staff"])

    assert error_texts(caught.value.plan) == [
        "line 5, column organisation: no organisation “Nowhere Inc” in the directory",
        "line 6, column languages: “french” is not a two-letter language code such as fr",
        "line 6, column public_profile: “maybe” must be yes or no",
        "line 7, column organisation: you are not staff of an ecosystem or node “paris-deeptech” belongs to",
    ]
    assert Person.objects.count() == 0

    good = write(tmp_path, *path_lines(path)[:4], name="people.csv")
    plan = importing.commit_import(good, kind="people", actor=world.users["ecosystem_staff"])

    assert [(r.line, r.action) for r in plan.rows] == [(2, "create"), (3, "create"), (4, "skip")]
    alice = Person.objects.get(name="Alice Martin")
    assert alice.languages == ["fr", "en"] and alice.public_profile is True
    assert list(alice.expertise.all()) == [theme]
    assert set(Affiliation.objects.values_list("person__name", "organisation__slug", "role")) == {
        ("Alice Martin", "wallonie-startup", "CEO"),
        ("Bob Peeters", "wallonie-startup", "CTO"),
    }


def path_lines(path) -> list[str]:
    with open(path, encoding="utf-8") as fh:
        return fh.read().splitlines()


def test_a_conflict_appearing_during_the_commit_undoes_everything(world, tmp_path):
    path = write(tmp_path, HEADER, *GOOD_ROWS)
    before = Organisation.objects.count()

    def concurrent_change(phase, done, total):
        # Another writer takes the SIREN after the checks, before the rows are written.
        if phase == "validate" and done == total:
            factories.OrganisationFactory(name="Intruder", slug="intruder", siren="433572203", country="FR")

    with pytest.raises(importing.ImportRejected) as caught:
        importing.commit_import(path, kind="organisations", progress=concurrent_change)

    assert caught.value.plan.file_error.startswith("The database refused the import (")
    assert "Nothing was imported: run it again." in caught.value.plan.file_error
    assert Organisation.objects.count() == before
    assert not AuditLog.objects.filter(action="directory.import").exists()
