"""The directory search: same behaviour on SQLite (FTS5) and PostgreSQL (tsvector + pg_trgm)."""

import pytest
from django.core.management import call_command

from jumelage.directory import search, services, textsearch
from jumelage.directory.models import Organisation

pytestmark = pytest.mark.django_db


def make(name, **fields):
    data = {"name": name, "kind": "startup", "country": "BE", **fields}
    return services.create_organisation(actor=None, data=data, audit=False)


def names(q, qs=None):
    return [o.name for o in search.search_organisations(qs or Organisation.objects.all(), q)]


# --- textsearch (pure) ------------------------------------------------------------------------------


def test_normalise_casefolds_strips_accents_and_splits():
    assert textsearch.normalise("L'Énergie ŒUVRE, e-Santé 2.0 straße") == [
        "l",
        "energie",
        "oeuvre",
        "e",
        "sante",
        "2",
        "0",
        "strasse",
    ]


def test_stems_in_three_languages_share_a_term_across_word_forms():
    assert "mobilit" in textsearch.stems("mobilites")
    assert set(textsearch.stems("ondernemingen")) & set(textsearch.stems("onderneming"))
    assert set(textsearch.stems("companies")) & set(textsearch.stems("company"))


def test_parse_query_ands_words_drops_stopwords_and_prefixes_the_last_word():
    words = textsearch.parse_query("Agence du numéri")
    assert [w.text for w in words] == ["agence", "numeri"]
    assert [w.prefix for w in words] == [False, True]
    # A query made only of stopwords keeps them.
    assert [w.text for w in textsearch.parse_query("de la")] == ["de", "la"]


def test_typo_distance_allows_one_edit_then_two_on_long_words():
    assert textsearch.within_typo_distance("infoploe", "infopole")  # swapped letters: one edit
    assert textsearch.within_typo_distance("microsft", "microsoft")
    assert not textsearch.within_typo_distance("cat", "car")  # too short to guess
    assert textsearch.within_typo_distance("telecommunicatoins", "telecommunications")
    assert not textsearch.within_typo_distance("infopole", "infoplus")


# --- search on the database -------------------------------------------------------------------------


def test_accents_are_ignored_both_ways():
    make("Soleil Wallon", description_fr="Stockage d'énergie solaire pour les PME.")
    make("Sans Accent", description_fr="Plateforme energie verte.")
    assert names("energie") == ["Sans Accent", "Soleil Wallon"]
    assert names("ÉNERGIE") == ["Sans Accent", "Soleil Wallon"]
    assert names("énergie solaire") == ["Soleil Wallon"]


def test_french_word_forms_match():
    make("Partage Urbain", description_fr="Solutions de mobilité partagée pour les villes.")
    assert names("mobilités") == ["Partage Urbain"]
    assert names("villes partagées") == ["Partage Urbain"]


def test_dutch_word_forms_match():
    make("Brugge Digitaal", description_nl="Wij begeleiden ondernemingen bij hun digitale transformatie.")
    assert names("onderneming") == ["Brugge Digitaal"]
    assert names("digitaal transformaties") == ["Brugge Digitaal"]


def test_english_word_forms_match():
    make("Ledger Works", description_en="Accounting software for small companies.")
    assert names("company") == ["Ledger Works"]
    assert names("accounting softwares") == ["Ledger Works"]


def test_tagline_is_searched():
    make("Quiet Sensor", tagline_fr="Capteurs acoustiques pour bâtiments intelligents")
    assert names("capteur acoustique") == ["Quiet Sensor"]


def test_typos_in_names_are_tolerated():
    make("Infopole Cluster TIC", kind="cluster")
    make("Microsoft Belgium", kind="company")
    make("Cluster Twist", kind="cluster")
    assert names("Infopol") == ["Infopole Cluster TIC"]
    assert names("Infoploe") == ["Infopole Cluster TIC"]
    assert names("Microsft") == ["Microsoft Belgium"]
    assert names("microsft belgium") == ["Microsoft Belgium"]
    assert names("twst") == ["Cluster Twist"]


def test_words_the_index_knows_are_not_stretched_to_typos():
    make("Robot Lab", description_en="Robot science.")
    make("Rabot Planner", description_en="Carpentry.")
    assert names("robot") == ["Robot Lab"]


def test_aliases_are_found():
    make("Agence du Numérique", kind="public_body", aliases=["AdN", "Digital Wallonia Agency"])
    assert names("AdN") == ["Agence du Numérique"]
    assert names("wallonia agency") == ["Agence du Numérique"]


def test_every_word_must_match():
    make("Alpha Robotics", description_en="Industrial robots.")
    make("Beta Robotics", description_en="Medical robots.")
    assert names("robotics medical") == ["Beta Robotics"]
    assert names("robots") == ["Alpha Robotics", "Beta Robotics"]


def test_last_word_matches_as_a_prefix():
    make("Microsoft Belgium", kind="company")
    assert names("micros") == ["Microsoft Belgium"]
    assert names("belgium micro") == ["Microsoft Belgium"]


def test_name_matches_come_first():
    make("Aardvark Consulting", description_fr="Nous conseillons les acteurs de la mobilité.")
    make("Mobilité Bruxelles", description_fr="Transports publics.")
    assert names("mobilite") == ["Mobilité Bruxelles", "Aardvark Consulting"]
    ranked = list(search.search_organisations(Organisation.objects.all(), "mobilite"))
    assert [o.search_rank for o in ranked] == [1, 0]


def test_empty_or_punctuation_query_returns_everything():
    make("Alpha")
    make("Beta")
    assert search.search_organisations(Organisation.objects.all(), "  ").count() == 2
    assert search.search_organisations(Organisation.objects.all(), "?!").count() == 2


def test_query_syntax_characters_are_plain_text():
    make("Alpha Robotics")
    assert names('"alpha OR* (robotics) NEAR: -x') == []
    assert names("alpha' & | ! robotics") == ["Alpha Robotics"]


def test_an_update_reindexes_and_forgets_old_words():
    org = make("Changing Co", description_en="Blockchain ledgers.")
    services.update_organisation(
        actor=None, organisation=org, data={"description_en": "Quantum sensors."}, themes=None
    )
    assert names("quantum") == ["Changing Co"]
    assert names("blockchain") == []


def test_deleted_organisation_leaves_the_index():
    org = make("Gone Soon", description_en="Ephemeral things.")
    org.delete()
    assert names("ephemeral") == []
    assert names("gone") == []


def test_reindex_all_indexes_bulk_created_rows():
    Organisation.objects.bulk_create(
        [
            Organisation(
                name=f"Bulk Robot {i}",
                slug=f"bulk-{i}",
                kind="startup",
                country="FR",
                description_fr="Robots de nettoyage",
            )
            for i in range(3)
        ]
    )
    assert names("nettoyage") == []
    assert search.reindex_all() == 3
    assert names("nettoyage") == ["Bulk Robot 0", "Bulk Robot 1", "Bulk Robot 2"]
    assert names("Bulk Robto") == ["Bulk Robot 0", "Bulk Robot 1", "Bulk Robot 2"]


def test_reindex_directory_command(capsys):
    Organisation.objects.create(name="Raw Row", slug="raw-row", kind="startup", country="BE")
    call_command("reindex_directory")
    assert "Indexed 1 organisations" in capsys.readouterr().out
    assert names("raw row") == ["Raw Row"]


def test_search_respects_the_queryset_it_is_given():
    make("Visible Robotics")
    make("Hidden Robotics", published=False)
    assert names("robotics", Organisation.objects.filter(published=True)) == ["Visible Robotics"]


def test_a_search_leaves_the_connection_as_it_found_it():
    """On PostgreSQL the match runs with sequential scans off (search._pg_fetch): the next statements
    on the same connection must plan as before."""
    from django.db import connection

    make("Mobilité Bruxelles", tagline_fr="Logiciels de mobilité")
    make("Capteurs Wallons")
    assert names("logiciel") == ["Mobilité Bruxelles"]
    assert names("mobilites") == ["Mobilité Bruxelles"]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW enable_seqscan")
            assert cursor.fetchone()[0] == "on"
