"""Reading stored suggestions for a page: what the viewer may see, explanations in their language."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext as _

from jumelage.directory.models import Theme
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
        return "; ".join(self.reasons)

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


def _reason_text(reason: dict, theme_labels: dict[str, str], node_names: dict[str, str]) -> str:
    code, values = reason.get("code", ""), [str(v) for v in reason.get("values", [])]
    joined = ", ".join(values)
    if code == "themes":
        return _("shared themes: %(themes)s") % {"themes": ", ".join(theme_labels.get(v, v) for v in values)}
    if code == "text":
        return _("matching words: %(words)s") % {"words": joined}
    if code == "worked_with":
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
        return _("country named in the text: %(country)s") % {"country": joined}
    if code == "cross_border":
        return _("cross-border: %(route)s") % {"route": joined}
    if code == "complement":
        labels = {
            "offer ↔ request": _("an offer for your request"),
            "request ↔ offer": _("a request for your offer"),
            "investor for your stage": _("an investor for your stage"),
            "startup for your investment focus": _("a startup for your investment focus"),
        }
        return labels.get(joined, joined)
    if code == "name":
        return _("named in the text")
    if code == "accepted":
        return _("you found it useful before")
    return reason.get("text", "")


def reason_texts(groups: list[list[dict]]) -> list[list[str]]:
    """Each group of reasons (dicts: code, values, English text) in the current language, reading the
    theme labels and node names they name in two queries for all groups."""
    from jumelage.ecosystems.models import NetworkNode

    codes = {
        v for reasons in groups for x in reasons if x.get("code") == "themes" for v in x.get("values", [])
    }
    theme_labels = {t.code: t.label for t in Theme.objects.filter(code__in=codes)}
    slugs = {
        v.removeprefix("node:")
        for reasons in groups
        for x in reasons
        if x.get("code") in {"same_group", "co_member"}
        for v in x.get("values", [])
    }
    node_names = {f"node:{n.slug}": n.name for n in NetworkNode.objects.filter(slug__in=slugs)}
    return [
        [t for t in (_reason_text(x, theme_labels, node_names) for x in reasons) if t] for reasons in groups
    ]


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
