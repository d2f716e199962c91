"""Row validation for people: languages, consent, expertise, and the organisation they belong to."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jumelage.directory import identifiers
from jumelage.directory.importing.duplicates import name_key
from jumelage.directory.importing.reading import Table
from jumelage.directory.importing.report import PlannedRow, RowError
from jumelage.directory.importing.rows import RowContext, theme_ids_of, validation_errors
from jumelage.directory.models import Affiliation, Membership, Organisation, Person

_TRUE = {"yes", "y", "true", "1", "oui", "o", "ja", "j", "x"}
_FALSE = {"no", "n", "false", "0", "non", "nee", ""}


def people_state(table: Table) -> dict:
    refs = {
        v.strip()
        for line, cells in table.rows
        for c, v in zip(table.columns, cells, strict=True)
        if c == "organisation"
    }
    refs.discard("")
    orgs: dict[str, list[int]] = {}
    names = {name_key(r) for r in refs}
    for pk, slug, name, bce, siren in Organisation.objects.values_list(
        "pk", "slug", "name", "enterprise_number", "siren"
    ):
        for key in (slug, bce, siren):
            if key and key in refs:
                orgs.setdefault(key, [pk])
        if name_key(name) in names:
            orgs.setdefault("name:" + name_key(name), []).append(pk)
    org_ids = {pk for pks in orgs.values() for pk in pks}
    memberships: dict[int, set] = {}
    for org_id, eco_id, node_id in Membership.objects.filter(organisation_id__in=org_ids).values_list(
        "organisation_id", "ecosystem_id", "node_id"
    ):
        memberships.setdefault(org_id, set()).add((eco_id, node_id))
    existing = set()
    for person_name, org_id in Affiliation.objects.filter(organisation_id__in=org_ids).values_list(
        "person__name", "organisation_id"
    ):
        existing.add((name_key(person_name), org_id))
    return {"orgs": orgs, "memberships": memberships, "existing": existing, "seen": {}}


def _resolve_organisation(ref: str, state) -> list[int]:
    if ref in state["orgs"]:
        return state["orgs"][ref]
    for fn in (identifiers.normalise_be_enterprise_number, identifiers.normalise_siren):
        try:
            canonical = fn(ref)
        except ValueError:
            continue
        if canonical in state["orgs"]:
            return state["orgs"][canonical]
    return state["orgs"].get("name:" + name_key(ref), [])


def plan_person_row(line, values, ctx: RowContext, state, errors) -> PlannedRow | None:
    name = values.get("name", "")
    languages = [p.strip().lower() for p in re.split(r"[|,;\s]+", values.get("languages", "")) if p.strip()]
    for code in languages:
        if not re.fullmatch(r"[a-z]{2}", code):
            errors.append(
                RowError(
                    line,
                    "languages",
                    _("“%(code)s” is not a two-letter language code such as fr") % {"code": code},
                )
            )
    consent = values.get("public_profile", "").lower()
    if consent not in _TRUE | _FALSE:
        errors.append(
            RowError(
                line,
                "public_profile",
                _("“%(value)s” must be yes or no") % {"value": values["public_profile"]},
            )
        )
    expertise = theme_ids_of(line, "expertise", values, ctx, errors)
    org_id = None
    ref = values.get("organisation", "")
    if ref:
        found = _resolve_organisation(ref, state)
        if not found:
            errors.append(
                RowError(line, "organisation", _("no organisation “%(ref)s” in the directory") % {"ref": ref})
            )
        elif len(found) > 1:
            errors.append(
                RowError(
                    line,
                    "organisation",
                    _("%(n)d organisations are named “%(ref)s”: use the slug or an identifier")
                    % {"n": len(found), "ref": ref},
                )
            )
        else:
            org_id = found[0]
            if not ctx.scope.allows_any(state["memberships"].get(org_id, set())):
                errors.append(
                    RowError(
                        line,
                        "organisation",
                        _("you are not staff of an ecosystem or node “%(ref)s” belongs to") % {"ref": ref},
                    )
                )
    elif not ctx.scope.everything:
        errors.append(
            RowError(line, "organisation", _("required: you may only add people to your organisations"))
        )
    person = Person(name=name, languages=languages, public_profile=consent in _TRUE)
    affiliation = Affiliation(person=person, organisation_id=org_id, role=values.get("role", ""))
    try:
        person.full_clean()
    except ValidationError as exc:
        errors.extend(validation_errors(line, exc))
    try:
        affiliation.full_clean(
            exclude=["person", "organisation"], validate_unique=False, validate_constraints=False
        )
    except ValidationError as exc:
        errors.extend(validation_errors(line, exc))
    if errors:
        return None
    key = (name_key(name), org_id)
    if key in state["existing"]:
        return PlannedRow(line, "skip", name, reason=_("already in the directory with this organisation"))
    if key in state["seen"]:
        return PlannedRow(
            line, "skip", name, reason=_("same person as line %(ref)d") % {"ref": state["seen"][key]}
        )
    state["seen"][key] = line
    return PlannedRow(
        line, "create", name, obj=person, theme_ids=expertise, organisation_id=org_id, role=affiliation.role
    )
