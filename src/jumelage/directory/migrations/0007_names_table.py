# PostgreSQL: the names test moves to a small table of its own, as a tsvector.
#
# The names test ("does every query word name this organisation?", for the relevance order) was a
# word-boundary LIKE over the name terms of the search table, answered by a trigram index and then
# rechecked on the rows: the rows of that table also carry the document tsvector (42 MB of heap at
# 100,000 organisations), so the recheck visited about a thousand large pages on a broad query. A
# tsvector of the name terms in a table of its own (15 MB, no recheck) gives the same ids for the 30
# benchmark queries at a quarter of the database time (1.2 ms → 0.3 ms a query, bench/README.md).
# The search table keeps the id and the document only; one trigger function keeps both in step.
from django.db import migrations

FORWARD = [
    """CREATE TABLE directory_organisation_names (
        id bigint PRIMARY KEY,
        names tsvector NOT NULL)""",
    """CREATE OR REPLACE FUNCTION directory_organisation_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            DELETE FROM directory_organisation_search WHERE id = OLD.id;
            DELETE FROM directory_organisation_names WHERE id = OLD.id;
            RETURN OLD;
        END IF;
        INSERT INTO directory_organisation_search (id, document)
        VALUES (NEW.id, to_tsvector('simple'::regconfig, NEW.search_document))
        ON CONFLICT (id) DO UPDATE SET document = EXCLUDED.document;
        INSERT INTO directory_organisation_names (id, names)
        VALUES (NEW.id, to_tsvector('simple'::regconfig, NEW.search_names))
        ON CONFLICT (id) DO UPDATE SET names = EXCLUDED.names;
        RETURN NEW;
    END $$""",
    """CREATE OR REPLACE FUNCTION directory_organisation_search_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        TRUNCATE directory_organisation_search, directory_organisation_names;
        RETURN NULL;
    END $$""",
    "DROP INDEX IF EXISTS directory_organisation_search_names_trgm",
    "ALTER TABLE directory_organisation_search DROP COLUMN names",
    """INSERT INTO directory_organisation_names (id, names)
        SELECT id, to_tsvector('simple'::regconfig, search_names) FROM directory_organisation""",
    "CREATE INDEX directory_organisation_names_gin ON directory_organisation_names USING gin (names)",
]
BACKWARD = [
    "ALTER TABLE directory_organisation_search ADD COLUMN names text NOT NULL DEFAULT ''",
    """UPDATE directory_organisation_search s SET names = o.search_names
        FROM directory_organisation o WHERE o.id = s.id""",
    "ALTER TABLE directory_organisation_search ALTER COLUMN names DROP DEFAULT",
    """CREATE INDEX directory_organisation_search_names_trgm ON directory_organisation_search
        USING gin (names gin_trgm_ops)""",
    """CREATE OR REPLACE FUNCTION directory_organisation_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            DELETE FROM directory_organisation_search WHERE id = OLD.id;
            RETURN OLD;
        END IF;
        INSERT INTO directory_organisation_search (id, names, document)
        VALUES (NEW.id, NEW.search_names, to_tsvector('simple'::regconfig, NEW.search_document))
        ON CONFLICT (id) DO UPDATE SET names = EXCLUDED.names, document = EXCLUDED.document;
        RETURN NEW;
    END $$""",
    """CREATE OR REPLACE FUNCTION directory_organisation_search_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        TRUNCATE directory_organisation_search;
        RETURN NULL;
    END $$""",
    "DROP TABLE IF EXISTS directory_organisation_names",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("directory", "0006_search_table")]
    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
