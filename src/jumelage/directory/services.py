"""Writing the directory. Views, API, import and CLI all come through these functions."""

import contextlib
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.db import transaction
from django.utils.text import slugify

from jumelage.core.audit import log_action
from jumelage.directory import identifiers, search
from jumelage.directory.models import Membership, Organisation, Theme


def website_domain(url: str) -> str:
    """'https://www.Example.be/fr/' → 'example.be' (for duplicate detection)."""
    if not url:
        return ""
    host = urlsplit(url if "//" in url else "//" + url).hostname or ""
    return host.lower().removeprefix("www.")


def unique_slug(name: str, *, exclude_pk=None) -> str:
    base = slugify(name)[:100] or "organisation"
    slug, n = base, 2
    qs = Organisation.objects.all()
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    while qs.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _normalise_identifiers(org: Organisation) -> None:
    """Store identifiers in canonical form (validation errors are raised later by full_clean)."""
    for field, fn in (
        ("enterprise_number", identifiers.normalise_be_enterprise_number),
        ("siren", identifiers.normalise_siren),
        ("vat_number", identifiers.normalise_eu_vat),
    ):
        value = getattr(org, field)
        if value:
            with contextlib.suppress(ValueError):  # full_clean() reports it with the field name
                setattr(org, field, fn(value))


def clean_organisation(org: Organisation, *, check_unique: bool = True) -> None:
    """Normalise identifiers and the website domain, then run the model's full_clean(). The import
    passes check_unique=False and checks uniqueness itself for a whole file at once (same validators,
    without one query per row); the database constraints stay the last word."""
    _normalise_identifiers(org)
    org.website_domain = website_domain(org.website)
    org.full_clean(validate_unique=check_unique, validate_constraints=check_unique)


def _save(org: Organisation, themes: Iterable[Theme] | None) -> None:
    clean_organisation(org)
    org.save()
    if themes is not None:
        org.themes.set(themes)
    search.index_organisation(org)


@transaction.atomic
def create_organisation(
    *,
    actor,
    data: dict,
    themes: Iterable[Theme] | None = None,
    memberships: Iterable[tuple] = (),
    audit: bool = True,
) -> Organisation:
    """Create an organisation from field values; `memberships` is a list of (ecosystem, node|None).
    Raises django.core.exceptions.ValidationError naming each bad field; writes nothing then."""
    org = Organisation(**data)
    if not org.slug:
        org.slug = unique_slug(org.name)
    _save(org, themes)
    for ecosystem, node in memberships:
        Membership.objects.get_or_create(organisation=org, ecosystem=ecosystem, node=node)
    if audit:
        log_action(actor=actor, action="organisation.create", obj=org)
    return org


@transaction.atomic
def update_organisation(
    *, actor, organisation: Organisation, data: dict, themes: Iterable[Theme] | None = None
) -> Organisation:
    """Change an organisation's fields. Permission is the caller's check (rules: change_organisation)."""
    changed = {k: v for k, v in data.items() if getattr(organisation, k) != v}
    for key, value in changed.items():
        setattr(organisation, key, value)
    _save(organisation, themes)
    log_action(actor=actor, action="organisation.update", obj=organisation, fields=sorted(changed))
    return organisation
