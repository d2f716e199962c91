"""One search interface over the directory, on SQLite (FTS5) and PostgreSQL (tsvector + GIN).

Both engines index the same text, prepared in Python by jumelage.directory.textsearch:
`Organisation.search_names` (normalised name and alias words with their stems) and `Organisation.search_document`
(every word of names, aliases, tagline and FR/NL/EN descriptions with its FR/NL/EN stems). So a query
means the same thing on both: every query word must match one of its stems (the last word also as a
prefix), or, when the word is unknown to the index, a name word within typo distance.

- SQLite: FTS5 table `directory_organisation_fts` (external content, kept in sync by triggers) and a
  trigram FTS5 table over name words for typo candidates.
- PostgreSQL: a narrow table `directory_organisation_search` (id, stored tsvector of the document) and
  a small one `directory_organisation_names` (id, tsvector of the name terms), each with a GIN index
  and kept in sync by triggers (migrations 0006, 0007), and a pg_trgm GIN index over name words for
  typo candidates.

Results come ordered by relevance: organisations whose names hold every query word first, then by name.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from django.db import connections, transaction
from django.db.models import BooleanField, Case, F, Func, IntegerField, QuerySet, Value, When, signals
from django.db.models.expressions import RawSQL

from jumelage.core import versions
from jumelage.directory import textsearch
from jumelage.directory.models import Organisation

FTS_TABLE = "directory_organisation_fts"
PG_TABLE = "directory_organisation_search"
NAMES_TABLE = "directory_organisation_names"
TERM_TABLE = "directory_searchterm"
TYPO_CANDIDATES = 64
_TERM_CHUNK = 400


# --- Index version ----------------------------------------------------------------------------------
# A token in the shared (database) cache that changes with every write the directory's results depend
# on; cached results (jumelage.directory.queries) are keyed by it, so every app-server process drops
# them together. Writes that bypass the ORM signals (bulk_create, queryset.update) must end with
# reindex_all() or bump_index_version().
VERSION_KEY = "directory:index-version"


def index_version() -> str:
    return versions.token(VERSION_KEY)


def bump_index_version(using: str = "default") -> None:
    """Invalidate cached directory results in every process (see jumelage.core.versions)."""
    versions.bump(VERSION_KEY, using)


def _on_change(sender, using="default", **kwargs) -> None:
    if kwargs.get("raw"):  # loaddata
        return
    if kwargs.get("action", "post_").startswith("post_"):
        bump_index_version(using)


def connect_signals() -> None:
    """Called from DirectoryConfig.ready()."""
    from jumelage.directory.models import Membership, Representative, Theme
    from jumelage.ecosystems.models import Ecosystem, EcosystemStaff, NetworkNode, NodeStaff

    # Roles too: they change what a user may see.
    for model in (
        Organisation,
        Membership,
        Theme,
        Ecosystem,
        NetworkNode,
        Representative,
        EcosystemStaff,
        NodeStaff,
    ):
        signals.post_save.connect(
            _on_change, sender=model, dispatch_uid=f"directory-search-{model.__name__}-save"
        )
        signals.post_delete.connect(
            _on_change, sender=model, dispatch_uid=f"directory-search-{model.__name__}-delete"
        )
    signals.m2m_changed.connect(
        _on_change, sender=Organisation.themes.through, dispatch_uid="directory-search-themes"
    )


def _texts(org: Organisation) -> tuple[list[str], list[str]]:
    names = [org.name or "", *(a for a in (org.aliases or []) if isinstance(a, str))]
    texts = [*names, org.tagline_fr, org.description_fr, org.description_nl, org.description_en]
    return names, [t for t in texts if t]


def index_fields(org: Organisation) -> tuple[str, str, list[str], list[str]]:
    """(search_names, search_document, name words, all terms) for an organisation, without saving."""
    names, texts = _texts(org)
    words = textsearch.name_words(names)
    terms = textsearch.document_terms(texts)
    # Names carry their stems too, so "mobilités" ranks "Mobilité Bruxelles" as a name match.
    name_terms = textsearch.document_terms(names)
    return " ".join(name_terms), " ".join(terms), words, terms


def add_terms(using: str, terms: Iterable[str], name_words: Iterable[str]) -> None:
    """Add terms to the vocabulary (never removed: a stale term only costs a wasted typo candidate).
    For bulk loads that fill the search columns themselves (see index_fields())."""
    names = set(name_words)
    rows = [(t, t in names) for t in dict.fromkeys([*terms, *names])]
    with connections[using].cursor() as cursor:
        for i in range(0, len(rows), _TERM_CHUNK):
            chunk = rows[i : i + _TERM_CHUNK]
            cursor.execute(
                f"INSERT INTO {TERM_TABLE} (term, is_name) VALUES "  # noqa: S608 (placeholders only)
                + ", ".join(["(%s, %s)"] * len(chunk))
                + " ON CONFLICT (term) DO NOTHING",
                [v for row in chunk for v in row],
            )
        name_list = sorted(names)
        for i in range(0, len(name_list), _TERM_CHUNK):
            chunk = name_list[i : i + _TERM_CHUNK]
            cursor.execute(
                f"UPDATE {TERM_TABLE} SET is_name = %s WHERE is_name = %s AND term IN ("  # noqa: S608
                + ", ".join(["%s"] * len(chunk))
                + ")",
                [True, False, *chunk],
            )


def index_organisation(org: Organisation) -> None:
    """Refresh one organisation's search columns (the database indexes follow them)."""
    search_names, search_document, words, terms = index_fields(org)
    using = org._state.db or "default"
    with transaction.atomic(using=using):
        Organisation.objects.using(using).filter(pk=org.pk).update(
            search_names=search_names, search_document=search_document
        )
        add_terms(using, terms, words)
        bump_index_version(using)
    org.search_names, org.search_document = search_names, search_document


def reindex_all(*, using: str = "default", batch_size: int = 2000, progress=None) -> int:
    """Recompute the search columns of every organisation (after an import, or to repair the index).
    Returns how many organisations were indexed. `progress(n)` is called after each batch."""
    fields = ["id", "name", "aliases", "tagline_fr", "description_fr", "description_nl", "description_en"]
    all_terms: dict[str, None] = {}
    all_names: set[str] = set()
    done = 0
    last_pk = 0
    connection = connections[using]
    while True:
        batch = list(
            Organisation.objects.using(using).filter(pk__gt=last_pk).order_by("pk").only(*fields)[:batch_size]
        )
        if not batch:
            break
        rows = []
        for org in batch:
            search_names, search_document, words, terms = index_fields(org)
            rows.append((search_names, search_document, org.pk))
            all_terms.update(dict.fromkeys(terms))
            all_names.update(words)
        with transaction.atomic(using=using), connection.cursor() as cursor:
            cursor.executemany(
                "UPDATE directory_organisation SET search_names = %s, search_document = %s WHERE id = %s",
                rows,
            )
        done += len(batch)
        last_pk = batch[-1].pk
        if progress is not None:
            progress(done)
    with transaction.atomic(using=using):
        add_terms(using, all_terms, all_names)
        bump_index_version(using)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')")  # noqa: S608 (constant)
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE directory_organisation")
            cursor.execute(f"ANALYZE {PG_TABLE}")
            cursor.execute(f"ANALYZE {NAMES_TABLE}")
            cursor.execute(f"ANALYZE {TERM_TABLE}")
    return done


# --- Querying ---------------------------------------------------------------------------------------


def _known_terms_sql(words: list[textsearch.QueryWord]) -> tuple[str, list]:
    """A query for which of the words' terms the index knows; a last (prefix) word that starts a
    known term counts as known, marked by its text with a trailing '*'."""
    terms = sorted({t for w in words for t in w.terms})
    sql = f"SELECT term FROM {TERM_TABLE} WHERE term IN ({', '.join(['%s'] * len(terms))})"  # noqa: S608
    params: list = list(terms)
    last = words[-1]
    if last.prefix:
        upper = last.text[:-1] + chr(ord(last.text[-1]) + 1)
        sql += (
            f" UNION ALL SELECT * FROM (SELECT term || '*' FROM {TERM_TABLE}"  # noqa: S608
            " WHERE term >= %s AND term < %s AND term <> %s LIMIT 1) AS p"
        )
        params += [last.text, upper, last.text]
    return sql, params


def _known_terms(using: str, words: list[textsearch.QueryWord]) -> set[str]:
    sql, params = _known_terms_sql(words)
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0] for row in cursor.fetchall()}


def _typo_candidates(using: str, word: str) -> list[str]:
    """Known name words that `word` may be a typo of (candidates from a trigram index, then checked
    with the same edit-distance rule on both databases)."""
    vendor = connections[using].vendor
    limit = textsearch.typo_distance(word)
    with connections[using].cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute(
                f"SELECT term FROM {TERM_TABLE} WHERE is_name AND term %% %s "  # noqa: S608
                "AND length(term) BETWEEN %s AND %s ORDER BY similarity(term, %s) DESC, term LIMIT %s",
                [word, len(word) - limit, len(word) + limit, word, TYPO_CANDIDATES],
            )
        else:
            grams = textsearch.trigrams(f"^{word}$")
            match = " OR ".join(f'"{g}"' for g in grams)
            cursor.execute(
                f"SELECT t.term FROM {TERM_TABLE}_trgm f JOIN {TERM_TABLE} t ON t.id = f.rowid "  # noqa: S608
                f"WHERE {TERM_TABLE}_trgm MATCH %s AND length(t.term) BETWEEN %s AND %s "
                "ORDER BY f.rank, t.term LIMIT %s",
                [match, len(word) - limit, len(word) + limit, TYPO_CANDIDATES],
            )
        candidates = [pk for (pk,) in cursor.fetchall()]
    return sorted(c for c in candidates if textsearch.within_typo_distance(word, c))


def _add_typo_alternatives(using: str, words: list[textsearch.QueryWord], known: set[str]) -> bool:
    """Give the words the index does not know their typo alternatives; True when any got some."""
    found = False
    for word in words:
        if textsearch.typo_distance(word.text) == 0:
            continue
        if any(t in known for t in word.terms) or (word.prefix and f"{word.text}*" in known):
            continue
        word.fuzzy = _typo_candidates(using, word.text)
        found = found or bool(word.fuzzy)
    return found


def prepare_query(q: str, *, using: str = "default") -> list[textsearch.QueryWord]:
    """Parse a query and add typo alternatives for the words the index does not know."""
    words = textsearch.parse_query(q)
    if words:
        _add_typo_alternatives(using, words, _known_terms(using, words))
    return words


def prepare_and_match(
    q: str, *, using: str = "default"
) -> tuple[list[textsearch.QueryWord], np.ndarray, np.ndarray]:
    """prepare_query() then matching_ids(). On PostgreSQL the known terms come in the same round trip
    as the match, which stands unless a word needs typo alternatives (then it runs again with them):
    a round trip costs both processes about 0.1 ms of CPU, a tenth of a cold page's database time."""
    if connections[using].vendor != "postgresql":
        words = prepare_query(q, using=using)
        return words, *matching_ids(words, using=using)
    words = textsearch.parse_query(q)
    if not words:
        return words, _ids(None), _ids(None)
    known_sql, known_params = _known_terms_sql(words)
    match_sql, match_params = _pg_match(words)
    with connections[using].cursor() as cursor:
        known, ids, name_ids = _pg_fetch(
            cursor, f"SELECT ARRAY({known_sql}), {match_sql}", [*known_params, *match_params]
        )
    if _add_typo_alternatives(using, words, set(known)):
        return words, *matching_ids(words, using=using)
    return words, _ids(ids), _ids(name_ids)


class _AnyOf(Func):
    """<column> = ANY(<ids>) with the ids as one array parameter (PostgreSQL): the planner then reads
    only those rows through the primary key. A semi-join on the search table let it scan and sort all
    100,000 organisations first (450 ms for "logiciel")."""

    output_field = BooleanField()

    def __init__(self, column, ids: list[int]):
        super().__init__(column)
        self.ids = list(ids)

    def as_sql(self, compiler, connection, **extra_context):
        column_sql, column_params = compiler.compile(self.source_expressions[0])
        return f"{column_sql} = ANY(%s)", (*column_params, self.ids)


def _fts5_ids(words: list[textsearch.QueryWord], *, names_only: bool) -> RawSQL:
    column = "search_names" if names_only else "search_document"
    expression = textsearch.fts5_expression(words, column=column, with_fuzzy=not names_only)
    # The table name is a constant; the match expression is a parameter.
    return RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [expression])  # noqa: S608, S611


def _pg_fetch(cursor, sql: str, params: list) -> tuple:
    """Run a match with sequential scans off. The GIN bitmap never reads the stored tsvectors; a
    sequential scan decompresses every one (270 ms instead of 7 ms for "logiciel"), a cost the planner
    does not count: it chose that scan when the index statistics were missing (after a VACUUM FULL).
    SET, match and RESET go as one message (client-side binding, see settings.py), so one round trip;
    a failing match aborts the message's implicit transaction, SET included."""
    cursor.execute(f"SET enable_seqscan = off; {sql}; RESET enable_seqscan", params)
    cursor.nextset()
    return cursor.fetchone()


def _ids(text: str | None) -> np.ndarray:
    """Ids sent as one comma-separated string (string_agg / group_concat): parsed by numpy in C, three
    times cheaper than a row or an array element per match (0.27 ms instead of 0.84 ms for the
    14,365 ids of "logiciel")."""
    if not text:
        return np.empty(0, dtype=np.int64)
    return np.fromstring(text, dtype=np.int64, sep=",")


_PG_DOCUMENT = "document @@ to_tsquery('simple'::regconfig, %s)"
_PG_NAMES = "names @@ to_tsquery('simple'::regconfig, %s)"
_PG_IDS = "string_agg(id::text, ',')"


def _pg_document_ids(cursor, words: list[textsearch.QueryWord]) -> list[int]:
    sql = f"SELECT {_PG_IDS} FROM {PG_TABLE} WHERE {_PG_DOCUMENT}"  # noqa: S608 (constants)
    return _ids(_pg_fetch(cursor, sql, [textsearch.tsquery_expression(words)])[0]).tolist()


def _pg_name_ids(cursor, words: list[textsearch.QueryWord]) -> list[int]:
    """Ids whose names hold every word (exactly, or as a prefix for the last word), from the names
    tsvector of NAMES_TABLE."""
    sql = f"SELECT {_PG_IDS} FROM {NAMES_TABLE} WHERE {_PG_NAMES}"  # noqa: S608 (constants)
    return _ids(_pg_fetch(cursor, sql, [textsearch.tsquery_expression(words, with_fuzzy=False)])[0]).tolist()


def match_organisations(
    qs: QuerySet[Organisation], words: list[textsearch.QueryWord]
) -> QuerySet[Organisation]:
    """Filter `qs` to the organisations matching prepared query words (see prepare_query()). On
    PostgreSQL the matching ids are read at once (see _AnyOf)."""
    if not words:
        return qs
    connection = connections[qs.db]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            return qs.filter(_AnyOf(F("pk"), _pg_document_ids(cursor, words)))
    return qs.filter(pk__in=_fts5_ids(words, names_only=False))


def matching_ids(
    words: list[textsearch.QueryWord], *, using: str = "default"
) -> tuple[np.ndarray, np.ndarray]:
    """(ids of every organisation matching prepared query words, ids of those whose names hold every
    word), read straight from the search index for callers that filter and order in memory
    (jumelage.directory.facets). Same meaning as match_organisations() and rank_organisations()'s
    `search_rank`, without their cost on broad queries:

    - SQLite: two FTS5 lookups, no organisation row is read (joining the rows made "logiciel",
      14,365 matches of 100,000, take 28 ms instead of 5 ms).
    - PostgreSQL: the GIN match on the narrow search table returns ids only (on the wide organisation
      rows it visited a heap page per match: 14 ms → 6 ms a query); the names test is a match on
      the names table's tsvector (a quarter of the time of the trigram LIKE it replaced, which
      rechecked each candidate on the wide search rows). Both in one statement (one round trip).
    """
    if not words:
        return _ids(None), _ids(None)
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            match = f"SELECT group_concat(rowid) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"  # noqa: S608 (constant)
            cursor.execute(match, [textsearch.fts5_expression(words, column="search_document")])
            ids = _ids(cursor.fetchone()[0])
            cursor.execute(
                match, [textsearch.fts5_expression(words, column="search_names", with_fuzzy=False)]
            )
            return ids, _ids(cursor.fetchone()[0])
        sql, params = _pg_match(words)
        ids, name_ids = _pg_fetch(cursor, f"SELECT {sql}", params)
        return _ids(ids), _ids(name_ids)


def _pg_match(words: list[textsearch.QueryWord]) -> tuple[str, list]:
    """The document match and the names match as two subqueries (each on its own table) of one SELECT."""
    sql = (
        f"(SELECT {_PG_IDS} FROM {PG_TABLE} WHERE {_PG_DOCUMENT}), "  # noqa: S608 (constants)
        f"(SELECT {_PG_IDS} FROM {NAMES_TABLE} WHERE {_PG_NAMES})"
    )
    return sql, [textsearch.tsquery_expression(words), textsearch.tsquery_expression(words, with_fuzzy=False)]


def rank_organisations(
    qs: QuerySet[Organisation], words: list[textsearch.QueryWord]
) -> QuerySet[Organisation]:
    """Annotate `search_rank` (1 when every word is in the organisation's names) and order by it,
    then by name."""
    if not words:
        return qs.order_by("name", "pk")
    connection = connections[qs.db]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            condition = When(_AnyOf(F("pk"), _pg_name_ids(cursor, words)), then=Value(1))
    else:
        condition = When(pk__in=_fts5_ids(words, names_only=True), then=Value(1))
    rank = Case(condition, default=Value(0), output_field=IntegerField())
    return qs.annotate(search_rank=rank).order_by("-search_rank", "name", "pk")


def search_organisations(qs: QuerySet[Organisation], q: str) -> QuerySet[Organisation]:
    """Filter `qs` to the organisations matching `q`, annotated with `search_rank` (1 when every word
    is in the organisation's names) and ordered by it, then by name. An empty query returns `qs`."""
    words = prepare_query(q, using=qs.db)
    if not words:
        return qs
    return rank_organisations(match_organisations(qs, words), words)
