"""The engine's inputs (documents, feedback) and outputs (suggestions with reasons). Plain dataclasses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

ORGANISATION = "organisation"
OPPORTUNITY = "opportunity"
KINDS = (ORGANISATION, OPPORTUNITY)
OFFER = "offer"
REQUEST = "request"
INTENTS = ("", OFFER, REQUEST)

# Caps that keep one document from costing more than any reasonable profile: longer input is cut.
MAX_TEXT_CHARS = 20_000
MAX_PASSAGES = 200


@dataclass(frozen=True, slots=True)
class Text:
    """One passage of text; `language` is an ISO 639-1 code when the author tagged it, else None
    (detected)."""

    text: str
    language: str | None = None


def _texts(value) -> tuple[Text, ...]:
    """Accepts a str, a Text, a mapping language → text ("" or None for untagged) or an iterable of those."""
    if value is None:
        return ()
    if isinstance(value, Text):
        items = [value]
    elif isinstance(value, str):
        items = [Text(value)]
    elif isinstance(value, Mapping):
        items = [Text(str(t), (lang or None)) for lang, t in value.items()]
    else:
        items = []
        for v in value:
            if isinstance(v, Text):
                items.append(v)
            elif isinstance(v, str):
                items.append(Text(v))
            elif isinstance(v, tuple) and len(v) == 2:
                items.append(Text(str(v[0]), v[1] or None))
            else:
                raise TypeError(f"unsupported text item: {v!r}")
    out = [Text(t.text[:MAX_TEXT_CHARS], t.language) for t in items if t.text and t.text.strip()]
    return tuple(out[:MAX_PASSAGES])


def _weights(value) -> dict[str, float]:
    """A mapping key → positive weight, from a mapping or an iterable of keys (each counted)."""
    if not value:
        return {}
    if isinstance(value, Mapping):
        return {str(k): float(v) for k, v in value.items() if k and float(v) > 0}
    if isinstance(value, str):
        return {value: 1.0}
    out: dict[str, float] = {}
    for k in value:
        if k:
            out[str(k)] = out.get(str(k), 0.0) + 1.0
    return out


@dataclass(slots=True)
class Document:
    """An organisation or an opportunity, as the engine sees it.

    - `texts`: passages (description, taglines, past project summaries…): a str, a mapping
      language → text, or a list of str / `Text` / (text, language). Each passage is scored on its own
      and an organisation is as relevant as its best passage (plus a little for breadth).
    - `themes`: theme codes (any vocabulary; unknown ones simply match nothing), or code → weight.
    - `country` (ISO-2), `city`, `ecosystem`: geography; different country or ecosystem = cross-border.
    - `org_type`: e.g. "startup", "investor", "research", "company", "public" (free vocabulary; startup
      and investor drive complementarity). `stages`: a startup's stage, or the stages an investor funds.
    - `intent` ("offer", "request" or ""), `category` (business, technology, rnd, investment, …):
      opportunities only; an offer complements a request of the same category.
    - `owner`: the organisation that published an opportunity (relational signals go through it).
    - `partners`: organisations worked with (id → number of joint projects / meetings, or ids).
    - `groups`: memberships shared with others: network nodes, clusters, programmes ("programme:X").
    - `target_countries`: countries an opportunity looks for partners in.
    """

    id: str
    kind: str = ORGANISATION
    name: str = ""
    texts: object = ()
    themes: object = ()
    country: str = ""
    city: str = ""
    ecosystem: str = ""
    org_type: str = ""
    stages: object = ()
    intent: str = ""
    category: str = ""
    owner: str = ""
    partners: object = ()
    groups: object = ()
    target_countries: object = ()

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise ValueError("a document needs a non-empty string id")
        if self.kind not in KINDS:
            raise ValueError(f"unknown document kind {self.kind!r} (expected one of {', '.join(KINDS)})")
        self.intent = (self.intent or "").lower()
        if self.intent not in INTENTS:
            raise ValueError(f"unknown intent {self.intent!r} (expected offer, request or empty)")
        self.texts = _texts(self.texts)
        self.themes = _weights(self.themes)
        self.partners = {k: v for k, v in _weights(self.partners).items() if k != self.id}
        self.groups = frozenset(str(g) for g in (self.groups or ()) if g)
        self.stages = frozenset(str(s).lower() for s in (self.stages or ()) if s)
        self.target_countries = frozenset(str(c).upper() for c in (self.target_countries or ()) if c)
        self.country = (self.country or "").upper()
        self.org_type = (self.org_type or "").lower()
        self.category = (self.category or "").lower()
        self.city = self.city or ""
        self.name = self.name or ""
        self.ecosystem = self.ecosystem or ""
        self.owner = self.owner or ""

    @property
    def party(self) -> str:
        """The organisation behind the document: its owner for an opportunity, itself otherwise."""
        return self.owner if self.kind == OPPORTUNITY and self.owner else self.id


@dataclass(frozen=True, slots=True)
class Reason:
    """One part of an explanation: a code the UI can translate, the values it names, English text."""

    code: str
    values: tuple[str, ...] = ()
    text: str = ""


@dataclass(frozen=True, slots=True)
class Suggestion:
    id: str
    kind: str
    score: float
    reasons: tuple[Reason, ...] = ()
    contributions: dict[str, float] = field(default_factory=dict)

    @property
    def explanation(self) -> str:
        """The reasons as one short English line ("shared themes: energy; worked with you before")."""
        return "; ".join(r.text for r in self.reasons if r.text)
