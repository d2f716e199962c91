"""Text analysis for the matchmaking engine: language detection, accent folding, per-language stemming.

Pure Python (no Django). A text is tokenised with the directory search's normalisation (casefolded,
accents stripped: "Énergie" → "energie"), its language is detected, the language's stopwords are dropped
and every remaining token is stemmed with that language's Snowball stemmer ("mobilités" → "mobilit"),
then lightly folded (trailing vowels dropped) so that French, Dutch and English stems of a cognate meet.

Language detection is two-stage, because most texts are long and the product cares about three languages:
1. count very common function words of French, Dutch, English (and German, Italian, Spanish, which appear
   in cross-border project texts): on a paragraph this is decisive and costs nothing extra;
2. texts too short for that (a title, a tagline) go to py3langid (a maintained, pure-Python + numpy port of
   langid.py), restricted to the same languages; below `MIN_CONFIDENCE` the text stays "unknown".
An unknown or unsupported language is not stemmed (tokens are still accent-free and casefolded), so a
text in an unexpected language still matches itself and other texts sharing its words.

Explanations show matched words as their author wrote them ("énergie", "cybersécurité", "gegevens"), never
a stem or a folded form: `surface_words` maps index terms back to the source text's own words, leaving out
`DISPLAY_STOPWORDS` (function words and profile filler that explain nothing: "notre", "cherchons",
"zoeken", "partners"), and `same_word` tells two shown words that are one word in two forms.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Container, Iterable
from functools import lru_cache

import snowballstemmer

from jumelage.directory.textsearch import MAX_TERM_LENGTH, normalise

# Language code → Snowball algorithm. FR/NL/EN are the product's languages; the others occur in the
# cross-border benchmark data and cost nothing to support.
STEMMERS = {
    "fr": "french",
    "nl": "dutch",
    "en": "english",
    "de": "german",
    "it": "italian",
    "es": "spanish",
}
LANGUAGES = tuple(STEMMERS)
MIN_CONFIDENCE = 0.8
# A text whose best language has at least this many stopword hits, twice the runner-up, is decided
# by stopwords alone.
MIN_STOPWORD_HITS = 4

# Frequent function words (accent-free, as `normalise` yields them). They decide the language and are
# not indexed.
_STOPWORDS_TEXT = {
    "fr": """le la les l un une des du de d et ou en au aux dans sur pour par avec sans ce cette ces
        qui que qu est sont a ont il elle ils nous vous leur leurs son sa ses se pas plus ne n s c j""",
    "nl": """de het een en van in op te met voor door aan bij uit als is zijn die dat dit deze niet ook
        er om naar wordt worden of hun wij we zij ze tot over maar""",
    "en": """the a an and of to in on for with by from at or is are as its it be this that these those
        will was were been has have which their our we can into not also such""",
    "de": """der die das und zu den des dem ein eine einer eines mit von fur im auf ist sind sich nicht
        auch als wird werden oder bei aus dass zur zum""",
    "it": """il lo la i gli le di del della dei delle e ed un una per con su nel nella che non sono al
        alla da dal tra come anche piu""",
    "es": """el la los las de del y un una unos por para con en que se no es son al lo como su sus
        mas entre sobre desde""",
}
STOPWORDS: dict[str, frozenset[str]] = {
    lang: frozenset(words.split()) for lang, words in _STOPWORDS_TEXT.items()
}
_ALL_STOPWORDS = frozenset().union(*STOPWORDS.values())
_STOPWORD_LANGS: dict[str, tuple[str, ...]] = {}
for _lang, _words in STOPWORDS.items():
    for _w in _words:
        _STOPWORD_LANGS[_w] = (*_STOPWORD_LANGS.get(_w, ()), _lang)


def tokens(text: str) -> list[str]:
    """Casefolded, accent-free alphanumeric tokens ("L'Énergie 2.0" → ["l", "energie", "2", "0"]): the
    directory search's normalisation (pure Python too), so both features read text the same way."""
    return normalise(text)


@lru_cache(maxsize=1)
def _identifier():
    # Loaded once, lazily (≈0.5 s): most texts never need it.
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    return identifier


def _stopword_vote(raw: set[str]) -> tuple[str | None, bool]:
    """(best language by stopword hits, whether the vote is decisive)."""
    # Distinct stopwords present, per language.
    hits = Counter(lang for t in raw.intersection(_STOPWORD_LANGS) for lang in _STOPWORD_LANGS[t])
    if not hits:
        return None, False
    ranked = hits.most_common(2)
    best, n = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0
    return best, n >= MIN_STOPWORD_HITS and n >= 2 * second


def detect_language(text: str, raw: set[str] | None = None) -> str | None:
    """ISO 639-1 code of `text` among `LANGUAGES`, or None when too unsure (empty, numbers, other language)."""
    raw = set(tokens(text)) if raw is None else raw
    if not raw:
        return None
    best, decisive = _stopword_vote(raw)
    if decisive:
        return best
    sample = text[:400]
    if sum(c.isalpha() for c in sample) < 3:
        return None
    lang, confidence = _identifier().classify(sample)
    return lang if confidence >= MIN_CONFIDENCE else None


# Language → {token: stem}: a plain dict lookup per distinct token of a passage.
_STEM_CACHE: dict[tuple[str | None, str | None], dict[str, str]] = {}


@lru_cache(maxsize=8)
def _stemmer(algorithm: str):
    return snowballstemmer.stemmer(algorithm)


@lru_cache(maxsize=400_000)
def stem(token: str, language: str | None) -> str:
    """The token's stem in `language` (the token itself when unknown, short or a number)."""
    if language is None or len(token) <= 2 or token.isdigit():
        return token
    algorithm = STEMMERS.get(language)
    if algorithm is None:
        return token
    return fold(_stemmer(algorithm).stemWord(token) or token)


def fold(stem_: str) -> str:
    """Drop trailing vowels (and y) of a stem down to 4 letters, so that the three languages' stems of
    one cognate meet: énergie/energy/energie → "energ", batteries (fr)/batteries (en) → "batter",
    technologie/technology → "technolog"."""
    end = len(stem_)
    while end > 4 and stem_[end - 1] in "aeiouy":
        end -= 1
    return stem_[:end]


def analyse(text: str, language: str | None = None) -> tuple[str | None, Counter[str]]:
    """(language used, term frequencies): stopwords dropped, tokens stemmed in the text's language.

    `language` forces the language (a text tagged by its author); otherwise it is detected. A language
    outside `LANGUAGES` is treated as unknown: tokens are kept unstemmed.
    """
    toks = tokens(text)
    distinct = set(toks)
    language = (language.lower()[:2] or None) if language is not None else detect_language(text, distinct)
    stop = STOPWORDS.get(language, _ALL_STOPWORDS) if language else _ALL_STOPWORDS
    stem_language = language if language in STEMMERS else None
    # token → stem, "" for stopwords and one-letter tokens; counted in C by Counter.
    cache = _STEM_CACHE.setdefault((language, stem_language), {})
    if len(cache) > 500_000:
        cache.clear()
    for t in [t for t in distinct if t not in cache]:
        cache[t] = "" if t in stop or len(t) < 2 else stem(t, stem_language)
    counts = Counter(map(cache.__getitem__, toks))
    counts.pop("", None)
    return language, counts


# ---- Words shown in explanations ------------------------------------------------------------------------

# Never shown as a "matching word", whatever the text's language (accent-free, as `normalise` yields them).
# Indexing keeps its short lists above (the ranking and its benchmark rest on them; BM25's idf already
# makes these words weigh little); this longer list only keeps explanations free of words that explain
# nothing. Function words after the Snowball project's French, Dutch and English stop-word lists
# (snowballstem.org, BSD licence; no maintained list is a dependency of the project), plus the filler of
# partner-search profiles: seeking, offering and wishing verbs, "partner" and "partnership".
_DISPLAY_STOPWORDS_TEXT = {
    "fr": """au aux avec ce ces dans de des du elle en et eux il ils je la le les leur leurs lui ma mais me
        meme mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi ton
        tu un une vos votre vous c d j l a m n s t y ete etee etees etes etant suis es est sommes etes sont
        serai seras sera serons serez seront serais serait serions seriez seraient etais etait etions etiez
        etaient fus fut fumes futes furent sois soit soyons soyez soient fusse fusses fussions fussiez
        fussent ayant eu eue eues eus ai as avons avez ont aurai auras aura aurons aurez auront aurais
        aurait aurions auriez auraient avais avait avions aviez avaient eut eumes eutes eurent aie aies ait
        ayons ayez aient eusse eusses eut eussions eussiez eussent ceci cela cet cette ici ils les
        leurs quel quels quelle quelles sans soi tout tous toute toutes tres plus moins aussi ainsi dont
        comme entre vers chez afin etc peut peuvent pouvons pouvez faire fait font faisons avons ou
        cherchons cherche cherchent chercher recherchons recherchent proposons propose proposent proposer
        offrons offre offrent offrir souhaitons souhaite souhaitent souhaiter voulons veut veulent vouloir
        desirons partenaire partenaires partenariat partenariats""",
    "nl": """aan al alles als altijd andere ben bij daar dan dat de der deze die dit doch doen door dus een
        eens en er ge geen geweest haar had heb hebben heeft hem het hier hij hoe hun iemand iets ik in is
        ja je kan kon kunnen maar me meer men met mij mijn moet na naar niet niets nog nu of om omdat onder
        ons onze ook op over reeds te tegen toch toen tot u uit uw van veel voor want waren was wat werd
        wezen wie wil worden wordt zal ze zelf zich zij zijn zo zonder zou jullie onze hun via per tussen
        binnen sinds zoals waar welke wij we elke ieder hebt zoek zoeken zoekt gezocht bieden biedt bied
        aanbieden aangeboden willen wensen wenst partner partners partnerschap partnerschappen""",
    "en": """a about above after again against all am an and any are as at be because been before being
        below between both but by can could did do does doing down during each few for from further had has
        have having he her here hers herself him himself his how i if in into is it its itself just me more
        most my myself no nor not now of off on once only or other our ours ourselves out over own same she
        should so some such than that the their theirs them themselves then there these they this those
        through to too under until up very was we were what when where which while who whom why will with
        would you your yours yourself yourselves us also via per within across among etc
        seek seeks seeking sought look looks looking offer offers offering offered provide provides
        providing wish wishes want wants partner partners partnership partnerships""",
}
DISPLAY_STOPWORDS: frozenset[str] = _ALL_STOPWORDS.union(
    *(w.split() for w in _DISPLAY_STOPWORDS_TEXT.values())
)

_WORD = re.compile(r"[^\W_]+")
# A word that opens a sentence: at the start, or after a sentence's end (or a bullet, a dash, a line
# break) and any spaces, opening quotes and brackets.
_OPENING_WORD = re.compile(r"(?:^|[.!?…:;\n\r•·*–—|])[ \t\u00a0\u202f\"'«“‘(\[]*([^\W_]+)")


def surface_words(passages: Iterable[tuple[str, str | None]], wanted: Container[str]) -> dict[str, str]:
    """Index term → the word of the passages it came from, as written, for the `wanted` terms.

    `passages`: (text, language as `analyse` used it). Stop words and filler (`DISPLAY_STOPWORDS`) and
    numbers are left out. Among a term's occurrences the accented form wins ("énergie" over "energie"),
    then one written in lower case, then one capitalised inside a sentence (a name, an acronym: "IoT");
    a word only seen capitalised at a sentence's start is shown in lower case ("Énergie" → "énergie")."""
    best: dict[str, tuple[tuple[int, int, int], str]] = {}
    order = 0
    for raw, language in passages:
        text = raw if raw.isascii() else unicodedata.normalize("NFC", raw)
        stem_language = language if language in STEMMERS else None
        stop = STOPWORDS.get(language, _ALL_STOPWORDS) if language else _ALL_STOPWORDS
        cache = _STEM_CACHE.get((language, stem_language), {})
        written = _WORD.findall(text)
        opening: Counter[str] | None = None  # words at a sentence's start, counted for capitalised words
        every: Counter[str] | None = None
        for word in dict.fromkeys(written):  # each distinct spelling once, in order of appearance
            if word.isascii():
                token = word.lower()[:MAX_TERM_LENGTH]
            else:  # folded as the index folds it ("Énergie" → "energie"); skip what it would split
                parts = tokens(word)
                if len(parts) != 1:
                    continue
                token = parts[0]
            if token in DISPLAY_STOPWORDS or token.isdigit():
                continue
            term = cache.get(token)
            if term is None:
                term = "" if token in stop or len(token) < 2 else stem(token, stem_language)
            if not term or term not in wanted:
                continue
            order += 1
            if word == word.lower():
                casing = 0
            else:
                if opening is None or every is None:
                    opening, every = Counter(_OPENING_WORD.findall(text)), Counter(written)
                if every[word] > opening[word]:  # also inside a sentence: a name, an acronym
                    casing = 1
                else:
                    casing = 2
                    if word[1:] == word[1:].lower():
                        word = word[0].lower() + word[1:]
            rank = (0 if word.isascii() else -sum(not c.isascii() for c in word), casing, order)
            kept = best.get(term)
            if kept is None or rank < kept[0]:
                best[term] = (rank, word)
    return {term: word for term, (_rank, word) in best.items()}


@lru_cache(maxsize=4096)
def _word_keys(word: str) -> frozenset[str]:
    folded = " ".join(tokens(word))
    return frozenset({folded, *(stem(folded, lang) for lang in ("fr", "nl", "en"))})


def same_word(a: str, b: str) -> bool:
    """Whether two shown words are one word in two forms: accents or case ("energie", "Énergie"),
    inflection ("hôpital", "hôpitaux") or the French, Dutch and English forms of one cognate
    ("cybersécurité", "cybersecurity")."""
    return not _word_keys(a).isdisjoint(_word_keys(b))
