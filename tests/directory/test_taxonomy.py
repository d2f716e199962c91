"""The shared theme taxonomy: the shipped vocabulary and the SKOS import (jumelage manage import_taxonomy)."""

import hashlib

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from jumelage.directory.models import Theme
from jumelage.directory.taxonomy import load_theme_list

SKOS = """\
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix ex: <https://vocab.example.org/themes/> .
@prefix other: <https://other.example.org/> .

ex:scheme a skos:ConceptScheme ;
    skos:prefLabel "Thèmes d'exemple"@fr ;
    skos:hasTopConcept ex:smart-city .

ex:smart-city a skos:Concept ;
    skos:inScheme ex:scheme ;
    skos:topConceptOf ex:scheme ;
    skos:prefLabel "Ville intelligente"@fr, "Slimme stad"@nl, "Smart city"@en .

ex:mobility a skos:Concept ;
    skos:inScheme ex:scheme ;
    skos:broader ex:smart-city ;
    skos:prefLabel "{mobility_fr}"@fr, "Mobiliteit"@nl, "Mobility"@en .

ex:energy a skos:Concept ;
    skos:inScheme ex:scheme ;
    skos:prefLabel "Énergie"@fr, "Energy"@en .

ex:smart-city skos:narrower ex:energy .

other:scheme a skos:ConceptScheme ; skos:prefLabel "Other"@en .

other:mobility a skos:Concept ;
    skos:inScheme other:scheme ;
    skos:prefLabel "Mobility (other vocabulary)"@en .
"""


def code_hash(*themes):
    """The 8-hex suffix of whichever of two same-named concepts got the longer code."""
    longer = max(themes, key=lambda t: len(t.code))
    return hashlib.sha1(longer.uri.encode(), usedforsecurity=False).hexdigest()[:8]


def write(tmp_path, text, name="themes.ttl"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run(*args):
    from io import StringIO

    out, err = StringIO(), StringIO()
    with translation.override("en"):
        call_command("import_taxonomy", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_import_reads_concepts_labels_and_hierarchy(tmp_path):
    path = write(tmp_path, SKOS.format(mobility_fr="Mobilité"))
    out, _err = run(path)

    assert "4 concepts read: 4 created, 0 updated, 0 unchanged." in out
    mobility = Theme.objects.get(uri="https://vocab.example.org/themes/mobility")
    assert (mobility.label_fr, mobility.label_nl, mobility.label_en) == ("Mobilité", "Mobiliteit", "Mobility")
    assert mobility.parent.code == "smart-city"
    with translation.override("en"):
        assert mobility.path == "Smart city › Mobility"
    # skos:narrower is read too
    assert Theme.objects.get(code="energy").parent.code == "smart-city"
    # the same local name in another vocabulary gets its own, still stable, code
    other = Theme.objects.get(uri="https://other.example.org/mobility")
    assert {mobility.code, other.code} == {"mobility", f"mobility-{code_hash(mobility, other)}"}
    # no French label: the English one stands in, and the user is told
    assert other.label_fr == "Mobility (other vocabulary)"


@pytest.mark.django_db
def test_reimport_updates_labels_and_keeps_codes(tmp_path):
    run(write(tmp_path, SKOS.format(mobility_fr="Mobilité")))
    codes = dict(Theme.objects.values_list("uri", "code"))

    out, _err = run(write(tmp_path, SKOS.format(mobility_fr="Mobilité durable"), "v2.ttl"))

    assert "4 concepts read: 0 created, 1 updated, 3 unchanged." in out
    assert Theme.objects.count() == 4
    assert dict(Theme.objects.values_list("uri", "code")) == codes
    assert Theme.objects.get(uri="https://vocab.example.org/themes/mobility").label_fr == "Mobilité durable"


@pytest.mark.django_db
def test_scheme_option_imports_one_scheme_only(tmp_path):
    out, _err = run(
        write(tmp_path, SKOS.format(mobility_fr="Mobilité")), "--scheme", "https://other.example.org/scheme"
    )

    assert "1 concepts read: 1 created" in out
    assert list(Theme.objects.values_list("uri", flat=True)) == ["https://other.example.org/mobility"]


@pytest.mark.django_db
def test_unknown_scheme_names_the_schemes_of_the_file(tmp_path):
    path = write(tmp_path, SKOS.format(mobility_fr="Mobilité"))
    with pytest.raises(CommandError) as exc:
        run(path, "--scheme", "https://nowhere.example.org/x")
    assert "Concept scheme https://nowhere.example.org/x is not in the file" in str(exc.value)
    assert "https://vocab.example.org/themes/scheme" in str(exc.value)
    assert not Theme.objects.exists()


@pytest.mark.django_db
def test_bad_turtle_gives_a_clear_error_and_writes_nothing(tmp_path):
    path = write(
        tmp_path,
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\nthis is not turtle ;;\n",
        "broken.ttl",
    )
    with pytest.raises(CommandError) as exc:
        run(path)
    message = str(exc.value)
    assert message.startswith("Could not read broken.ttl as turtle:")
    assert "line 2" in message
    assert not Theme.objects.exists()


@pytest.mark.django_db
def test_file_without_concepts_and_missing_file_are_refused(tmp_path):
    empty = write(tmp_path, "@prefix ex: <https://e.example.org/> .\nex:a ex:b ex:c .\n", "empty.ttl")
    with pytest.raises(CommandError, match=r"No skos:Concept found in empty\.ttl"):
        run(empty)
    with pytest.raises(CommandError, match=r"File .*missing\.ttl not found"):
        run(tmp_path / "missing.ttl")


@pytest.mark.django_db
def test_cycle_of_broader_concepts_is_refused(tmp_path):
    text = """\
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix ex: <https://vocab.example.org/> .
ex:a a skos:Concept ; skos:prefLabel "A"@fr ; skos:broader ex:b .
ex:b a skos:Concept ; skos:prefLabel "B"@fr ; skos:broader ex:a .
"""
    with pytest.raises(CommandError, match="form a cycle"):
        run(write(tmp_path, text))
    assert not Theme.objects.exists()


@pytest.mark.django_db
def test_shipped_vocabulary_is_hierarchical_and_trilingual():
    from jumelage.demo.loader import read_json

    items = read_json("themes.json")["themes"]
    report = load_theme_list(items)
    assert report.created == len(items) >= 25
    mobility = Theme.objects.get(code="mobility")
    with translation.override("fr"):
        assert mobility.path == "Ville intelligente › Mobilité"
    with translation.override("nl"):
        assert mobility.path == "Slimme stad › Mobiliteit"
    assert all(t.label_fr and t.label_nl and t.label_en for t in Theme.objects.all())
    assert load_theme_list(items).created == 0
    assert Theme.objects.count() == len(items)
