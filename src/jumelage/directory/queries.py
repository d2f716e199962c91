"""Reading the directory. Every queryset starts from `visible_to(user)` so a forgotten filter shows less.

`filter_organisations()` is the one place where directory filters (the list page, the API and the
export all take the same parameters) are parsed and applied.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, partial

from django.conf import settings
from django.db import connections
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from jumelage.core.countries import country_name
from jumelage.directory import facets as directory_facets
from jumelage.directory import search
from jumelage.directory.models import Membership, Organisation, OrganisationKind, Stage, Theme
from jumelage.ecosystems.models import Ecosystem, NetworkNode
from jumelage.ecosystems.rules import staff_ecosystem_ids, staff_node_ids

FILTER_PARAMS = ("q", "ecosystem", "node", "kind", "theme", "country", "region", "stage")
# What a list row (page or API) shows: loading only these keeps the big text columns out of the sort.
LIST_FIELDS = ("id", "slug", "name", "kind", "city", "region", "country", "website", "tagline_fr")
MAX_QUERY_LENGTH = 200
_COUNTRY = re.compile(r"^[A-Za-z]{2}$")


def visible_to(user) -> QuerySet[Organisation]:
    qs = Organisation.objects.all()
    if user is not None and user.is_authenticated and user.is_superuser:
        return qs
    visible = Q(published=True)
    if user is not None and user.is_authenticated:
        visible |= Q(representatives__user=user)
        eco_ids, node_ids = staff_ecosystem_ids(user), staff_node_ids(user)
        if eco_ids:
            visible |= Q(memberships__ecosystem_id__in=eco_ids)
        if node_ids:
            visible |= Q(memberships__node_id__in=node_ids)
        return qs.filter(pk__in=Organisation.objects.filter(visible).values("pk"))
    return qs.filter(visible)


class FilterError(ValueError):
    """A directory filter parameter holds a value that means nothing; `param` names it."""

    def __init__(self, param: str, message: str):
        super().__init__(message)
        self.param = param
        self.message = message


@dataclass
class ActiveFilters:
    """The parsed filters: `values` holds the raw strings (for echoing and query strings), `objects`
    the ecosystem, node or theme they name; `words` the prepared search query."""

    values: dict[str, str] = field(default_factory=dict)
    objects: dict[str, object] = field(default_factory=dict)
    theme_ids: list[int] = field(default_factory=list)
    words: list = field(default_factory=list)

    @property
    def q(self) -> str:
        return self.values.get("q", "")

    def __bool__(self) -> bool:
        return bool(self.values)

    def __contains__(self, name: str) -> bool:
        return name in self.values

    def get(self, name: str, default=None):
        return self.values.get(name, default)


def _param(params: Mapping, name: str) -> str:
    value = params.get(name, "")
    if isinstance(value, list | tuple):  # a dict built from a QueryDict's lists
        value = value[-1] if value else ""
    return str(value or "").strip()


def _theme_descendants(theme_id: int) -> list[int]:
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Theme.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    out, todo, seen = [], [theme_id], set()
    while todo:
        pk = todo.pop()
        if pk in seen:
            continue
        seen.add(pk)
        out.append(pk)
        todo.extend(children.get(pk, []))
    return out


def parse_filters(params: Mapping) -> ActiveFilters:
    """Read the directory filters from a QueryDict or a dict. Raises FilterError naming the first
    parameter whose value is unknown or malformed."""
    active = ActiveFilters()
    q = _param(params, "q")
    if len(q) > MAX_QUERY_LENGTH:
        raise FilterError(
            "q", _("The search text is too long (%(max)d characters at most).") % {"max": MAX_QUERY_LENGTH}
        )
    if q:
        active.values["q"] = q
    kind = _param(params, "kind")
    if kind:
        if kind not in OrganisationKind.values:
            raise FilterError("kind", _("Unknown kind of organisation: “%(value)s”.") % {"value": kind})
        active.values["kind"] = kind
    stage = _param(params, "stage")
    if stage:
        if stage not in Stage.values:
            raise FilterError("stage", _("Unknown stage: “%(value)s”.") % {"value": stage})
        active.values["stage"] = stage
    country = _param(params, "country")
    if country:
        if not _COUNTRY.match(country):
            raise FilterError(
                "country",
                _("A country is a two-letter ISO code such as BE or FR, not “%(value)s”.")
                % {"value": country},
            )
        active.values["country"] = country.upper()
    region = _param(params, "region")
    if region:
        if len(region) > 120:
            raise FilterError("region", _("The region is too long."))
        active.values["region"] = region
    for name, model, key, message in (
        ("ecosystem", Ecosystem, "slug", _("Unknown ecosystem: “%(value)s”.")),
        ("node", NetworkNode, "slug", _("Unknown network node: “%(value)s”.")),
        ("theme", Theme, "code", _("Unknown theme: “%(value)s”.")),
    ):
        value = _param(params, name)
        if not value:
            continue
        obj = model.objects.filter(**{key: value}).first() if len(value) <= 120 else None
        if obj is None:
            raise FilterError(name, message % {"value": value[:120]})
        active.values[name] = value
        active.objects[name] = obj
    if "theme" in active.objects:
        active.theme_ids = _theme_descendants(active.objects["theme"].pk)
    return active


def apply_filters(
    qs: QuerySet[Organisation], active: ActiveFilters, *, exclude: str = ""
) -> QuerySet[Organisation]:
    """Apply every parsed facet filter except `exclude` (the search itself is not applied here)."""
    values = active.values
    if "kind" in values and exclude != "kind":
        qs = qs.filter(kind=values["kind"])
    if "stage" in values and exclude != "stage":
        qs = qs.filter(stage=values["stage"])
    if "country" in values and exclude != "country":
        qs = qs.filter(country=values["country"])
    if "region" in values and exclude != "region":
        qs = qs.filter(region__iexact=values["region"])
    if "ecosystem" in values and exclude != "ecosystem":
        members = Membership.objects.filter(ecosystem=active.objects["ecosystem"]).values("organisation_id")
        qs = qs.filter(pk__in=members)
    if "node" in values and exclude != "node":
        members = Membership.objects.filter(node=active.objects["node"]).values("organisation_id")
        qs = qs.filter(pk__in=members)
    if "theme" in values and exclude != "theme":
        tagged = Organisation.themes.through.objects.filter(theme_id__in=active.theme_ids)
        qs = qs.filter(pk__in=tagged.values("organisation_id"))
    return qs


def filter_organisations(
    qs: QuerySet[Organisation], params: Mapping
) -> tuple[QuerySet[Organisation], ActiveFilters]:
    """The directory as filtered by `params` (q, ecosystem, node, kind, theme, country, region, stage):
    `qs` (start from visible_to(user)) narrowed and ordered (by relevance when there is a query,
    otherwise by name), and the parsed filters. Raises FilterError for a bad value."""
    active = parse_filters(params)
    if active.q:
        active.words = search.prepare_query(active.q, using=qs.db)
    return _narrowed(qs, active), active


def _narrowed(qs: QuerySet[Organisation], active: ActiveFilters) -> QuerySet[Organisation]:
    if active.words:
        qs = search.match_organisations(qs, active.words)
    return search.rank_organisations(apply_filters(qs, active), active.words)


FILTER_LABELS = {
    "q": _("Search"),
    "ecosystem": _("Ecosystem"),
    "node": _("Network node"),
    "kind": _("Kind"),
    "theme": _("Theme"),
    "country": _("Country"),
    "region": _("Region"),
    "stage": _("Stage"),
}


def describe_filters(active: ActiveFilters) -> list[dict]:
    """The active filters for echoing back: label, value as shown, and the query string without it."""
    kinds, stages = dict(OrganisationKind.choices), dict(Stage.choices)
    out = []
    for name, value in active.values.items():
        shown = active.objects.get(name) or {"kind": kinds, "stage": stages}.get(name, {}).get(value) or value
        if name == "theme":
            shown = active.objects["theme"].path
        elif name == "country":
            shown = country_name(value)
        out.append(
            {
                "name": name,
                "label": FILTER_LABELS[name],
                # The search text is echoed as typed ('numerique', 'eBay'), not capitalised.
                "value": str(shown) if name == "q" else capfirst(str(shown)),
                "without": querystring(active, without=name),
            }
        )
    return out


def querystring(active: ActiveFilters, *, without: str = "", **extra) -> str:
    """The filters as a URL query string (for links: pagination, removing one filter, export)."""
    from urllib.parse import urlencode

    items = [(k, v) for k, v in active.values.items() if k != without]
    items += [(k, v) for k, v in extra.items() if v not in (None, "")]
    return urlencode(items)


# --- Searching, with cached results -------------------------------------------------------------------
# A search asks the database for the matching ids only; visibility, filters, count, relevance order and
# facet counts come from this process's in-memory index (jumelage.directory.facets). Each process also
# keeps the last results (ordered ids of the first pages, the count, the facets), keyed by the shared
# index version (search.index_version(): any write the results depend on changes it, for every process
# at once), by who is asking (visibility) and by the parameters. A hit costs one query for the version,
# then only the rows of the page. An entry holds at most CACHED_IDS ids (4 KB), so 256 entries stay
# around 1 MB plus their facets.
CACHED_IDS = 500


class _ResultCache:
    def __init__(self, size: int):
        self.size = size
        self.entries: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None:
                self.entries.move_to_end(key)
            return entry

    def put(self, key, entry) -> None:
        if self.size <= 0:
            return
        with self.lock:
            self.entries[key] = entry
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


_result_cache = _ResultCache(getattr(settings, "DIRECTORY_RESULT_CACHE_SIZE", 256))


def clear_result_cache() -> None:
    """Forget this process's cached results and in-memory index (the next search rebuilds them)."""
    _result_cache.clear()
    directory_facets.clear_index()


@dataclass(slots=True)
class ResultRow:
    """A directory result row (page or API): the LIST_FIELDS of an organisation, read in one plain
    query (building 25 model instances through the ORM cost 0.6–1.1 ms a page, the query alone
    0.1–0.2 ms), and what SearchResults.prepare_rows() adds for the page."""

    id: int
    slug: str
    name: str
    kind: str
    city: str
    region: str
    country: str
    website: str
    tagline_fr: str
    detail_url: str = ""
    kind_label: str = ""
    ecosystem_badges: list = field(default_factory=list)

    @property
    def pk(self) -> int:
        return self.id


def _rows(using: str, ids: list[int]) -> list[ResultRow]:
    """The rows of these organisation ids, in the order of `ids` (ids no longer there are left out)."""
    if not ids:
        return []
    sql = (
        f"SELECT {', '.join(LIST_FIELDS)} FROM {Organisation._meta.db_table} "  # noqa: S608 (constants)
        f"WHERE id IN ({', '.join(['%s'] * len(ids))})"
    )
    with connections[using].cursor() as cursor:
        cursor.execute(sql, ids)
        by_pk = {row[0]: ResultRow(**dict(zip(LIST_FIELDS, row, strict=True))) for row in cursor.fetchall()}
    return [by_pk[pk] for pk in ids if pk in by_pk]


@dataclass
class SearchResults:
    """What a directory search found: sliceable and countable like a queryset (for Paginator and
    ninja's pagination), the parsed filters, and the facets when asked for."""

    query: Callable[[], QuerySet[Organisation]]  # builds `results` (asks the database on PostgreSQL)
    active: ActiveFilters
    total: int
    ids: Sequence[int]  # ordered ids of every result, or of the first CACHED_IDS on a cache hit
    facets: dict | None = None
    # Rendered pieces of this result (e.g. the HTML of a page), kept with the cached entry.
    fragments: dict = field(default_factory=dict)
    version: str = ""  # the search.index_version() the results were found at
    using: str = "default"

    @cached_property
    def results(self) -> QuerySet[Organisation]:
        """Every result as a queryset: only needed past the ids kept in memory."""
        return self.query()

    def prepare_rows(self, orgs) -> None:
        """Give each organisation of a page what its result row shows: `.detail_url`, `.kind_label`, and
        `.ecosystem_badges` (its ecosystems by name, from this process's in-memory index: no query).
        One reverse() for the page: a slug is [-a-zA-Z0-9_]+, so it goes into the URL as it is."""
        index = directory_facets.current_index(self.using, version=self.version)
        badges = index.ecosystems_of([org.pk for org in orgs])
        kinds = dict(OrganisationKind.choices)
        url = reverse("directory:organisation-detail", args=["slug"]).rsplit("slug", 1)
        for org in orgs:
            org.detail_url = org.slug.join(url)
            org.ecosystem_badges = badges[org.pk]
            org.kind_label = kinds.get(org.kind, org.kind)

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total

    def _fetch(self, qs: QuerySet[Organisation]) -> QuerySet[Organisation]:
        return qs.only(*LIST_FIELDS)

    def __getitem__(self, item):
        if not isinstance(item, slice):
            return self[item : item + 1][0]
        start, stop = item.start or 0, item.stop if item.stop is not None else self.total
        if stop <= len(self.ids) or len(self.ids) == self.total:
            memo = ("rows", start, stop)
            if memo in self.fragments:
                return list(self.fragments[memo])
            found = _rows(self.using, [int(pk) for pk in self.ids[start:stop]])
            if len(self.fragments) < 20:
                self.fragments[memo] = found
            return list(found)
        # Past the ids kept in the cache: ask the database for that slice.
        return list(self._fetch(self.results)[start:stop])


def _scope(user) -> str:
    if user is None or not user.is_authenticated:
        return "public"
    if user.is_superuser:
        return "admin"
    # What a user sees depends on their staff roles, which change (and an API token narrows them to its
    # ecosystem or node): they belong in the key, or a revoked or narrower scope would be served a wider
    # cached result. (visible_to() reads the same per-request cached sets: no extra query.)
    eco, node = sorted(staff_ecosystem_ids(user)), sorted(staff_node_ids(user))
    return f"user:{user.pk}:e{eco}:n{node}"


def _cache_key(params: Mapping) -> tuple:
    return tuple((name, _param(params, name)) for name in FILTER_PARAMS if _param(params, name))


def search_directory(user, params: Mapping, *, facets: bool = False) -> SearchResults:
    """The directory as `user` may see it, filtered by `params` (see filter_organisations()), with the
    count, the ordered ids and (if `facets`) the facet counts, cached per process until the next
    write. Raises FilterError for a bad value (never cached)."""
    version = search.index_version()
    # Facet labels are stored translated, so the language is part of the key.
    key = (version, _scope(user), get_language(), facets, _cache_key(params))
    hit = _result_cache.get(key)
    visible = visible_to(user)
    # The results queryset is built only for pages past the ids kept in memory.
    if hit is not None:
        active, total, ids, facet_data, fragments = hit
        return SearchResults(
            partial(_narrowed, visible, active),
            active,
            total,
            ids,
            facet_data,
            fragments,
            version,
            visible.db,
        )
    active = parse_filters(params)
    matched = None
    if active.q:
        active.words, *matched = search.prepare_and_match(active.q, using=visible.db)
    index = directory_facets.current_index(visible.db, version=version)
    found = directory_facets.find(index, user, active, facets=facets, matched=matched)
    fragments: dict = {}
    _result_cache.put(key, (active, len(found.ids), found.ids[:CACHED_IDS].copy(), found.facets, fragments))
    return SearchResults(
        partial(_narrowed, visible, active),
        active,
        len(found.ids),
        found.ids,
        found.facets,
        fragments,
        version,
        visible.db,
    )
