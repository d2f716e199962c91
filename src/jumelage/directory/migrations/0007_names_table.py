# PostgreSQL: the names test moves to a small table of its own, and short documents drop their positions.
#
# The names test ("does every query word name this organisation?", for the relevance order) was a
# word-boundary LIKE over the name terms of the search table, answered by a trigram index and then
# rechecked on the rows: the rows of that table also carry the document tsvector (42 MB of heap at
# 100,000 organisations), so the recheck visited about a thousand large pages on a broad query. A
# tsvector of the name terms in a table of its own (15 MB, no recheck) gives the same ids for the 30
# benchmark queries at a quarter of the database time (1.2 ms → 0.3 ms a query, bench/README.md).
#
# A GIN match reads the heap page of every matching row (never the tsvector itself: the index
# answers without a recheck). Documents over about 2 KB are stored out of line (TOAST), leaving a
# pointer in the row; shorter ones stay in the row and fill most of the heap. Those lose their word
# positions (strip()), which no query uses (no phrase search, no ts_rank): 45 MB → 33 MB of heap and
# 10 % less database time for the benchmark queries. Longer documents keep them, so that they stay
# out of line. directory_search_document() is the one definition, for the trigger and the migration.
from django.db import migrations

FORWARD = [
    """CREATE FUNCTION directory_search_document(text) RETURNS tsvector
        LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
    DECLARE
        v tsvector := to_tsvector('simple'::regconfig, $1);
    BEGIN
        IF pg_column_size(v) < 1900 THEN
            RETURN strip(v);
        END IF;
        RETURN v;
    END $$""",
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
        VALUES (NEW.id, directory_search_document(NEW.search_document))
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
    # Rewrite the documents with the new rule (the table is rewritten: its old rows' space is reused).
    """UPDATE directory_organisation_search s SET document = directory_search_document(o.search_document)
        FROM directory_organisation o WHERE o.id = s.id""",
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
    """UPDATE directory_organisation_search s SET document = to_tsvector('simple'::regconfig, o.search_document)
        FROM directory_organisation o WHERE o.id = s.id""",
    "DROP FUNCTION IF EXISTS directory_search_document(text)",
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
