"""People to meet at a brokerage: the matchmaking engine (jumelage.matchmaking.engine) run over the
brokerage's participants only.

Each participant is one engine document: what they offer and seek, their themes, and what the
directory knows of their organisation (descriptions, themes, market needs, network nodes, past
partners) and of its published opportunities. The engine ranks the other participants by the same
signals as partner search (text, themes, complementarity, worked with, network…) and explains each
suggestion; at least half are from the other side of the partnership whenever enough relevant ones
exist. The engine of a brokerage is built once per process and rebuilt when a participant joins or
changes, or one of their organisations changes (a few hundred documents: milliseconds)."""

from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict

from django.db.models import Count, Max

from jumelage.brokerage.models import Participant
from jumelage.directory.models import Organisation
from jumelage.matchmaking import service
from jumelage.matchmaking.engine import Document, Text
from jumelage.matchmaking.models import ORGANISATION
from jumelage.matchmaking.queries import reason_texts
from jumelage.matchmaking.rows import _Lookups, key, organisation_documents

KEPT = 16  # brokerages whose engine a process keeps


def doc_id(participant_pk: int) -> str:
    return f"participant-{participant_pk}"


def _pk(document_id: str) -> int:
    return int(document_id.removeprefix("participant-"))


def _fingerprint(brokerage) -> tuple:
    people = brokerage.participants.aggregate(n=Count("pk"), at=Max("updated_at"))
    orgs = Organisation.objects.filter(
        pk__in=brokerage.participants.exclude(organisation=None).values("organisation_id")
    ).aggregate(at=Max("updated_at"))
    return people["n"], people["at"], orgs["at"]


def participant_documents(brokerage) -> tuple[list[Document], dict[str, int]]:
    """The engine documents of a brokerage's participants, and each document's organisation id."""
    from jumelage.opportunities.models import Opportunity

    people = list(brokerage.participants.values_list("pk", "name", "organisation_id", "offers", "seeks"))
    org_ids = {org for _pk, _name, org, _o, _s in people if org}
    lookups = _Lookups(org_ids)
    orgs = {
        doc.id: doc for doc in organisation_documents(Organisation.objects.filter(pk__in=org_ids), lookups)
    }
    opportunity_texts: dict[int, list[str]] = defaultdict(list)
    for org, title, d_fr, d_nl, d_en in Opportunity.objects.filter(
        organisation_id__in=org_ids, status="published"
    ).values_list("organisation_id", "title", "description_fr", "description_nl", "description_en"):
        opportunity_texts[org].extend(t for t in (title, d_fr, d_nl, d_en) if t)
    own_themes: dict[int, set[int]] = defaultdict(set)
    for pk, theme in Participant.themes.through.objects.filter(participant__brokerage=brokerage).values_list(
        "participant_id", "theme_id"
    ):
        own_themes[pk].add(theme)
    # Past partners are organisations: a participant's partners are the participants of those.
    by_org: dict[str, list[str]] = defaultdict(list)
    for pk, _name, org, _o, _s in people:
        if org:
            by_org[key(ORGANISATION, org)].append(doc_id(pk))

    docs, owners = [], {}
    for pk, name, org, offers, seeks in people:
        base = orgs.get(key(ORGANISATION, org)) if org else None
        themes = lookups.themes(own_themes[pk])
        texts: list = [Text(t) for t in (offers, seeks) if t]
        if base is not None:
            for code, weight in base.themes.items():
                themes.setdefault(code, weight * 0.5)
            texts += list(base.texts) + [Text(t) for t in opportunity_texts[org]]
        partners = {
            other: count
            for partner, count in (base.partners.items() if base else ())
            for other in by_org.get(partner, ())
        }
        docs.append(
            Document(
                id=doc_id(pk),
                name=name,
                texts=texts,
                themes=themes,
                country=base.country if base else "",
                city=base.city if base else "",
                ecosystem=base.ecosystem if base else "",
                org_type=base.org_type if base else "",
                stages=base.stages if base else (),
                partners=partners,
                groups=base.groups if base else (),
            )
        )
        owners[doc_id(pk)] = org
    return docs, owners


class _Engines:
    """The engines of the last KEPT brokerages of this process, each with the fingerprint it was built at."""

    def __init__(self):
        self.lock = threading.Lock()
        self.kept: OrderedDict[int, tuple] = OrderedDict()

    def get(self, brokerage):
        fingerprint = _fingerprint(brokerage)
        with self.lock:
            found = self.kept.get(brokerage.pk)
            if found is not None and found[0] == fingerprint:
                self.kept.move_to_end(brokerage.pk)
                return found[1], found[2]
        docs, owners = participant_documents(brokerage)
        engine = service._new_engine()
        engine.rebuild(docs)
        with self.lock:
            self.kept[brokerage.pk] = (fingerprint, engine, owners)
            self.kept.move_to_end(brokerage.pk)
            while len(self.kept) > KEPT:
                self.kept.popitem(last=False)
        return engine, owners


_engines = _Engines()


def suggested(brokerage, participant, *, exclude=(), limit: int = 5) -> list[tuple[Participant, list[str]]]:
    """Up to `limit` other participants for `participant` to meet, best first, each with the reasons in
    the current language. `exclude`: participant ids left out (already asked, or who asked)."""
    engine, owners = _engines.get(brokerage)
    source = doc_id(participant.pk)
    if source not in engine:
        return []
    mine = owners.get(source)
    banned = {doc_id(pk) for pk in exclude} | {d for d, org in owners.items() if mine and org == mine}
    found = [
        s
        for s in engine.recommend(source, target_kind=ORGANISATION, k=4 * limit, exclude=banned)
        if service._relevant(s)
    ]
    chosen = service.favour_cross_border(engine, source, found, k=limit)
    people = Participant.objects.select_related("organisation").in_bulk([_pk(s.id) for s in chosen])
    texts = reason_texts(
        [[{"code": r.code, "values": list(r.values), "text": r.text} for r in s.reasons] for s in chosen]
    )
    return [
        (people[_pk(s.id)], reasons) for s, reasons in zip(chosen, texts, strict=True) if _pk(s.id) in people
    ]
