"""`jumelage import` (the import_directory command): dry run, commit, progress bar, errors."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from jumelage.core.models import AuditLog
from jumelage.directory.models import Membership, Organisation
from jumelage.ecosystems.models import Ecosystem

CSV = (
    "name;kind;country;city;siren;ecosystem\n"
    "Nmrtec;startup;FR;Strasbourg;433572203;la-french-tech\n"
    "Exemple Namurois;company;BE;Namur;;\n"
    "Nmrtec;startup;FR;Strasbourg;433572203;la-french-tech\n"
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def ecosystems(db):
    Ecosystem.objects.create(name="La French Tech", short_name="FT", slug="la-french-tech", country="FR")
    return Ecosystem.objects.create(
        name="Digital Wallonia", short_name="DW", slug="digital-wallonia", country="BE"
    )


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("import_directory", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_dry_run_prints_the_report_and_a_progress_bar(ecosystems, tmp_path):
    path = tmp_path / "orgs.csv"
    path.write_text(CSV, encoding="utf-8")

    out, err = run(str(path))

    assert "orgs.csv: 3 row(s) (CSV, UTF-8, delimiter ';')" in out
    assert "to create: 2, to update: 0, duplicates skipped: 1, bad rows: 0" in out
    assert "line 4: skip 'Nmrtec': same SIREN as line 2 (Nmrtec)" in out
    assert "Dry run: nothing was written." in out
    assert "checking: 100%" in err and "3/3" in err
    assert Organisation.objects.count() == 0


def test_commit_imports_everything_with_memberships(ecosystems, tmp_path):
    path = tmp_path / "orgs.csv"
    path.write_text(CSV, encoding="utf-8")

    out, err = run(str(path), "--commit", "--ecosystem", "digital-wallonia")

    assert "Imported 2 new organisations, updated 0, skipped 1 duplicate(s)." in out
    assert "writing: 100%" in err
    assert set(Membership.objects.values_list("organisation__name", "ecosystem__slug")) == {
        ("Nmrtec", "la-french-tech"),
        ("Exemple Namurois", "digital-wallonia"),
    }
    entry = AuditLog.objects.get(action="directory.import")
    assert entry.actor is None and entry.data["via"] == "cli"


def test_bad_rows_fail_the_command_and_write_nothing(ecosystems, tmp_path):
    path = tmp_path / "orgs.csv"
    path.write_text(CSV + "Broken;startup;FR;Paris;123;\n", encoding="utf-8")

    with pytest.raises(CommandError, match=r"1 bad row\(s\): nothing was imported"):
        run(str(path), "--commit")

    assert Organisation.objects.count() == 0


def test_bad_rows_are_printed(ecosystems, tmp_path):
    path = tmp_path / "orgs.csv"
    path.write_text(CSV + "Broken;startup;FR;Paris;123;\n", encoding="utf-8")
    out = StringIO()

    with pytest.raises(CommandError):
        call_command("import_directory", str(path), "--no-progress", stdout=out, stderr=StringIO())

    assert (
        "line 5, column siren: “123” is not a valid SIREN: it needs 9 digits that pass the Luhn check "
        "(SIREN '123' must have 9 digits)." in out.getvalue()
    )


def test_file_errors_and_bad_options(ecosystems, tmp_path):
    with pytest.raises(CommandError, match="File not found"):
        run(str(tmp_path / "missing.csv"))
    path = tmp_path / "orgs.csv"
    path.write_text(CSV, encoding="utf-8")
    with pytest.raises(CommandError, match="No ecosystem with the slug 'nowhere'"):
        run(str(path), "--ecosystem", "nowhere")
    with pytest.raises(CommandError, match="No user named 'ghost'"):
        run(str(path), "--user", "ghost")


def test_cli_entry_point_maps_import_to_the_command(ecosystems, tmp_path, capsys):
    from jumelage import cli

    path = tmp_path / "orgs.csv"
    path.write_text(CSV, encoding="utf-8")

    assert cli.main(["import", str(path), "--no-progress"]) == 0
    assert "Dry run: nothing was written." in capsys.readouterr().out


def test_people_import_on_the_command_line(ecosystems, tmp_path):
    org = Organisation.objects.create(name="Nmrtec", slug="nmrtec", kind="startup", country="FR")
    path = tmp_path / "people.csv"
    path.write_text("name,organisation,role,public_profile\nAlice Martin,nmrtec,CEO,oui\n", encoding="utf-8")

    out, _err = run(str(path), "--people", "--commit", "--no-progress")

    assert "Imported 1 new people" in out
    assert list(org.affiliations.values_list("person__name", "role", "person__public_profile")) == [
        ("Alice Martin", "CEO", True)
    ]
