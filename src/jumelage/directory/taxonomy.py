"""The theme taxonomy shared by every ecosystem: writing it, and importing a SKOS vocabulary.

Jumelage ships its own small vocabulary (src/jumelage/demo/themes.json). An ecosystem that has its
own (Digital Wallonia publishes one in SKOS/Turtle) brings it with

    jumelage manage import_taxonomy FILE.ttl [--scheme URI]

which reads skos:Concept, skos:prefLabel in French, Dutch and English, skos:broader/skos:narrower and
concept schemes. Re-importing the same file updates labels and parents and never duplicates: a concept
is found again by its URI, and its code (derived once from the URI) stays what it was.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from jumelage.core.audit import log_action
from jumelage.directory.models import Theme

LANGUAGES = ("fr", "nl", "en")
_LABEL_MAX = Theme._meta.get_field("label_fr").max_length
_CODE_MAX = Theme._meta.get_field("code").max_length
_URI_MAX = Theme._meta.get_field("uri").max_length


class TaxonomyImportError(ValueError):
    """The file cannot be imported; the message says why, and nothing was written."""


@dataclass
class ThemeEntry:
    """One concept to write. `parent` is the code (shipped list) or URI (SKOS) of its broader concept."""

    code: str
    label_fr: str
    label_nl: str = ""
    label_en: str = ""
    uri: str = ""
    parent: str | None = None


@dataclass
class TaxonomyReport:
    concepts: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    schemes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return _(
            "%(concepts)d concepts read: %(created)d created, %(updated)d updated, %(unchanged)d unchanged."
        ) % {
            "concepts": self.concepts,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }


def _fit(label: str) -> str:
    label = " ".join(label.split())
    return label if len(label) <= _LABEL_MAX else label[: _LABEL_MAX - 1] + "…"


@transaction.atomic
def upsert_themes(*, entries: Iterable[ThemeEntry], actor=None, audit: bool = True) -> TaxonomyReport:
    """Create or update themes in bulk. An entry with a URI is matched by URI, otherwise by code; an
    existing theme keeps its code. Parents are set in a second pass, so order does not matter. Raises
    TaxonomyImportError (nothing written) on an invalid entry or a cycle of broader concepts."""
    entries = list(entries)
    report = TaxonomyReport(concepts=len(entries))
    by_uri = {t.uri: t for t in Theme.objects.exclude(uri="")}
    by_code = {t.code: t for t in Theme.objects.all()}
    to_create, to_update, resolved = [], [], {}
    for entry in entries:
        theme = by_uri.get(entry.uri) if entry.uri else by_code.get(entry.code)
        values = {
            "label_fr": _fit(entry.label_fr),
            "label_nl": _fit(entry.label_nl),
            "label_en": _fit(entry.label_en),
        }
        if theme is None:
            theme = Theme(code=entry.code, uri=entry.uri, **values)
            to_create.append(theme)
            by_code[theme.code] = theme
        else:
            changed = [k for k, v in values.items() if getattr(theme, k) != v]
            for key in changed:
                setattr(theme, key, values[key])
            if changed:
                to_update.append(theme)
            else:
                report.unchanged += 1
        try:
            theme.full_clean(exclude=["parent", "uri"], validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            raise TaxonomyImportError(
                _("Concept %(concept)s is invalid: %(reason)s")
                % {"concept": entry.uri or entry.code, "reason": "; ".join(exc.messages)}
            ) from exc
        resolved[entry.uri or entry.code] = theme
    Theme.objects.bulk_create(to_create)
    Theme.objects.bulk_update(to_update, ["label_fr", "label_nl", "label_en"])
    report.created, report.updated = len(to_create), len(to_update)

    # Second pass: parents. A parent named by the file but absent from it and from the database
    # leaves the concept at the top level (with a warning).
    parent_of: dict[int, int | None] = {}
    missing = 0
    for entry in entries:
        theme = resolved[entry.uri or entry.code]
        parent = None
        if entry.parent:
            parent = resolved.get(entry.parent) or by_uri.get(entry.parent) or by_code.get(entry.parent)
            if parent is None:
                missing += 1
        parent_of[theme.pk] = parent.pk if parent else None
    _check_no_cycle(parent_of, {t.pk: t for t in resolved.values()})
    reparented = []
    for theme in resolved.values():
        if theme.parent_id != parent_of[theme.pk]:
            theme.parent_id = parent_of[theme.pk]
            reparented.append(theme)
    Theme.objects.bulk_update(reparented, ["parent"])
    already_counted = {t.pk for t in to_create} | {t.pk for t in to_update}
    moved = sum(1 for t in reparented if t.pk not in already_counted)
    report.updated += moved
    report.unchanged -= moved
    if missing:
        report.warnings.append(
            _(
                "%(n)d concepts name a broader concept that is not in the file: they are kept at the top level."
            )
            % {"n": missing}
        )
    if audit:
        log_action(
            actor=actor,
            action="taxonomy.import",
            concepts=report.concepts,
            created=report.created,
            updated=report.updated,
        )
    return report


def _check_no_cycle(parent_of: dict[int, int | None], themes: dict[int, Theme]) -> None:
    for start in parent_of:
        seen, node = set(), start
        while node is not None:
            if node in seen:
                names = ", ".join(sorted(themes[n].uri or themes[n].code for n in seen if n in themes))
                raise TaxonomyImportError(
                    _("The broader concepts form a cycle (%(concepts)s): fix the file and import it again.")
                    % {"concepts": names}
                )
            seen.add(node)
            node = parent_of.get(node)


# --- SKOS ---------------------------------------------------------------------------------------


def code_from_uri(uri: str, taken: set[str]) -> str:
    """A readable, stable code: the slug of the URI's last segment ('…/taxonomy/e-sante' → 'e-sante'),
    with a short hash of the whole URI when that slug is already used by another concept."""
    local = uri.rstrip("/#").rsplit("#", 1)[-1].rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    base = slugify(local)[: _CODE_MAX - 9] or "concept"
    if base not in taken:
        return base
    return f"{base}-{hashlib.sha1(uri.encode(), usedforsecurity=False).hexdigest()[:8]}"


def read_skos(path: Path, *, scheme: str | None = None, rdf_format: str | None = None):
    """Parse a SKOS file into ThemeEntry objects (codes not yet assigned). Returns (entries, report)."""
    import rdflib
    from rdflib.namespace import RDF, SKOS
    from rdflib.util import guess_format

    path = Path(path)
    if not path.is_file():
        raise TaxonomyImportError(_("File %(path)s not found.") % {"path": path})
    fmt = rdf_format or guess_format(str(path)) or "turtle"
    graph = rdflib.Graph()
    try:
        graph.parse(str(path), format=fmt)
    except Exception as exc:  # rdflib raises many types (BadSyntax, SAX errors, UnicodeDecodeError…)
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise TaxonomyImportError(
            _("Could not read %(path)s as %(format)s: %(reason)s")
            % {"path": path.name, "format": fmt, "reason": reason[:500]}
        ) from exc

    report = TaxonomyReport()
    report.schemes = sorted(str(s) for s in graph.subjects(RDF.type, SKOS.ConceptScheme))
    concepts = {c for c in graph.subjects(RDF.type, SKOS.Concept) if isinstance(c, rdflib.URIRef)}
    blank = sum(1 for c in graph.subjects(RDF.type, SKOS.Concept) if not isinstance(c, rdflib.URIRef))
    if blank:
        report.warnings.append(
            _("%(n)d concepts without a URI were skipped (a concept needs a URI to be found again).")
            % {"n": blank}
        )
    if scheme:
        node = rdflib.URIRef(scheme)
        members = (
            set(graph.subjects(SKOS.inScheme, node))
            | set(graph.subjects(SKOS.topConceptOf, node))
            | set(graph.objects(node, SKOS.hasTopConcept))
        )
        if str(node) not in report.schemes and not members:
            known = ", ".join(report.schemes) or _("none")
            raise TaxonomyImportError(
                _("Concept scheme %(scheme)s is not in the file. Schemes found: %(known)s")
                % {"scheme": scheme, "known": known}
            )
        concepts &= members
    if not concepts:
        raise TaxonomyImportError(
            _("No skos:Concept found in %(path)s%(scheme)s.")
            % {"path": path.name, "scheme": f" ({scheme})" if scheme else ""}
        )

    broader: dict[str, set[str]] = {str(c): set() for c in concepts}
    for child, parent in graph.subject_objects(SKOS.broader):
        if str(child) in broader:
            broader[str(child)].add(str(parent))
    for parent, child in graph.subject_objects(SKOS.narrower):
        if str(child) in broader:
            broader[str(child)].add(str(parent))

    entries, several, no_french, too_long = [], 0, 0, 0
    for concept in sorted(concepts, key=str):
        uri = str(concept)
        if len(uri) > _URI_MAX:
            too_long += 1
            continue
        labels: dict[str, str] = {}
        untagged = ""
        for label in sorted(graph.objects(concept, SKOS.prefLabel), key=str):
            lang = (getattr(label, "language", None) or "")[:2].lower()
            if lang in LANGUAGES:
                labels.setdefault(lang, str(label))
            elif not lang and not untagged:
                untagged = str(label)
        label_fr = labels.get("fr") or untagged or labels.get("en") or labels.get("nl")
        if not label_fr:
            label_fr = uri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
        if "fr" not in labels:
            no_french += 1
        parents = sorted(broader[uri] & {str(c) for c in concepts}) or sorted(broader[uri])
        if len(broader[uri]) > 1:
            several += 1
        entries.append(
            ThemeEntry(
                code="",
                uri=uri,
                label_fr=label_fr,
                label_nl=labels.get("nl", ""),
                label_en=labels.get("en", ""),
                parent=parents[0] if parents else None,
            )
        )
    if several:
        report.warnings.append(
            _("%(n)d concepts have several broader concepts: the first (by URI) was kept as the parent.")
            % {"n": several}
        )
    if no_french:
        report.warnings.append(
            _("%(n)d concepts have no French label: another label stands in for it.") % {"n": no_french}
        )
    if too_long:
        report.warnings.append(
            _("%(n)d concepts with a URI longer than %(max)d characters were skipped.")
            % {"n": too_long, "max": _URI_MAX}
        )
    return entries, report


@transaction.atomic
def import_skos(
    *, path: Path, scheme: str | None = None, rdf_format: str | None = None, actor=None
) -> TaxonomyReport:
    """Import (or re-import) a SKOS vocabulary into the shared taxonomy. All or nothing."""
    entries, read_report = read_skos(path, scheme=scheme, rdf_format=rdf_format)
    known = dict(Theme.objects.exclude(uri="").values_list("uri", "code"))
    taken = set(Theme.objects.values_list("code", flat=True))
    for entry in entries:
        if entry.uri in known:
            entry.code = known[entry.uri]
        else:
            entry.code = code_from_uri(entry.uri, taken)
            taken.add(entry.code)
    report = upsert_themes(entries=entries, actor=actor)
    report.schemes = read_report.schemes
    report.warnings = read_report.warnings + report.warnings
    return report


def load_theme_list(items: Iterable[dict], *, actor=None, audit: bool = True) -> TaxonomyReport:
    """Write a plain list of themes ({"code", "parent", "fr", "nl", "en"}), e.g. the shipped vocabulary."""
    return upsert_themes(
        entries=[
            ThemeEntry(
                code=item["code"],
                parent=item.get("parent"),
                label_fr=item["fr"],
                label_nl=item.get("nl", ""),
                label_en=item.get("en", ""),
            )
            for item in items
        ],
        actor=actor,
        audit=audit,
    )
