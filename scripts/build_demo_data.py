#!/usr/bin/env python3
"""Build the compact demo directory shipped in src/jumelage/demo/ from the real data in ../shared/data.

    .venv/bin/python scripts/build_demo_data.py [--data ../shared/data] [--out src/jumelage/demo]

Reads directory/cordis_h2020_2017_orgs_BE_FR.csv (CORDIS, European Commission, 2017 extract) and
directory/ilab_laureates_FR.csv (MESR, i-Lab laureates, Licence Ouverte v2.0) and writes
organisations.json.gz: one record per organisation, already mapped to Jumelage's fields, kinds, themes
and ecosystems. Nothing is invented: fields the sources do not give (founding year, size, description)
stay empty. The output is deterministic (sorted, gzip without a timestamp), so a rebuild gives the same
bytes. See docs/demo-data.md for every choice made here.

Pure Python plus Django's slugify/URL validator (no settings needed), so it runs without a database.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from django.core.exceptions import ValidationError  # noqa: E402 (after the sys.path line above)
from django.core.validators import URLValidator  # noqa: E402
from django.utils.text import slugify  # noqa: E402

from jumelage.directory.identifiers import normalise_siren  # noqa: E402

CORDIS_FILE = "directory/cordis_h2020_2017_orgs_BE_FR.csv"
ILAB_FILE = "directory/ilab_laureates_FR.csv"
OUT_NAME = "organisations.json.gz"

CORDIS_CREDIT = "Source: CORDIS, European Commission (2017 extract); transformed."
ILAB_CREDIT = "MESR – Lauréats i-Lab, Licence Ouverte v2.0"

DIGITAL_WALLONIA = "digital-wallonia"
FRENCH_TECH = "la-french-tech"
WALLONIA = "Wallonie"
BRUSSELS = "Bruxelles-Capitale"
FLANDERS = "Vlaanderen"

# CORDIS activityType → Jumelage organisation kind.
CORDIS_KINDS = {
    "PRC": "company",  # private for-profit company
    "REC": "research_lab",  # research organisation
    "HES": "university",  # higher or secondary education
    "PUB": "public_body",  # public body
    "OTH": "support",  # other (associations, networks, chambers…)
}

# i-Lab `sectors` (the competition's technology domains) → codes of Jumelage's own taxonomy
# (src/jumelage/demo/themes.json). One table for every row, never a guess per row; a sector not listed
# here stops the build, so the table stays complete.
ILAB_SECTOR_THEMES = {
    "Services informatiques et autres": ["software-it"],
    "Informatique, logiciel & TIC": ["software-it"],
    "Numérique, technologies logicielles & communication": ["software-it"],
    "Électronique, Signal & Télécommunications": ["electronics", "telecom"],
    "Électronique, traitement du signal & instrumentation": ["electronics", "sensors-instrumentation"],
    "Mécanique & Travail des métaux": ["industry-4-0", "advanced-manufacturing"],
    "Génie des procédés": ["industry-4-0", "advanced-manufacturing"],
    "Matériaux, mécanique & procédés industriels": ["industry-4-0", "advanced-manufacturing", "materials"],
    "Chimie et matériaux": ["industry-4-0", "materials"],
    "Chimie & Sciences des matériaux": ["industry-4-0", "materials"],
    "Chimie & environnement": ["materials", "cleantech"],
    "Chimie & Environnement": ["materials", "cleantech"],
    "Biotechnologies et pharmacie": ["biotech"],
    "Pharmacie & biotechnologies": ["biotech"],
    "Pharmacie, Sciences du vivant & Biotechnologies": ["biotech"],
    "Technologies médicales": ["health", "medtech"],
}

# CORDIS gives a street and a city but no postcode, so the Belgian region comes from the city name.
# Every Belgian city string of the 2017 extract is listed here (normalised: no accents, upper case,
# hyphens and slashes as spaces). Brussels = the 19 communes of the Brussels-Capital Region; the
# municipalities around Brussels (Zaventem, Vilvoorde, Rhode-Saint-Genèse, Linkebeek…) are Flemish.
BE_REGIONS = {
    BRUSSELS: """BRUXELLES; BRUSSEL; BRUSSELS; BRUXELLES BRUSSEL; AUDERGHEM; ELSENE; IXELLES; ETTERBEEK;
        SCHAERBEEK; SCHAARBEEK; SINT JANS MOLENBEEK; MOLENBEEK SAINT JEAN; UCCLE; UKKEL; EVERE; FOREST;
        ANDERLECHT; JETTE; SAINT GILLES; WOLUWE SAINT LAMBERT; WOLUWE SAINT PIERRE; WATERMAEL BOITSFORT""",
    WALLONIA: """ALLEUR; ANDENNE SCLAYN; ANGLEUR; ANS; ARLON; AWANS;
        BAULLERS; BAULERS; CHARLEROI; CINEY; CHASTRE; DONCEEL; DOTTIGNIES; ELSENBORN; EMBOURG; ENGHIEN;
        ENGIS; FERRIERES; GEMBLOUX; GOSSELIES; GRACE HOLLOGNE; HANNUT; HAVELANGE; JAMBES; LIBRAMONT;
        LIBIN; LIEGE; LIEGE ANGLEUR; LIERS; LIMELETTE; LOUVAIN LA NEUVE; MONS; MONT SAINT GUIBERT;
        MONT SUR MARCHIENNE; NAMUR; NEUPRE; NIVELLES; OTTIGNIES LOUVAIN LA NEUVE; RIXENSART;
        SAINT GHISLAIN; SAMBREVILLE; SENEFFE; SERAING; SOIGNIES; TRANSINNE; VERVIERS; VILLERS LA VILLE;
        VILLERS LE BOUILLET; WATERLOO; WAVRE""",
    # Listed so that "Flanders" is a decision, not a fallback. BERCHEM: the three rows are Antwerp
    # streets (Posthoflei, Pretoriastraat, Coveliersstraat), not Berchem-Sainte-Agathe. LOT: a part of
    # Beersel (Bergensesteenweg).
    FLANDERS: """AALTER; AARTSELAAR; ANTWERP; ANTWERPEN; ANTWERPEN DEURNE; ARDOOIE; BEERSE; BEERSEL;
        BERCHEM; BERCHEM ANTWERPEN; BERLARE; BERTEM; BEVEREN; BLANDEN; BLAUBERG HERSELT; BOCHOLT;
        BOORTMEERBEEK; BRASSCHAAT; BRUGGE; BUDINGEN; DENDERMONDE; DESTELBERGEN; DIEGEM MACHELEN;
        DIEPENBEEK; DRONGEN; DUFFEL; EDEGEM; EMBLEM RANST; EREMBODEGEM; ERPE MERE; ERPS KWERPS; ERTVELDE;
        EVERGEM; GEEL; GENK; GENT; GENT MARIAKERKE; GENT ZWIJNAARDE; GENTBRUGGE; GOOIK; GRIMBERGEN; HALLE;
        HASSELT; HEMIKSEM; HERENT; HERENTALS; HEULE; HEVERLEE; HEVERLEE LEUVEN; HOEGAARDEN; HOFSTADE AALST;
        HOLSBEEK; HOOGSTRATEN MEERLE; HOUTHALEN HELCHTEREN; INGELMUNSTER; KASTERLEE; KEERBERGEN;
        KLUISBERGEN; KOKSIJDE; KONTICH; KORTRIJK; KRUIBEKE; KRUISHOUTEM; LANDEN; LEUVEN; LEUVEN HEVERLEE;
        LINKEBEEK; LOMMEL; LONDERZEEL; LOT; LUMMEN; MALLE; MECHELEN; MEISE; MEISE WOLVERTEM; MELSELE;
        MERELBEKE; MOL; MORTSEL; NEVELE; NIEL; NOSSEGEM; OLEN; OOSTENDE; OOSTKAMP; OOSTKAMP WAARDAMME;
        OUD HEVERLEE; OUDENAARDE; RHODE SAINT GENESE; ROESELAERE; RONSE; ROTSELAAR; RUMBEKE ROSELARE;
        SINT DENIJS WESTREM GENT; SINT KATELIJNE WAVER; SINT MARTENS LATEM; SINT NIKLAAS;
        SINT STEVENS WOLUWE; SINT TRUIDEN; STROMBEEK BEVER; TERNAT; TERVUREN; TIENEN; TREMELO; TURNHOUT;
        VEURNE; VILVOORDE; WESTERLO; WIJGMAAL; WIJNEGEM; WILRIJK; WOMMELGEM; WONDELGEM; ZAVENTEM;
        ZEDELGEM; ZWALM; ZWIJNAARDE; ZWIJNAARDE GENT; ZWIJNDRECHT""",
}
# Not placed (left out of the demo): "LUXEMBOURG" (a street of Luxembourg City under country BE) and
# rows without a city.

# French regions of CORDIS cities, only for cities whose region is certain (no homonym in another
# region). Other French organisations keep an empty region: CORDIS has no postcode.
FR_REGIONS = {
    "Île-de-France": """PARIS; PARIS LA DEFENSE; LA DEFENSE; EVRY; COURBEVOIE; PALAISEAU; BOULOGNE BILLANCOURT;
        ORSAY; MONTIGNY LE BRETONNEUX; VELIZY VILLACOUBLAY; CRETEIL; ISSY LES MOULINEAUX; RUEIL MALMAISON;
        NEUILLY SUR SEINE; VERSAILLES; NANTERRE; PUTEAUX; FONTENAY AUX ROSES; LEVALLOIS PERRET; COLOMBES;
        VILLEJUIF; ELANCOURT; SURESNES; LONGJUMEAU; LES ULIS; SAINT DENIS LA PLAINE; LA PLAINE SAINT DENIS;
        MARNE LA VALLEE; ANTONY; GIF SUR YVETTE; CLAMART; VILLEBON SUR YVETTE; CHAMPS SUR MARNE;
        GENNEVILLIERS; VOISINS LE BRETONNEUX; ARCUEIL; LES CLAYES SOUS BOIS; LIMEIL BREVANNES; GUYANCOURT;
        CHATENAY MALABRY; MAISONS ALFORT; SACLAY; MASSY; CACHAN; IVRY SUR SEINE; MEUDON; VINCENNES;
        NOISY LE GRAND; CERGY; CERGY PONTOISE; FONTAINEBLEAU""",
    "Occitanie": """TOULOUSE; MONTPELLIER; RAMONVILLE SAINT AGNE; BLAGNAC; CLAPIERS; LABEGE; NIMES; PERPIGNAN;
        CASTANET TOLOSAN""",
    "Auvergne-Rhône-Alpes": """LYON; GRENOBLE; ECULLY; MEYLAN; VILLEURBANNE; VENISSIEUX; VAULX EN VELIN;
        SAINT MARTIN D'HERES; LA TRONCHE; MONTBONNOT SAINT MARTIN; SAINT BEAUZIRE; GENAY; DOMENE; BRON;
        DECINES CHARPIEU; SAINT ETIENNE; CLERMONT FERRAND; ANNECY; CHAMBERY; SAINT GENIS POUILLY""",
    "Grand Est": "STRASBOURG; ILLKIRCH GRAFFENSTADEN; MULHOUSE; NANCY; METZ; REIMS",
    "Pays de la Loire": "NANTES; ANGERS; CARQUEFOU; LE MANS",
    "Hauts-de-France": "LILLE; VILLENEUVE D'ASCQ; BOULOGNE SUR MER; AMIENS; COMPIEGNE",
    "Bretagne": "RENNES; BREST; CESSON SEVIGNE; LANNION; PLOUZANE; LORIENT; VANNES",
    "Provence-Alpes-Côte d'Azur": """MARSEILLE; NICE; AIX EN PROVENCE; VALBONNE; SOPHIA ANTIPOLIS; ROUSSET;
        LA CIOTAT; BIOT; MEYREUIL; TOULON; ARLES; GRASSE; ANTIBES; CANNES; AVIGNON""",
    "Nouvelle-Aquitaine": """PESSAC; BORDEAUX; LIMOGES; TALENCE; BIDART; LA ROCHELLE; MERIGNAC; PAU; BEGLES;
        POITIERS""",
    "Bourgogne-Franche-Comté": "BESANCON; MACON; DIJON; CHENOVE",
    "Centre-Val de Loire": "ORLEANS; TOURS",
    "Normandie": "ROUEN; COLOMBELLES; CAEN; LE HAVRE",
}

_url = URLValidator(schemes=["http", "https"])


def normalise_place(city: str) -> str:
    """'Louvain-la-Neuve' → 'LOUVAIN LA NEUVE'; drops '(…)', 'CEDEX 9' and postal digits."""
    text = unicodedata.normalize("NFKD", city).encode("ascii", "ignore").decode().upper()
    text = re.sub(r"[()]", " ", text)
    text = re.sub(r"\bCEDEX\b.*$", "", text)
    text = re.sub(r"[-/]", " ", text)
    text = re.sub(r"\d+", " ", text)
    return " ".join(text.split())


def _table(groups: dict[str, str]) -> dict[str, str]:
    table = {}
    for region, names in groups.items():
        for name in names.split(";"):
            table[normalise_place(name)] = region
    return table


BE_PLACE_REGION = _table(BE_REGIONS)
FR_PLACE_REGION = _table(FR_REGIONS)


def belgian_region(city: str) -> str | None:
    """The region of a Belgian city string, or None when it cannot be placed. A leading postcode, if
    present, wins: 1000-1299 Brussels, 1300-1499 Walloon Brabant, 4000-7999 Wallonia, others Flanders."""
    match = re.match(r"\s*(?:B-?)?(\d{4})\b", city)
    if match:
        code = int(match.group(1))
        if 1000 <= code <= 1299:
            return BRUSSELS
        if 1300 <= code <= 1499 or 4000 <= code <= 7999:
            return WALLONIA
        return FLANDERS
    return BE_PLACE_REGION.get(normalise_place(city))


def french_region(city: str) -> str:
    return FR_PLACE_REGION.get(normalise_place(city), "")


def clean_website(url: str) -> str:
    url = url.strip()
    if not url:
        return ""
    if "//" not in url:
        url = "http://" + url
    try:
        _url(url)
    except ValidationError:
        return ""
    return url


def years(value: str) -> list[int]:
    return sorted({int(y) for y in re.findall(r"\d{4}", value or "")})


_LEGAL_FORMS = re.compile(r"\b(SAS|SASU|SA|SARL|EURL|SCOP|SNC|GIE)\b\.?")


def name_key(name: str) -> str:
    """A loose key to spot the same company in CORDIS and i-Lab (legal form and punctuation ignored)."""
    text = normalise_place(name)
    text = _LEGAL_FORMS.sub(" ", text)
    return re.sub(r"[^A-Z0-9]", "", text)


class Builder:
    def __init__(self) -> None:
        self.records: list[dict] = []
        self.slugs: set[str] = set()
        # Counters that matter in the report are shown even when they stay at zero.
        self.stats: Counter = Counter(
            dict.fromkeys(
                ("ilab_bad_siren_dropped", "ilab_duplicate_siren_dropped", "ilab_bad_website_dropped"), 0
            )
        )

    def slug_for(self, name: str) -> str:
        base = slugify(name)[:100].strip("-") or "organisation"
        slug, n = base, 2
        while slug in self.slugs:
            slug, n = f"{base}-{n}", n + 1
        self.slugs.add(slug)
        return slug

    def read_cordis(self, path: Path) -> list[dict]:
        out = []
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                name = " ".join(row["name"].split())
                if not name or name.startswith("In line with Article"):
                    # beneficiary not yet published by the Commission: no name to show
                    self.stats["cordis_skipped_unnamed"] += 1
                    continue
                country = row["country"].strip().upper()
                city = " ".join(row["city"].split())
                if country == "BE":
                    region = belgian_region(city)
                    if region is None:
                        self.stats["cordis_be_unplaced"] += 1
                        continue
                    if region == FLANDERS:
                        self.stats["cordis_be_flanders_left_out"] += 1
                        continue
                    ecosystem = DIGITAL_WALLONIA
                    self.stats[f"cordis_be_{'brussels' if region == BRUSSELS else 'wallonia'}"] += 1
                elif country == "FR":
                    region = french_region(city)
                    ecosystem = FRENCH_TECH
                    self.stats["cordis_fr"] += 1
                    if not region:
                        self.stats["cordis_fr_region_unknown"] += 1
                else:
                    self.stats["cordis_other_country"] += 1
                    continue
                short = " ".join(row["shortName"].split())
                extra = {"cordis": {"h2020_projects": int(row["numProjects"] or 0)}}
                if row["totMoney"]:
                    extra["cordis"]["eu_contribution_eur"] = round(float(row["totMoney"]))
                out.append(
                    {
                        "kind": CORDIS_KINDS[row["activityType"].strip()],
                        "name": name,
                        "aliases": [short] if short and short.upper() != name.upper() else [],
                        "street": " ".join(row["street"].split()),
                        "city": city,
                        "region": region,
                        "country": country,
                        "eu_pic": row["pic"].strip(),
                        "ecosystem": ecosystem,
                        "source": CORDIS_CREDIT,
                        "extra": extra,
                    }
                )
        return out

    def read_ilab(self, path: Path) -> list[dict]:
        out, sirens = [], set()
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                if row["is_digital"].strip().lower() != "yes":
                    continue
                self.stats["ilab_digital"] += 1
                siren = ""
                if row["siren"].strip():
                    try:
                        siren = normalise_siren(row["siren"])
                    except ValueError:
                        self.stats["ilab_bad_siren_dropped"] += 1
                if siren and siren in sirens:
                    self.stats["ilab_duplicate_siren_dropped"] += 1
                    siren = ""
                if siren:
                    sirens.add(siren)
                themes: list[str] = []
                for sector in filter(None, (s.strip() for s in row["sectors"].split("|"))):
                    if sector not in ILAB_SECTOR_THEMES:
                        raise SystemExit(f"i-Lab sector {sector!r} is not in ILAB_SECTOR_THEMES: add it.")
                    themes += [c for c in ILAB_SECTOR_THEMES[sector] if c not in themes]
                website = clean_website(row["website"])
                if row["website"].strip() and not website:
                    self.stats["ilab_bad_website_dropped"] += 1
                extra = {
                    "ilab": {
                        "years": years(row["ilab_years"]),
                        "grand_prix_years": years(row["ilab_grand_prix_years"]),
                        "research_structures": [
                            s.strip()
                            for s in re.split(r"\||,(?!\s)", row["research_structures"])
                            if s.strip()
                        ],
                    }
                }
                out.append(
                    {
                        "kind": "startup",
                        "name": " ".join(row["name"].split()),
                        "aliases": [],
                        # The short description is the tagline; the long summary is NOT shipped: the
                        # source warns it can name founders (personal data we have no consent to show).
                        "tagline_fr": " ".join(row["description_short_fr"].split())[:300],
                        "website": website,
                        "region": row["region"].strip(),
                        "country": "FR",
                        "siren": siren,
                        "themes": themes,
                        "ecosystem": FRENCH_TECH,
                        "source": ILAB_CREDIT,
                        "extra": extra,
                    }
                )
        return out

    def build(self, data_dir: Path) -> list[dict]:
        cordis = self.read_cordis(data_dir / CORDIS_FILE)
        ilab = self.read_ilab(data_dir / ILAB_FILE)
        # The same French company can be both an i-Lab laureate and a CORDIS participant: keep one
        # record (the i-Lab one, which has a tagline and themes) and add CORDIS's PIC; CORDIS's 2017
        # address is added only when its city lies in the region i-Lab gives (companies move).
        by_key = {name_key(r["name"]): r for r in ilab}
        merged = []
        for rec in cordis:
            twin = by_key.get(name_key(rec["name"])) if rec["country"] == "FR" else None
            if twin is not None and "eu_pic" not in twin:
                twin["eu_pic"] = rec["eu_pic"]
                if rec["region"] and rec["region"] == twin["region"]:
                    twin.update(street=rec["street"], city=rec["city"])
                aliases = {*twin["aliases"], *rec["aliases"]}
                twin["aliases"] = sorted(a for a in aliases if a.upper() != twin["name"].upper())
                twin["extra"]["cordis"] = rec["extra"]["cordis"]
                twin["source"] = f"{ILAB_CREDIT} · {CORDIS_CREDIT}"
                self.stats["merged_ilab_cordis"] += 1
            else:
                merged.append(rec)
        records = sorted(
            merged + ilab, key=lambda r: (r["ecosystem"], r["name"].upper(), r.get("eu_pic", ""))
        )
        for rec in records:
            rec["slug"] = self.slug_for(rec["name"])
            self.stats[f"ecosystem_{rec['ecosystem']}"] += 1
        return records


def write(records: list[dict], stats: Counter, out_dir: Path) -> Path:
    payload = {
        "format": 1,
        "credits": [CORDIS_CREDIT, ILAB_CREDIT],
        "stats": dict(sorted(stats.items())),
        "organisations": records,
    }
    raw = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    target = out_dir / OUT_NAME
    with target.open("wb") as fh, gzip.GzipFile(filename="", mode="wb", fileobj=fh, mtime=0) as gz:
        gz.write(raw)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=ROOT / "src" / "jumelage" / "demo")
    args = parser.parse_args(argv)
    for name in (CORDIS_FILE, ILAB_FILE):
        if not (args.data / name).is_file():
            print(f"build_demo_data: {args.data / name} not found (use --data DIR)", file=sys.stderr)
            return 2
    builder = Builder()
    records = builder.build(args.data)
    target = write(records, builder.stats, args.out)
    for key, value in sorted(builder.stats.items()):
        print(f"{key:32} {value}")
    print(f"wrote {target} ({target.stat().st_size:,} bytes, {len(records)} organisations)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
