"""Row validation for organisations: cells to field values, memberships, model validation and the
duplicate check; and what every row is checked against (RowContext)."""

from __future__ import annotations

import copy
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from jumelage.directory import services
from jumelage.directory.importing.duplicates import DuplicateIndex, duplicate_reason
from jumelage.directory.importing.reading import split_list
from jumelage.directory.importing.report import PlannedRow, RowError
from jumelage.directory.importing.scope import Scope, default_memberships
from jumelage.directory.models import Organisation, OrganisationKind, SizeBand, Stage, Theme
from jumelage.ecosystems.models import Ecosystem, NetworkNode


def _choice_lookup(choices) -> dict[str, str]:
    lookup = {}
    for value, label in choices.choices:
        lookup[_loose(value)] = value
        with translation.override("en"):
            lookup[_loose(str(label))] = value
    return lookup


def _loose(value: str) -> str:
    return re.sub(r"[\s\-_–]+", "", value.strip().lower())


class RowContext:
    """What every row is checked against, loaded once per file."""

    def __init__(self, *, kind, actor, filename, ecosystem, node, update_existing):
        self.kind, self.actor, self.filename = kind, actor, filename
        self.update_existing = update_existing
        self.scope = Scope.for_actor(actor)
        self.defaults = default_memberships(actor, ecosystem, node)
        self.theme_ids = dict(Theme.objects.values_list("code", "pk"))
        self.ecosystems = {e.slug: e for e in Ecosystem.objects.all()}
        self.nodes = {n.slug: n for n in NetworkNode.objects.select_related("ecosystem")}
        self.eco_by_id = {e.pk: e for e in self.ecosystems.values()}
        self.kinds = _choice_lookup(OrganisationKind)
        self.sizes = _choice_lookup(SizeBand)
        self.stages = _choice_lookup(Stage)


def _slug(name: str, taken: set[str]) -> str:
    base = slugify(name)[:100] or "organisation"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def validation_errors(line: int, exc: ValidationError) -> list[RowError]:
    out = []
    for fieldname, messages in exc.message_dict.items():
        column = "" if fieldname == "__all__" else fieldname
        out.extend(RowError(line, column, str(m)) for m in messages)
    return out


def _row_memberships(line, values, ctx: RowContext, errors: list[RowError]) -> list[tuple[int, int | None]]:
    pairs: list[tuple[int, int | None]] = []
    eco_slugs, node_slugs = split_list(values.get("ecosystem", "")), split_list(values.get("node", ""))
    for slug in node_slugs:
        node = ctx.nodes.get(slug)
        if node is None:
            errors.append(RowError(line, "node", _("no node has the slug “%(slug)s”") % {"slug": slug}))
        elif eco_slugs and node.ecosystem.slug not in eco_slugs:
            errors.append(
                RowError(
                    line,
                    "node",
                    _("node “%(node)s” belongs to “%(ecosystem)s”, which this row does not name")
                    % {"node": slug, "ecosystem": node.ecosystem.slug},
                )
            )
        elif not ctx.scope.allows(node.ecosystem_id, node.pk):
            errors.append(RowError(line, "node", _("you are not staff of node “%(node)s”") % {"node": slug}))
        else:
            pairs.append((node.ecosystem_id, node.pk))
    for slug in eco_slugs:
        eco = ctx.ecosystems.get(slug)
        if eco is None:
            errors.append(
                RowError(line, "ecosystem", _("no ecosystem has the slug “%(slug)s”") % {"slug": slug})
            )
            continue
        if any(e == eco.pk for e, _n in pairs):
            continue
        if ctx.scope.allows(eco.pk, None):
            pairs.append((eco.pk, None))
            continue
        own = [n for n in ctx.nodes.values() if n.ecosystem_id == eco.pk and n.pk in ctx.scope.node_ids]
        if len(own) == 1:
            pairs.append((eco.pk, own[0].pk))
        else:
            errors.append(
                RowError(line, "ecosystem", _("you are not staff of ecosystem “%(eco)s”") % {"eco": slug})
            )
    if not eco_slugs and not node_slugs:
        pairs = list(ctx.defaults)
        if not pairs and not ctx.scope.everything:
            errors.append(
                RowError(
                    line,
                    "ecosystem",
                    _("no ecosystem or node: choose one for the import or fill the ecosystem/node columns"),
                )
            )
    return pairs


def _organisation_data(line, values, ctx: RowContext, errors: list[RowError]) -> tuple[dict, list[int]]:
    """Row cells → model field values (only the columns present in the file)."""
    data: dict[str, Any] = {}
    for col, value in values.items():
        if col in ("themes", "ecosystem", "node"):
            continue
        if col == "aliases":
            data[col] = split_list(value)
        elif col in ("kind", "size_band", "stage"):
            lookup = {"kind": ctx.kinds, "size_band": ctx.sizes, "stage": ctx.stages}[col]
            if value and _loose(value) not in lookup:
                allowed = ", ".join(sorted(set(lookup.values())))
                errors.append(
                    RowError(
                        line,
                        col,
                        _("“%(value)s” is not one of: %(allowed)s") % {"value": value, "allowed": allowed},
                    )
                )
            data[col] = lookup.get(_loose(value), "")
        elif col == "country":
            data[col] = value.upper()
            if value and not re.fullmatch(r"[A-Za-z]{2}", value):
                errors.append(
                    RowError(
                        line,
                        col,
                        _("“%(value)s” must be a two-letter ISO 3166 code such as BE or FR")
                        % {"value": value},
                    )
                )
        elif col == "founding_year":
            data[col] = None
            if value:
                try:
                    data[col] = int(value)
                except ValueError:
                    errors.append(RowError(line, col, _("“%(value)s” is not a year") % {"value": value}))
        elif col == "website":
            data[col] = value if not value or "://" in value else "https://" + value
        else:
            data[col] = value
    return data, theme_ids_of(line, "themes", values, ctx, errors)


def theme_ids_of(line: int, column: str, values: dict, ctx: RowContext, errors: list[RowError]) -> list[int]:
    """The ids of the theme codes listed in `column`; an error for each unknown code."""
    theme_ids = []
    for code in split_list(values.get(column, "")):
        if code in ctx.theme_ids:
            theme_ids.append(ctx.theme_ids[code])
        else:
            errors.append(RowError(line, column, _("unknown theme code “%(code)s”") % {"code": code}))
    return theme_ids


def plan_organisation_row(line, values, ctx: RowContext, state, errors) -> PlannedRow | None:
    data, theme_ids = _organisation_data(line, values, ctx, errors)
    memberships = _row_memberships(line, values, ctx, errors)
    org = Organisation(**data)
    org.slug = "pending"  # real slug chosen once the row is known to be created
    if not org.source:
        org.source = (_("import: %(file)s") % {"file": ctx.filename})[:255]
    try:
        services.clean_organisation(org, check_unique=False)
    except ValidationError as exc:
        reported = {e.column for e in errors}  # one message per cell: ours is the more precise
        errors.extend(e for e in validation_errors(line, exc) if e.column not in reported)
    if errors:
        return None
    index: DuplicateIndex = state["index"]
    keys = {
        "name": org.name,
        "enterprise_number": org.enterprise_number,
        "siren": org.siren,
        "domain": org.website_domain,
    }
    found = index.find(**keys)
    if found is None:
        org.slug = _slug(org.name, state["slugs"])
        index.add(("file", line, org.name), **keys)
        return PlannedRow(line, "create", org.name, obj=org, theme_ids=theme_ids, memberships=memberships)
    (where, ref, label), why = found
    if where == "file":
        reason = duplicate_reason(why, _("line %(ref)d (%(name)s)") % {"ref": ref, "name": label})
        return PlannedRow(line, "skip", org.name, reason=reason)
    reason = duplicate_reason(why, _("“%(name)s”, already in the directory") % {"name": label})
    if not ctx.update_existing or why == "name":
        return PlannedRow(line, "skip", org.name, reason=reason)
    existing = Organisation.objects.get(pk=ref)
    current = set(existing.memberships.values_list("ecosystem_id", "node_id"))
    if not ctx.scope.allows_any(current):
        return PlannedRow(line, "skip", org.name, reason=reason + " — " + _("you may not change it"))
    changes = {k: v for k, v in data.items() if v not in ("", None, [])}
    candidate = copy.copy(existing)  # validate the changed copy; update_organisation applies them
    for key, value in changes.items():
        setattr(candidate, key, value)
    try:
        services.clean_organisation(candidate, check_unique=False)
    except ValidationError as exc:
        errors.extend(validation_errors(line, exc))
        return None
    return PlannedRow(
        line,
        "update",
        org.name,
        reason=reason,
        obj=existing,
        data={k: getattr(candidate, k) for k in changes},
        theme_ids=theme_ids,
        memberships=[m for m in memberships if m not in current],
    )
