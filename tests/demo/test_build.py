"""scripts/build_demo_data.py on small files written here (the real ones live outside the project)."""

import csv
import gzip
import importlib.util
import json
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "build_demo_data.py"


@pytest.fixture(scope="module")
def build():
    spec = importlib.util.spec_from_file_location("build_demo_data", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CORDIS = [
    ("1", "UNIVERSITE DE NAMUR ASBL", "UNamur", "HES", "RUE DE BRUXELLES 61", "NAMUR", "BE"),
    ("2", "EUROCITIES ASBL", "EUROCITIES", "OTH", "SQUARE DE MEEUS 1", "BRUXELLES", "BE"),
    ("3", "UNIVERSITEIT GENT", "UGent", "HES", "SINT PIETERSNIEUWSTRAAT 25", "GENT", "BE"),
    ("4", "NOWHERE SPRL", "", "PRC", "RUE X 1", "ATLANTIS", "BE"),
    ("5", "CNRS", "CNRS", "REC", "RUE MICHEL ANGE 3", "PARIS CEDEX 16", "FR"),
    ("6", "BIGCO SAS", "BIG", "PRC", "RUE Y 2", "LANNION", "FR"),
    ("7", "In line with Article 21(4) of Regulation 1268/2012", "", "PRC", "", "", "BE"),
]
ILAB_COLUMNS = [
    "name",
    "website",
    "region",
    "country",
    "description_short_fr",
    "description_long_fr",
    "sectors",
    "is_digital",
    "ilab_years",
    "ilab_grand_prix_years",
    "research_structures",
    "siren",
    "scanr_url",
]
ILAB = [
    (
        "BIGCO",
        "http://bigco.example.fr",
        "Bretagne",
        "France",
        "Des puces",
        "Fondée par Jean Dupont…",
        "Électronique, Signal & Télécommunications",
        "yes",
        "2008",
        "",
        "Lab A,Lab B, C et D",
        "507620557",
        "",
    ),
    (
        "BADSIREN",
        "",
        "Occitanie",
        "France",
        "Un logiciel",
        "",
        "Informatique, logiciel & TIC",
        "yes",
        "2001|2003",
        "2003",
        "",
        "123456789",
        "",
    ),
    (
        "BIOTECHONLY",
        "",
        "Occitanie",
        "France",
        "Une molécule",
        "",
        "Biotechnologies et pharmacie",
        "no",
        "2010",
        "",
        "",
        "",
        "",
    ),
]


def write_inputs(root: Path):
    (root / "directory").mkdir(parents=True)
    with (root / "directory" / "cordis_h2020_2017_orgs_BE_FR.csv").open(
        "w", newline="", encoding="utf-8"
    ) as fh:
        w = csv.writer(fh)
        w.writerow(
            [
                "pic",
                "name",
                "shortName",
                "activityType",
                "street",
                "city",
                "country",
                "numProjects",
                "numPartners",
                "totMoney",
            ]
        )
        for row in CORDIS:
            w.writerow([*row, "2", "10", "1.5e+05"])
    with (root / "directory" / "ilab_laureates_FR.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(ILAB_COLUMNS)
        w.writerows(ILAB)


def test_build_maps_regions_kinds_themes_and_drops_bad_identifiers(build, tmp_path, capsys):
    write_inputs(tmp_path / "data")
    out = tmp_path / "out"
    out.mkdir()
    assert build.main(["--data", str(tmp_path / "data"), "--out", str(out)]) == 0

    payload = json.loads(gzip.decompress((out / "organisations.json.gz").read_bytes()))
    orgs = {o["name"]: o for o in payload["organisations"]}
    stats = payload["stats"]
    # Wallonia and Brussels go to Digital Wallonia; Flanders and what cannot be placed are left out
    assert orgs["UNIVERSITE DE NAMUR ASBL"]["region"] == "Wallonie"
    assert orgs["UNIVERSITE DE NAMUR ASBL"]["kind"] == "university"
    assert orgs["EUROCITIES ASBL"]["region"] == "Bruxelles-Capitale"
    assert orgs["EUROCITIES ASBL"]["kind"] == "support"
    assert {o["ecosystem"] for o in orgs.values() if o["country"] == "BE"} == {"digital-wallonia"}
    assert "UNIVERSITEIT GENT" not in orgs and "NOWHERE SPRL" not in orgs
    assert (
        stats["cordis_be_flanders_left_out"],
        stats["cordis_be_unplaced"],
        stats["cordis_skipped_unnamed"],
    ) == (1, 1, 1)
    # French side: CORDIS (region only where the city is certain) and digital i-Lab laureates
    assert orgs["CNRS"]["kind"] == "research_lab" and orgs["CNRS"]["region"] == "Île-de-France"
    assert orgs["CNRS"]["ecosystem"] == "la-french-tech"
    assert "BIOTECHONLY" not in orgs  # not digital
    # the same company in both sources is one record, with the i-Lab tagline and the CORDIS PIC
    bigco = orgs["BIGCO"]
    assert "BIGCO SAS" not in orgs
    assert (bigco["kind"], bigco["eu_pic"], bigco["city"], bigco["siren"]) == (
        "startup",
        "6",
        "LANNION",
        "507620557",
    )
    assert bigco["tagline_fr"] == "Des puces"
    assert "description_fr" not in bigco  # the long summary can name founders: not shipped
    assert bigco["themes"] == ["electronics", "telecom"]
    assert bigco["extra"]["ilab"] == {
        "years": [2008],
        "grand_prix_years": [],
        "research_structures": ["Lab A", "Lab B, C et D"],
    }
    # a SIREN failing its Luhn check is dropped and counted; the organisation stays
    assert orgs["BADSIREN"]["siren"] == "" and stats["ilab_bad_siren_dropped"] == 1
    assert orgs["BADSIREN"]["extra"]["ilab"]["grand_prix_years"] == [2003]
    assert payload["credits"] == [
        "Source: CORDIS, European Commission (2017 extract); transformed.",
        "MESR – Lauréats i-Lab, Licence Ouverte v2.0",
    ]
    assert "ilab_bad_siren_dropped" in capsys.readouterr().out


def test_build_refuses_an_unmapped_sector(build, tmp_path):
    write_inputs(tmp_path / "data")
    path = tmp_path / "data" / "directory" / "ilab_laureates_FR.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace("Informatique, logiciel & TIC", "Astrologie"),
        encoding="utf-8",
    )
    with pytest.raises(SystemExit, match="'Astrologie' is not in ILAB_SECTOR_THEMES"):
        build.main(["--data", str(tmp_path / "data"), "--out", str(tmp_path)])


def test_belgian_region_rules(build):
    assert build.belgian_region("1050 Ixelles") == "Bruxelles-Capitale"
    assert build.belgian_region("1348 Louvain-la-Neuve") == "Wallonie"
    assert build.belgian_region("4000 Liège") == "Wallonie"
    assert build.belgian_region("9000 Gent") == "Vlaanderen"
    assert build.belgian_region("Louvain-la-Neuve") == "Wallonie"
    assert build.belgian_region("ZAVENTEM") == "Vlaanderen"
    assert build.belgian_region("Luxembourg") is None
