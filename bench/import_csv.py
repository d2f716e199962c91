"""Benchmark: import a 100,000-row CSV of organisations through `jumelage import` (the CLI's code path).

    .venv/bin/python bench/import_csv.py                      # embedded SQLite in a temporary data dir
    .venv/bin/python bench/import_csv.py --database-url postgres://postgres@127.0.0.1:55432/jumelage_bench_import

The file is generated deterministically from the real organisation names in ../shared/data/directory
(CORDIS H2020 2017 and i-Lab laureates): row i takes seed i mod N, and copies after the first get a
number after the name ("NMRTEC 2", …) so they are distinct organisations. i-Lab rows keep their real
tagline, description, website and SIREN (first copy only, and only when the SIREN passes its check);
every other row gets a synthetic SIREN (French) or enterprise number (Belgian) that passes its
check, so the identifier validators run on every row. Not real data: never ship the generated file.

Measures a dry run and then a committed import (which validates again inside its transaction), each
timed from the command's start to its end, and writes the figures to bench/results/.
"""

import argparse
import csv
import json
import os
import platform
import sys
import tempfile
import textwrap
import time
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("JUMELAGE_SHARED_DATA", ROOT.parent / "shared" / "data")) / "directory"
RESULTS = ROOT / "bench" / "results"
KINDS = {"PRC": "company", "REC": "research_lab", "HES": "university", "PUB": "public_body", "OTH": "support"}
ECOSYSTEMS = {"BE": "digital-wallonia", "FR": "la-french-tech"}
COLUMNS = [
    "name",
    "kind",
    "tagline_fr",
    "description_fr",
    "website",
    "street",
    "city",
    "region",
    "country",
    "founding_year",
    "themes",
    "enterprise_number",
    "siren",
    "ecosystem",
]


def luhn_siren(n: int) -> str:
    from jumelage.directory.identifiers import luhn_valid

    body = f"{80_000_000 + n:08d}"
    return next(body + d for d in "0123456789" if luhn_valid(body + d))


def bce_number(n: int) -> str:
    first8 = int(f"1{n:07d}")
    return f"{first8:08d}{97 - first8 % 97:02d}"


def load_seeds() -> tuple[list[dict], dict[str, str]]:
    from django.utils.text import slugify

    from jumelage.directory.identifiers import normalise_siren

    seeds, themes = [], {}
    with (DATA / "cordis_h2020_2017_orgs_BE_FR.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            seeds.append(
                {
                    "name": row["name"].strip(),
                    "kind": KINDS.get(row["activityType"], "company"),
                    "street": row["street"].strip(),
                    "city": row["city"].strip(),
                    "country": row["country"].strip(),
                }
            )
    with (DATA / "ilab_laureates_FR.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            siren = row["siren"].strip()
            try:
                siren = normalise_siren(siren) if siren else ""
            except ValueError:
                siren = ""  # a few SIRENs are wrong in the source: leave them out
            sector = row["sectors"].strip()
            if sector:
                themes[slugify(sector)[:100]] = sector
            seeds.append(
                {
                    "name": row["name"].strip(),
                    "kind": "startup",
                    "tagline_fr": row["description_short_fr"].strip(),
                    "description_fr": row["description_long_fr"].strip(),
                    "website": row["website"].strip(),
                    "region": row["region"].strip(),
                    "country": "FR",
                    "founding_year": row["founded_year"].strip(),
                    "themes": slugify(sector)[:100] if sector else "",
                    "siren": siren,
                }
            )
    return seeds, themes


def _clean(value: str) -> str:
    # The import refuses cells a spreadsheet would run; a few real names start with "-" or "@".
    return value.lstrip("=+-@ \t")


def _valid_website(value: str) -> str:
    from django.core.exceptions import ValidationError
    from django.core.validators import URLValidator

    if value and "://" not in value:
        value = "https://" + value
    try:
        URLValidator()(value)
    except ValidationError:
        return ""  # the source has a few names in its website column
    return value


def generate(path: Path, rows: int, seeds: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(COLUMNS)
        for i in range(rows):
            seed = seeds[i % len(seeds)]
            copy = i // len(seeds) + 1
            row = {c: _clean(seed.get(c, "")) for c in COLUMNS}
            # Real data the import rightly refuses: taglines over 300 characters, bad websites.
            row["tagline_fr"] = textwrap.shorten(row["tagline_fr"], 300, placeholder="…")
            row["website"] = _valid_website(row["website"])
            if copy > 1:
                row["name"] = f"{row['name']} {copy}"
                row["website"] = ""
                row["siren"] = ""
            if row["country"] == "FR" and not row["siren"]:
                row["siren"] = luhn_siren(i)
            elif row["country"] == "BE":
                row["enterprise_number"] = bce_number(i)
            row["ecosystem"] = ECOSYSTEMS.get(row["country"], "")
            writer.writerow([row[c] for c in COLUMNS])


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url", help="default: SQLite in a temporary data dir")
    parser.add_argument(
        "--wipe", action="store_true", help="delete the organisations already in that database"
    )
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="jumelage-bench-import-"))
    os.environ["JUMELAGE_DATA_DIR"] = str(tmp)
    # 100,000 rows with the real i-Lab descriptions weigh about 55 MB, over the 50 MB default.
    os.environ["JUMELAGE_IMPORT_MAX_BYTES"] = str(256 * 1024 * 1024)
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jumelage.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    if args.database_url and args.database_url.startswith("postgres"):
        _create_pg_database(args.database_url)
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from jumelage.directory.models import Organisation, Theme
    from jumelage.ecosystems.models import Ecosystem

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    if Organisation.objects.exists():
        if not args.wipe:
            print(
                "The database already holds organisations: use a throwaway database or --wipe.",
                file=sys.stderr,
            )
            return 2
        Organisation.objects.all().delete()
    Ecosystem.objects.get_or_create(
        slug="digital-wallonia", defaults={"name": "Digital Wallonia", "short_name": "DW", "country": "BE"}
    )
    Ecosystem.objects.get_or_create(
        slug="la-french-tech", defaults={"name": "La French Tech", "short_name": "FT", "country": "FR"}
    )
    seeds, themes = load_seeds()
    for code, label in themes.items():
        Theme.objects.get_or_create(code=code, defaults={"label_fr": label})
    path = tmp / "organisations.csv"
    started = time.perf_counter()
    generate(path, args.rows, seeds)
    print(
        f"generated {args.rows} rows from {len(seeds)} real seeds in {time.perf_counter() - started:.1f} s: {path}"
    )

    timings, cpu = {}, {}
    load_before = os.getloadavg()[0]
    for label, extra in (("dry_run", []), ("commit", ["--commit"])):
        out, err = StringIO(), StringIO()
        started, cpu_started = time.perf_counter(), time.process_time()
        call_command("import_directory", str(path), *extra, stdout=out, stderr=err)
        timings[label] = round(time.perf_counter() - started, 2)
        cpu[label] = round(time.process_time() - cpu_started, 2)
        summary = [line for line in out.getvalue().splitlines() if not line.startswith("  line ")]
        print(f"{label}: {timings[label]:.1f} s (CPU {cpu[label]:.1f} s) — " + " / ".join(summary[-3:]))
    created = Organisation.objects.count()
    result = {
        "benchmark": "import_csv",
        "database": connection.vendor,
        "rows": args.rows,
        "file_bytes": path.stat().st_size,
        "organisations_created": created,
        "dry_run_seconds": timings["dry_run"],
        "commit_seconds": timings["commit"],
        "rows_per_second_commit": round(args.rows / timings["commit"]),
        # CPU time of this process (SQLite runs in it; PostgreSQL's server time is not counted).
        "dry_run_cpu_seconds": cpu["dry_run"],
        "commit_cpu_seconds": cpu["commit"],
        # Other work on the machine stretches wall-clock times: the 1-minute load average.
        "load_average_before": round(load_before, 1),
        "load_average_after": round(os.getloadavg()[0], 1),
        "target_seconds": 60,
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"import_csv-{connection.vendor}.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


def _create_pg_database(url: str) -> None:
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit((*parts[:2], "/postgres", *parts[3:])).replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


if __name__ == "__main__":
    sys.exit(main())
