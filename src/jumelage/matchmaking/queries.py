"""Reading stored suggestions for a page: what the viewer may see, explanations in their language."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext as _

from jumelage.core.countries import all_names, country_name
from jumelage.directory.models import Theme
from jumelage.matchmaking.engine.text import DISPLAY_STOPWORDS, same_word, tokens
from jumelage.matchmaking.models import OPPORTUNITY, ORGANISATION, Suggestion, SuggestionFeedback


@dataclass
class SuggestionView:
    row: Suggestion
    kind: str
    id: int
    name: str
    url: str
    score: float
    cross_border: bool
    reasons: list[str] = field(default_factory=list)
    accepted: bool = False

    @property
    def explanation(self) -> str:
        return join_reasons(self.reasons)

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "id": self.id,
            "name": self.name,
            "url": self.url,
            "score": self.score,
            "explanation": self.explanation,
            "cross_border": self.cross_border,
        }


ROUTE = " → "  # how the engine writes a cross-border reason's value: "FR → BE" (or ecosystem slugs)


def join_reasons(reasons) -> str:
    """Reasons as one line, with the reader's punctuation (French: a non-breaking space before ";")."""
    # Translators: between two reasons of a suggestion ("shared themes: Energy; matching words: data").
    # French puts a non-breaking space (U+00A0) before the semicolon.
    return _("; ").join(str(r) for r in reasons)


def _is_country(value: str) -> bool:
    return len(value) == 2 and value.isalpha() and value.isupper()


def _place(value: str, ecosystem_names: dict[str, str]) -> str:
    """A country code or an ecosystem slug, as the reader calls it ("BE" → "Belgique" in French)."""
    value = value.strip()
    return country_name(value) if _is_country(value) else ecosystem_names.get(value, value)


def _places_named(reasons: list[dict]) -> list[str]:
    """The places a group's place reasons show already (cities as written, named countries in each
    language): the same word is not repeated among its matching words."""
    places = []
    for reason in reasons:
        code, values = reason.get("code", ""), [str(v) for v in reason.get("values", [])]
        if code in {"place", "same_city"}:
            places += values
        elif code == "country_named":
            places += [name for v in values if _is_country(v) for name in all_names(v)]
    return places


def _reason_text(
    reason: dict,
    theme_labels: dict[str, str],
    node_names: dict[str, str],
    ecosystem_names: dict[str, str] | None = None,
    places: list[str] = (),
) -> str:
    code, values = reason.get("code", ""), [str(v) for v in reason.get("values", [])]
    ecosystem_names = ecosystem_names or {}
    joined = ", ".join(values)
    if code == "themes":
        return _("shared themes: %(themes)s") % {"themes": ", ".join(theme_labels.get(v, v) for v in values)}
    if code == "text":
        # Rows stored before the engine showed words as written may still hold stop words: left out.
        words = [
            w
            for w in values
            if not set(tokens(w)) <= DISPLAY_STOPWORDS and not any(same_word(w, place) for place in places)
        ]
        return _("matching words: %(words)s") % {"words": ", ".join(words)} if words else ""
    if code == "worked_with":
        if values == ["you"]:  # the engine's word for a source without an organisation
            return _("worked with you before")
        return _("worked with %(name)s before") % {"name": joined}
    if code == "network":
        return _("partner of your partners: %(names)s") % {"names": joined}
    if code in {"same_group", "co_member"}:
        return _("also in %(groups)s") % {"groups": ", ".join(node_names.get(v, v) for v in values)}
    if code == "same_city":
        return _("same city: %(city)s") % {"city": joined}
    if code == "place":
        return _("place named in the text: %(place)s") % {"place": joined}
    if code == "country_named":
        names = ", ".join(_place(v, ecosystem_names) for v in values if v)
        return _("country named in the text: %(country)s") % {"country": names} if names else ""
    if code == "cross_border":
        sides = [_place(v, ecosystem_names) for v in joined.split(ROUTE.strip())]
        if len(sides) != 2 or not all(sides):
            return _("across the partnership")
        return _("cross-border (%(from)s → %(to)s)") % {"from": sides[0], "to": sides[1]}
    if code == "complement":
        labels = {
            "offer ↔ request": _("an offer for your request"),
            "request ↔ offer": _("a request for your offer"),
            "investor for your stage": _("an investor for your stage"),
            "startup for your investment focus": _("a startup for your investment focus"),
        }
        return labels.get(joined, joined)
    if code == "name":
        return _("its name appears in the text")
    if code == "accepted":
        return _("you found it useful before")
    return reason.get("text", "")


def reason_texts(groups: list[list[dict]]) -> list[list[str]]:
    """Each group of reasons (dicts: code, values, English text) in the current language, reading the
    theme labels, node names and ecosystem names they name in three queries for all groups."""
    from jumelage.ecosystems.models import Ecosystem, NetworkNode

    def values(*codes: str) -> set[str]:
        return {
            str(v)
            for reasons in groups
            for x in reasons
            if x.get("code") in codes
            for v in x.get("values", [])
        }

    codes = values("themes")
    theme_labels = {t.code: t.label for t in Theme.objects.filter(code__in=codes)} if codes else {}
    slugs = {v.removeprefix("node:") for v in values("same_group", "co_member")}
    node_names = (
        {f"node:{n.slug}": n.name for n in NetworkNode.objects.filter(slug__in=slugs)} if slugs else {}
    )
    places = {
        side.strip()
        for v in values("cross_border", "country_named")
        for side in v.split(ROUTE.strip())
        if side.strip() and not _is_country(side.strip())
    }
    ecosystem_names = {e.slug: e.name for e in Ecosystem.objects.filter(slug__in=places)} if places else {}
    out = []
    for reasons in groups:
        places = _places_named(reasons)
        texts = (_reason_text(x, theme_labels, node_names, ecosystem_names, places) for x in reasons)
        out.append([t for t in texts if t])
    return out


def suggestions_for(user, subject_kind: str, subject_pk: int) -> list[SuggestionView]:
    """The stored suggestions of a subject that `user` may see, best first (organisations, then
    opportunities), dismissed ones left out, with explanations in the current language."""
    from jumelage.directory.queries import visible_to as organisations_visible_to
    from jumelage.opportunities.queries import visible_to as opportunities_visible_to

    rows = list(
        Suggestion.objects.filter(subject_kind=subject_kind, subject_id=subject_pk).order_by(
            "target_kind", "rank"
        )
    )
    if not rows:
        return []
    feedback = {
        (f.target_kind, f.target_id): f.verdict
        for f in SuggestionFeedback.objects.filter(subject_kind=subject_kind, subject_id=subject_pk)
    }
    org_ids = [r.target_id for r in rows if r.target_kind == ORGANISATION]
    opp_ids = [r.target_id for r in rows if r.target_kind == OPPORTUNITY]
    orgs = {
        o.pk: o
        for o in organisations_visible_to(user)
        .filter(pk__in=org_ids, published=True)
        .only("pk", "name", "slug")
    }
    opps = {
        o.pk: o
        for o in opportunities_visible_to(user)
        .filter(pk__in=opp_ids, status="published")
        .select_related("organisation")
        .only("pk", "title", "organisation__name")
    }
    texts = reason_texts([r.reasons for r in rows])
    out = []
    for index, r in enumerate(rows):
        verdict = feedback.get((r.target_kind, r.target_id))
        if verdict == SuggestionFeedback.Verdict.DISMISSED:
            continue
        if r.target_kind == ORGANISATION:
            target = orgs.get(r.target_id)
            if target is None:
                continue
            name, url = target.name, reverse("directory:organisation-detail", args=[target.slug])
        else:
            target = opps.get(r.target_id)
            if target is None:
                continue
            name = f"{target.title} ({target.organisation.name})"
            url = reverse("opportunities:opportunity-detail", args=[target.pk])
        reasons = texts[index]
        if r.cross_border and not any(x.get("code") == "cross_border" for x in r.reasons):
            reasons.append(_("across the partnership"))
        out.append(
            SuggestionView(
                row=r,
                kind=r.target_kind,
                id=r.target_id,
                name=name,
                url=url,
                score=round(r.score, 3),
                cross_border=r.cross_border,
                reasons=reasons,
                accepted=verdict == SuggestionFeedback.Verdict.ACCEPTED,
            )
        )
    return out


def has_been_computed(subject_kind: str, subject_pk: int) -> bool:
    return Suggestion.objects.filter(subject_kind=subject_kind, subject_id=subject_pk).exists()
