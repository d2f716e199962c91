"""The reasons behind a suggestion read as a person would write them, in French, Dutch and English:
matching words as their author wrote them (accents, casing), never a stop word or filler, each word once;
countries by name; the reader's punctuation (French: a non-breaking space before ";" and ":")."""

import html
import re

import pytest
from django.test import Client
from django.utils import translation

from jumelage.brokerage.models import Participant
from jumelage.brokerage.suggestions import suggested
from jumelage.directory.models import Membership
from jumelage.matchmaking.engine import Document, MatchEngine
from jumelage.matchmaking.engine.text import same_word, surface_words
from jumelage.matchmaking.queries import join_reasons, reason_texts
from tests.brokerage.conftest import build_brokerage
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.usefixtures("immediate_tasks")  # tests/conftest.py

NBSP = "\u00a0"
# Words that must never be shown as matching words (function words and filler of the three languages).
NEVER = {
    "fr": {
        "notre",
        "nos",
        "nous",
        "cherchons",
        "recherchons",
        "proposons",
        "partenaires",
        "des",
        "les",
        "pour",
    },
    "nl": {"wij", "onze", "zoeken", "bieden", "partners", "van", "het", "voor", "een"},
    "en": {"our", "we", "looking", "offer", "partners", "the", "for", "and", "seek"},
}
WORDS_LABEL = {"fr": "mots en commun", "nl": "overeenkomende woorden", "en": "matching words"}


def client(user, language):
    c = Client(HTTP_ACCEPT_LANGUAGE=language)
    c.force_login(user)
    return c


def why_lines(page: str, css_class: str) -> list[str]:
    """The reasons paragraphs of a page, as the reader sees them (tags dropped, entities decoded)."""
    found = re.findall(rf'<p class="{css_class}">(.*?)</p>', page, flags=re.S)
    return [html.unescape(re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", "", p))).strip(" ") for p in found]


def matching_words(line: str, language: str) -> list[str]:
    """The words after "matching words:" in one line of reasons."""
    sep = f"{NBSP}:" if language == "fr" else ":"
    m = re.search(rf"{WORDS_LABEL[language]}{sep} ([^;]+?)(?:{NBSP if language == 'fr' else ''};|$)", line)
    return [w.strip() for w in m.group(1).split(",")] if m else []


def assert_clean(words: list[str], language: str, written: str):
    assert words, "no matching word shown"
    for w in words:
        assert w.casefold() not in NEVER[language], (w, words)
        # As written (accents kept), but for the capital of a sentence's first word.
        assert w in written or w[:1].upper() + w[1:] in written, f"{w!r} is not written so in the profile"
    folded = [w.casefold() for w in words]
    assert len(set(folded)) == len(folded)


# ---- French: an organisation's suggested partners ------------------------------------------------------

FR_SOURCE = (
    "Nous cherchons des partenaires pour notre plateforme de cybersécurité des hôpitaux. "
    "Énergie, données de santé et cybersécurité : nous proposons aussi des audits."
)
FR_CANDIDATE = (
    "Notre société propose des audits de cybersécurité pour les hôpitaux et la gestion de l’énergie. "
    "Nous recherchons des partenaires en Belgique pour nos données."
)


def test_a_french_reader_sees_the_accented_words_of_the_profile_and_french_typography(world):
    be = world.be_org
    be.description_fr = FR_SOURCE
    be.save()
    lille = OrganisationFactory(
        name="Clinique Numérique",
        slug="clinique-numerique",
        country="FR",
        city="Lille",
        description_fr=FR_CANDIDATE,
    )
    Membership.objects.create(organisation=lille, ecosystem=world.frenchtech)
    user = world.users["representative"]  # represents the Walloon startup: its page computes at once
    page = client(user, "fr").get(f"/organisations/{be.slug}/suggestions/").content.decode()

    lines = [line for line in why_lines(page, "suggestion-why") if WORDS_LABEL["fr"] in line]
    assert lines, page
    line = lines[0]
    words = matching_words(line, "fr")
    assert_clean(words, "fr", FR_SOURCE)
    assert {"cybersécurité", "hôpitaux"} <= set(words), line
    assert not {"cybersecurite", "hopitaux", "energie", "donnees"} & set(words), line
    # French typography: a non-breaking space before every colon and semicolon, never a bare one.
    assert f"mots en commun{NBSP}: " in line
    assert f"{NBSP}; " in line, line
    assert not re.search(r"[^\u00a0][;:]", line), line
    # Countries by name, in French.
    assert "transfrontalier (Belgique → France)" in line, line
    assert "BE → FR" not in page


# ---- Dutch and English: the B2B catalogue's "suggested people to meet" -------------------------------

NL_TEXTS = {
    "Anna": (
        "Wij bieden cyberbeveiliging voor ziekenhuizen en het beheer van gegevens.",
        "Wij zoeken partners.",
    ),
    "Bruno": ("Onze ziekenhuizen zoeken cyberbeveiliging.", "Gegevens van ziekenhuizen beveiligen."),
}
EN_TEXTS = {
    "Chloé": ("We offer cybersecurity audits for hospitals.", "We are looking for partners in energy data."),
    "Dirk": (
        "Our company builds cybersecurity services for hospitals.",
        "We seek partners for energy data platforms.",
    ),
}


def b2b_world(world, texts):
    brokerage, people, _staff = build_brokerage(world)
    for name, person in people.items():
        offers, seeks = texts.get(name, ("", ""))
        Participant.objects.filter(pk=person.pk).update(offers=offers, seeks=seeks)
    return brokerage, people


@pytest.mark.parametrize(
    ("language", "texts", "reader", "other", "expected"),
    [
        ("nl", NL_TEXTS, "Anna", "Bruno", {"cyberbeveiliging", "ziekenhuizen", "gegevens"}),
        ("en", EN_TEXTS, "Chloé", "Dirk", {"cybersecurity", "hospitals", "energy"}),
    ],
)
def test_a_dutch_or_english_participant_sees_their_own_words_and_no_filler(
    world, language, texts, reader, other, expected
):
    brokerage, people = b2b_world(world, texts)
    page = client(people[reader].user, language).get(f"/events/{brokerage.event.slug}/b2b/").content.decode()
    section = page[page.index('id="suggestions-title"') :]
    section = section[: section.index("</section>")]
    assert other in section
    line = next(line for line in why_lines(section, "help") if WORDS_LABEL[language] in line)
    words = matching_words(line, language)
    assert_clean(words, language, " ".join(texts[reader]))
    assert set(words) & expected, line
    assert NBSP not in line  # Dutch and English: no space before ";" or ":"
    assert re.search(r"\w; \w|\w: \w", line), line


def test_a_french_participant_reads_french_reasons_with_country_names(world):
    brokerage, people = b2b_world(
        world,
        {
            "Anna": (
                "Nous proposons la gestion de l’énergie des hôpitaux.",
                "Nous cherchons des partenaires.",
            ),
            "Bruno": ("Énergie verte pour les hôpitaux.", "Notre équipe cherche des partenaires."),
        },
    )
    page = client(people["Anna"].user, "fr").get(f"/events/{brokerage.event.slug}/b2b/").content.decode()
    lines = why_lines(page, "help")
    line = next(line for line in lines if WORDS_LABEL["fr"] in line)
    assert line.startswith(f"Pourquoi{NBSP}: ")
    assert f"transfrontalier (Belgique → France){NBSP}; mots en commun{NBSP}: " in line, line
    assert set(matching_words(line, "fr")) == {"énergie", "hôpitaux"}, line


def test_someone_sharing_only_filler_words_is_not_suggested(world):
    brokerage, people = b2b_world(
        world,
        {
            "Anna": ("Nous cherchons des partenaires.", "Notre équipe cherche des partenaires."),
            "Bruno": ("Nous cherchons des partenaires.", ""),
        },
    )
    assert [p.name for p, _reasons in suggested(brokerage, people["Anna"])] == []


# ---- The engine's words, without Django ------------------------------------------------------------


def test_the_same_word_in_two_forms_is_shown_once_in_the_form_its_author_wrote():
    engine = MatchEngine()
    engine.rebuild(
        [
            Document(
                "be",
                country="BE",
                texts=[
                    ("Énergie et cybersécurité pour les hôpitaux. Notre énergie.", "fr"),
                    ("Energy and cybersecurity for hospitals.", "en"),
                ],
            ),
            Document("fr", country="FR", texts=[("Cybersécurité des hôpitaux, énergie.", "fr")]),
            Document("nl", country="NL", texts=[("Cyberbeveiliging van ziekenhuizen en energie.", "nl")]),
        ]
    )
    got = {s.id: s for s in engine.recommend("be", k=2)}
    words = next(r.values for r in got["fr"].reasons if r.code == "text")
    assert sorted(words) == ["cybersécurité", "hôpitaux", "énergie"]  # not "energy", "cybersecurity" too
    assert same_word("cybersécurité", "cybersecurity") and same_word("Énergie", "energie")
    assert not same_word("informatique", "information")


def test_matched_words_keep_the_writer_s_casing_but_not_a_sentence_s_capital():
    text = "Énergie pour la Wallonie. Capteurs IoT. Nous cherchons des capteurs."
    got = surface_words([(text, "fr")], {"energ", "wallon", "iot", "capteur", "cherchon", "nous"})
    assert got.get("energ") == "énergie"
    assert got.get("wallon") == "Wallonie"
    assert got.get("iot") == "IoT"
    assert got.get("capteur") == "capteurs"  # the lower-case occurrence wins over "Capteurs"
    assert "cherchon" not in got and "nous" not in got


def test_reasons_stored_before_read_well_too_with_countries_and_ecosystems_by_name(world):
    stored = [
        {"code": "text", "values": ["notre", "energie", "partenaires"], "text": "matching words: …"},
        {"code": "country_named", "values": ["NL"], "text": "country named in the text: NL"},
        {"code": "cross_border", "values": ["digital-wallonia → la-french-tech"], "text": "cross-border: …"},
        {"code": "worked_with", "values": ["you"], "text": "worked with you before"},
    ]
    with translation.override("fr"):
        (fr,) = reason_texts([stored])
        line = join_reasons(fr)
    assert line == (
        f"mots en commun{NBSP}: energie{NBSP}; pays cité dans le texte{NBSP}: Pays-Bas{NBSP}; "
        f"transfrontalier (Digital Wallonia → La French Tech){NBSP}; a déjà travaillé avec vous"
    )
    with translation.override("nl"):
        (nl,) = reason_texts([stored[1:2]])
    assert nl == ["land genoemd in de tekst: Nederland"]
    with translation.override("en"):
        (only_filler,) = reason_texts([[{"code": "text", "values": ["notre", "partners"], "text": ""}]])
    assert only_filler == []  # nothing left to say: no "matching words:" with nothing after it


def test_the_matching_words_are_shown_even_when_places_and_names_weigh_more():
    engine = MatchEngine()
    engine.rebuild(
        [
            Document(
                "be",
                country="BE",
                texts=[
                    ("Nous cherchons la Clinique Numérique de Lille, en France, pour la cybersécurité.", "fr")
                ],
            ),
            Document(
                "fr",
                name="Clinique Numérique",
                country="FR",
                city="Lille",
                texts=[("Audits de cybersécurité des hôpitaux.", "fr")],
            ),
        ]
    )
    (got,) = engine.recommend("be", k=1)
    codes = [r.code for r in got.reasons]
    assert {"country_named", "name", "place", "cross_border"} & set(codes), codes
    assert ("text", ("cybersécurité",)) in [(r.code, r.values) for r in got.reasons], got.reasons


def test_a_city_both_named_in_the_text_and_shared_is_one_reason():
    engine = MatchEngine()
    engine.rebuild(
        [
            Document("a", country="FR", city="Lille", texts=[("Cybersécurité des hôpitaux à Lille.", "fr")]),
            Document("b", country="FR", city="Lille", texts=[("Audits de cybersécurité à Lille.", "fr")]),
        ]
    )
    (got,) = engine.recommend("a", k=1)
    city_reasons = [r for r in got.reasons if r.code in {"place", "same_city"}]
    assert [r.values for r in city_reasons] == [("Lille",)], got.reasons


def test_a_place_already_given_as_a_reason_is_not_repeated_among_the_matching_words(world):
    stored = [
        {"code": "country_named", "values": ["FR"], "text": "country named in the text: FR"},
        {"code": "place", "values": ["Namur"], "text": "place named in the text: Namur"},
        {"code": "text", "values": ["France", "namur", "cybersécurité"], "text": "matching words: …"},
    ]
    for language, country in (("fr", "France"), ("nl", "Frankrijk"), ("en", "France")):
        with translation.override(language):
            (texts,) = reason_texts([stored])
        assert texts[0].endswith(country) and texts[1].endswith("Namur"), texts
        assert texts[2].endswith(": cybersécurité"), texts  # neither "France" nor "namur" again
    # without the place reasons the same words are matching words
    with translation.override("en"):
        (alone,) = reason_texts([stored[2:]])
    assert alone == ["matching words: France, namur, cybersécurité"]
