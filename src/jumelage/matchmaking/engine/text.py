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
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

import snowballstemmer

from jumelage.directory.textsearch import normalise

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


def query_surface(text: str, language: str | None) -> dict[str, str]:
    """Stem → the first word of `text` it came from, to show matched words in explanations."""
    out: dict[str, str] = {}
    lang = language if language in STEMMERS else None
    for t in tokens(text):
        if len(t) >= 2 and t not in _ALL_STOPWORDS:
            out.setdefault(stem(t, lang), t)
    return out
