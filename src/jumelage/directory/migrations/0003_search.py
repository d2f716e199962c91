# Full-text search structures for the directory (see jumelage/directory/search.py).
# Each operation acts only on its own database vendor, so one migration chain serves SQLite and PostgreSQL.
from django.db import migrations

SQLITE_FORWARD = [
    # Organisation text, indexed from the columns that jumelage.directory.search fills.
    """CREATE VIRTUAL TABLE directory_organisation_fts USING fts5(
        search_names, search_document,
        content='directory_organisation', content_rowid='id',
        tokenize='unicode61 remove_diacritics 0', prefix='2 3', detail='column')""",
    """CREATE TRIGGER directory_organisation_fts_ai AFTER INSERT ON directory_organisation BEGIN
        INSERT INTO directory_organisation_fts(rowid, search_names, search_document)
        VALUES (new.id, new.search_names, new.search_document);
    END""",
    """CREATE TRIGGER directory_organisation_fts_ad AFTER DELETE ON directory_organisation BEGIN
        INSERT INTO directory_organisation_fts(directory_organisation_fts, rowid, search_names, search_document)
        VALUES ('delete', old.id, old.search_names, old.search_document);
    END""",
    """CREATE TRIGGER directory_organisation_fts_au
        AFTER UPDATE OF search_names, search_document ON directory_organisation BEGIN
        INSERT INTO directory_organisation_fts(directory_organisation_fts, rowid, search_names, search_document)
        VALUES ('delete', old.id, old.search_names, old.search_document);
        INSERT INTO directory_organisation_fts(rowid, search_names, search_document)
        VALUES (new.id, new.search_names, new.search_document);
    END""",
    "INSERT INTO directory_organisation_fts(directory_organisation_fts) VALUES ('rebuild')",
    # Browsing without a query: count, facet GROUP BYs and the name order read these small indexes
    # instead of the wide organisation rows (measured on 100,000 rows: COUNT 94 ms → 3 ms).
    "CREATE INDEX directory_org_facets ON directory_organisation (published, kind, stage, country, region)",
    "CREATE INDEX directory_org_name ON directory_organisation (name, id)",
    # Every indexed term once; name words also go to a trigram index for typo tolerance.
    """CREATE TABLE directory_searchterm (
        id integer NOT NULL PRIMARY KEY AUTOINCREMENT,
        term varchar(60) NOT NULL UNIQUE,
        is_name bool NOT NULL DEFAULT 0)""",
    # Contentless: it holds '^word$' so that the first and last letters make trigrams of their own.
    "CREATE VIRTUAL TABLE directory_searchterm_trgm USING fts5(term, content='', tokenize='trigram', detail='none')",
    """CREATE TRIGGER directory_searchterm_trgm_ai AFTER INSERT ON directory_searchterm WHEN new.is_name BEGIN
        INSERT INTO directory_searchterm_trgm(rowid, term) VALUES (new.id, '^' || new.term || '$');
    END""",
    """CREATE TRIGGER directory_searchterm_trgm_au AFTER UPDATE OF is_name ON directory_searchterm
        WHEN new.is_name AND NOT old.is_name BEGIN
        INSERT INTO directory_searchterm_trgm(rowid, term) VALUES (new.id, '^' || new.term || '$');
    END""",
]
SQLITE_BACKWARD = [
    "DROP INDEX IF EXISTS directory_org_name",
    "DROP INDEX IF EXISTS directory_org_facets",
    "DROP TRIGGER IF EXISTS directory_searchterm_trgm_au",
    "DROP TRIGGER IF EXISTS directory_searchterm_trgm_ai",
    "DROP TABLE IF EXISTS directory_searchterm_trgm",
    "DROP TABLE IF EXISTS directory_searchterm",
    "DROP TRIGGER IF EXISTS directory_organisation_fts_au",
    "DROP TRIGGER IF EXISTS directory_organisation_fts_ad",
    "DROP TRIGGER IF EXISTS directory_organisation_fts_ai",
    "DROP TABLE IF EXISTS directory_organisation_fts",
]

POSTGRES_FORWARD = [
    # unaccent is there for ad-hoc SQL and reports; the application strips accents itself before
    # indexing and querying (jumelage.directory.textsearch), identically on both databases.
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    # The query must use this exact expression for the planner to pick the index.
    """CREATE INDEX directory_org_search_doc_gin ON directory_organisation
        USING gin (to_tsvector('simple'::regconfig, search_document))""",
    """CREATE INDEX directory_org_search_names_trgm ON directory_organisation
        USING gin (search_names gin_trgm_ops)""",
    # Browsing without a query: count, facet GROUP BYs and the name order read these small indexes
    # instead of the wide organisation rows (measured on 100,000 rows: COUNT 94 ms → 3 ms).
    "CREATE INDEX directory_org_facets ON directory_organisation (published, kind, stage, country, region)",
    "CREATE INDEX directory_org_name ON directory_organisation (name, id)",
    """CREATE TABLE directory_searchterm (
        id bigserial PRIMARY KEY,
        term varchar(60) COLLATE "C" NOT NULL UNIQUE,
        is_name boolean NOT NULL DEFAULT false)""",
    """CREATE INDEX directory_searchterm_name_trgm ON directory_searchterm
        USING gin (term gin_trgm_ops) WHERE is_name""",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS directory_org_name",
    "DROP INDEX IF EXISTS directory_org_facets",
    "DROP TABLE IF EXISTS directory_searchterm",
    "DROP INDEX IF EXISTS directory_org_search_names_trgm",
    "DROP INDEX IF EXISTS directory_org_search_doc_gin",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor, [])
        for sql in statements:
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("directory", "0002_initial")]
    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        ),
    ]
