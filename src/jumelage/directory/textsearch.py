"""Text normalisation and query building for the directory search. Pure Python: no Django import.

Both databases index the same pre-computed text, so search behaves the same on SQLite and PostgreSQL:

- `normalise()` casefolds, strips accents and splits into alphanumeric tokens ("Énergie" → "energie");
- `document_terms()` gives every token with its French, Dutch and English Snowball stems, de-duplicated
  (stemming runs on the accent-free token, so "mobilités", "mobilites" and "mobilité" share "mobilit");
- `parse_query()` turns what a user typed into `QueryWord`s: each word matches any of its stems, the
  last one also as a prefix (search as you type), words are ANDed;
- `typo_distance()` / `within_typo_distance()` decide which known name words a mistyped word may stand
  for ("infoploe" → "infopole", "microsft" → "microsoft").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import snowballstemmer
from rapidfuzz.distance import OSA

LANGUAGES = ("french", "dutch", "english")
MAX_QUERY_WORDS = 8
MAX_TERM_LENGTH = 60
# Characters NFKD does not decompose but people type either way.
_LIGATURES = (("œ", "oe"), ("æ", "ae"), ("ø", "o"), ("ł", "l"), ("đ", "d"), ("ð", "d"), ("þ", "th"))
_TOKEN = re.compile(r"[^\W_]+")

# Very common words, dropped from queries that have other words (they would match almost every
# description and only slow the query down). Documents keep them.
STOPWORDS = frozenset(
    """
    a au aux avec ce ces dans de des du en et est il la le les leur un une ou par pour pas plus que qui
    sa se ses son sur l d s n qu c j
    de het een en van in op te met voor door aan bij uit als is zijn die dat
    the an and of to in on for with by from at or is are as its it be this that
    """.split()  # noqa: SIM905 (a word list reads better as text)
)


# Combining marks (accents) left by NFKD decomposition: the usual blocks, removed by one regex pass.
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")


def strip_accents(text: str) -> str:
    folded = text.casefold()
    if folded.isascii():
        return folded
    for letter, replacement in _LIGATURES:  # str.translate with a table is much slower
        if letter in folded:
            folded = folded.replace(letter, replacement)
    return _COMBINING.sub("", unicodedata.normalize("NFKD", folded))


def normalise(text: str) -> list[str]:
    """Casefolded, accent-free alphanumeric tokens, in order ("L'Énergie 2.0" → ["l", "energie", "2", "0"])."""
    if not text:
        return []
    return [t[:MAX_TERM_LENGTH] for t in _TOKEN.findall(strip_accents(text))]


@lru_cache(maxsize=3)
def _stemmer(language: str):
    return snowballstemmer.stemmer(language)


@lru_cache(maxsize=200_000)
def stems(token: str) -> tuple[str, ...]:
    """The token and its distinct French, Dutch and English stems (the token first)."""
    out = [token]
    if len(token) > 2 and not token.isdigit():
        for language in LANGUAGES:
            stem = _stemmer(language).stemWord(token)
            if stem and stem not in out:
                out.append(stem)
    return tuple(out)


def name_words(names: list[str]) -> list[str]:
    """Distinct normalised words of an organisation's names and aliases, in order."""
    seen: dict[str, None] = {}
    for name in names:
        for token in normalise(name):
            seen.setdefault(token, None)
    return list(seen)


def document_terms(texts: list[str]) -> list[str]:
    """Distinct tokens and stems of all `texts`, in first-seen order."""
    seen: dict[str, None] = {}
    for text in texts:
        for token in normalise(text):
            if token in seen:
                continue
            for term in stems(token):
                seen.setdefault(term, None)
    return list(seen)


@dataclass
class QueryWord:
    """One word of a query. It matches a document holding any of `terms`, or (if `prefix`) any term
    starting with `text`; `fuzzy` holds known name words within typo distance, added by the caller."""

    text: str
    terms: tuple[str, ...]
    prefix: bool = False
    fuzzy: list[str] = field(default_factory=list)

    def alternatives(self, *, with_fuzzy: bool = True) -> list[tuple[str, bool]]:
        """(term, is_prefix) pairs, the prefix form first, without duplicates and without the terms the
        prefix form already matches (each costs the index one more lookup)."""
        out: list[tuple[str, bool]] = []
        if self.prefix:
            out.append((self.text, True))
        for term in (*self.terms, *(self.fuzzy if with_fuzzy else ())):
            if (term, False) not in out and not (self.prefix and term.startswith(self.text)):
                out.append((term, False))
        return out


def parse_query(q: str) -> list[QueryWord]:
    """Words of a query, ANDed; the last word is also a prefix when at least 2 characters long."""
    tokens = normalise(q or "")
    meaningful = [t for t in tokens if t not in STOPWORDS]
    tokens = (meaningful or tokens)[:MAX_QUERY_WORDS]
    # Keep order, drop repeats.
    tokens = list(dict.fromkeys(tokens))
    words = [QueryWord(text=t, terms=stems(t)) for t in tokens]
    if words and len(words[-1].text) >= 2 and not words[-1].text.isdigit():
        words[-1].prefix = True
    return words


def typo_distance(word: str) -> int:
    """How many edits a word of this length may carry: none below 4 letters, 1 up to 8, then 2."""
    n = len(word)
    if n < 4 or word.isdigit():
        return 0
    return 1 if n <= 8 else 2


def within_typo_distance(word: str, candidate: str) -> bool:
    """True when `candidate` is `word` with at most `typo_distance(word)` edits (a swap of two
    neighbouring letters counts as one edit: optimal string alignment distance)."""
    limit = typo_distance(word)
    if limit == 0 or candidate == word or abs(len(candidate) - len(word)) > limit:
        return False
    return OSA.distance(word, candidate, score_cutoff=limit) <= limit


def trigrams(word: str) -> list[str]:
    """Distinct three-letter slices of a word, for finding typo candidates through a trigram index."""
    return list(dict.fromkeys(word[i : i + 3] for i in range(len(word) - 2)))


# --- Query strings for each engine ------------------------------------------------------------------
# Terms come out of normalise()/Snowball, so they hold only letters and digits: quoting them is enough.


def fts5_expression(words: list[QueryWord], *, column: str, with_fuzzy: bool = True) -> str:
    """An SQLite FTS5 MATCH expression: for each word, any alternative in `column`; words ANDed."""
    parts = []
    for word in words:
        alts = [
            f'"{t}"*' if is_prefix else f'"{t}"' for t, is_prefix in word.alternatives(with_fuzzy=with_fuzzy)
        ]
        parts.append(f"{column} : ({' OR '.join(alts)})")
    return " AND ".join(parts)


def tsquery_expression(words: list[QueryWord], *, with_fuzzy: bool = True) -> str:
    """A PostgreSQL to_tsquery('simple', …) expression with the same meaning as fts5_expression()."""
    parts = []
    for word in words:
        alts = [
            f"'{t}':*" if is_prefix else f"'{t}'" for t, is_prefix in word.alternatives(with_fuzzy=with_fuzzy)
        ]
        parts.append("(" + " | ".join(alts) + ")")
    return " & ".join(parts)
