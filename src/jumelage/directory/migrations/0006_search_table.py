# PostgreSQL: the full-text index moves from the wide organisation rows to a narrow table of its own.
#
# A GIN match still visits the heap page of every matching row. On the organisation table those rows
# carry three descriptions and the search columns (186 MB of heap at 100,000 organisations), so a broad
# query read most of it. The narrow table holds only the id, the name terms and the stored tsvector
# (45 MB): the 30 benchmark queries went from 14 ms to 6 ms a query (bench/README.md). Triggers keep
# it in step with the search columns that jumelage.directory.search fills, as FTS5's do on SQLite.
# No foreign key: Django's test flush truncates the organisation table without CASCADE; a TRUNCATE
# trigger empties this one instead.
from django.db import migrations

FORWARD = [
    """CREATE TABLE directory_organisation_search (
        id bigint PRIMARY KEY,
        names text NOT NULL,
        document tsvector NOT NULL)""",
    """CREATE FUNCTION directory_organisation_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
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
    """CREATE TRIGGER directory_organisation_search_ai AFTER INSERT ON directory_organisation
        FOR EACH ROW EXECUTE FUNCTION directory_organisation_search_sync()""",
    """CREATE TRIGGER directory_organisation_search_au AFTER UPDATE OF search_names, search_document ON directory_organisation
        FOR EACH ROW WHEN (OLD.search_names IS DISTINCT FROM NEW.search_names
                           OR OLD.search_document IS DISTINCT FROM NEW.search_document)
        EXECUTE FUNCTION directory_organisation_search_sync()""",
    """CREATE TRIGGER directory_organisation_search_ad AFTER DELETE ON directory_organisation
        FOR EACH ROW EXECUTE FUNCTION directory_organisation_search_sync()""",
    """CREATE FUNCTION directory_organisation_search_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        TRUNCATE directory_organisation_search;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER directory_organisation_search_at AFTER TRUNCATE ON directory_organisation
        FOR EACH STATEMENT EXECUTE FUNCTION directory_organisation_search_truncate()""",
    """INSERT INTO directory_organisation_search (id, names, document)
        SELECT id, search_names, to_tsvector('simple'::regconfig, search_document) FROM directory_organisation""",
    "CREATE INDEX directory_organisation_search_document_gin ON directory_organisation_search USING gin (document)",
    "CREATE INDEX directory_organisation_search_names_trgm ON directory_organisation_search USING gin (names gin_trgm_ops)",
    "DROP INDEX IF EXISTS directory_org_search_doc_gin",
    "DROP INDEX IF EXISTS directory_org_search_names_trgm",
]
BACKWARD = [
    """CREATE INDEX IF NOT EXISTS directory_org_search_doc_gin ON directory_organisation
        USING gin (to_tsvector('simple'::regconfig, search_document))""",
    """CREATE INDEX IF NOT EXISTS directory_org_search_names_trgm ON directory_organisation
        USING gin (search_names gin_trgm_ops)""",
    "DROP TRIGGER IF EXISTS directory_organisation_search_at ON directory_organisation",
    "DROP TRIGGER IF EXISTS directory_organisation_search_ad ON directory_organisation",
    "DROP TRIGGER IF EXISTS directory_organisation_search_au ON directory_organisation",
    "DROP TRIGGER IF EXISTS directory_organisation_search_ai ON directory_organisation",
    "DROP FUNCTION IF EXISTS directory_organisation_search_truncate()",
    "DROP FUNCTION IF EXISTS directory_organisation_search_sync()",
    "DROP TABLE IF EXISTS directory_organisation_search",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("directory", "0005_labels")]
    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
