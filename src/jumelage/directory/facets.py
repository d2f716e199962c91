"""The directory's facets, counts and result order, from a per-process in-memory index.

Counting seven facets with SQL costs one GROUP BY per facet over every match, each repeating the
full-text match: 160 ms for "logiciel" (13,932 matches of 100,000), 480 ms for the whole directory.
Instead each app-server process keeps a compact copy of what facets and ordering need — per
organisation its published flag, kind, stage, country, region and position in name order, and the
(organisation, ecosystem), (organisation, node) and (organisation, theme) pairs — as numpy arrays. A
search then asks the database only for the matching ids (jumelage.directory.search.matching_ids()); the
visibility, the filters, the count, the facet counts and the relevance order are array operations
(a few milliseconds at 100,000 organisations).

Freshness: the index is tagged with the shared search.index_version(), which every write the directory
depends on changes (for every process at once, see search.bump_index_version()); a search that finds a
different version rebuilds the index first (seven queries: 0.4–0.6 s at 100,000 organisations on a
lightly loaded 2-core machine, once per process per change). Memory: 5.4 MB of arrays per process at
100,000 organisations (DirectoryIndex.nbytes: 33 bytes per organisation, 8 per membership and per
theme tag or theme above one), ~50 MB more for a moment while building.

Visibility is computed here with the same rule as queries.visible_to() (tests compare the two for every
role): published organisations, plus, for a signed-in user, those they represent and those that are
members of the ecosystems or nodes they are staff of; everything for a platform admin.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
from django.db import connections
from django.utils.text import capfirst

from jumelage.core.countries import by_name
from jumelage.directory import search
from jumelage.directory.models import Membership, Organisation, OrganisationKind, Representative, Stage, Theme
from jumelage.directory.textsearch import strip_accents
from jumelage.ecosystems.models import Ecosystem, NetworkNode
from jumelage.ecosystems.rules import staff_ecosystem_ids, staff_node_ids


@dataclass
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool = False
    depth: int = 0


def _encode(values: tuple) -> tuple[np.ndarray, list]:
    """Small integer codes for a column, and the distinct values they stand for."""
    distinct = list(dict.fromkeys(values))
    code = {v: i for i, v in enumerate(distinct)}
    dtype = np.uint8 if len(distinct) <= 256 else np.int32  # a smaller column is faster to scan
    return np.fromiter(map(code.__getitem__, values), dtype=dtype, count=len(values)), distinct


def _fetch(using: str, sql: str) -> list[tuple]:
    with connections[using].cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def _columns(rows: list[tuple], width: int) -> list[np.ndarray]:
    """Integer columns of query rows."""
    table = np.array(rows, dtype=np.int64).reshape(len(rows), width)
    return [table[:, i] for i in range(width)]


def _rows_of(ids: np.ndarray, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows of the organisation ids `wanted` in the ascending `ids`, and which of them were found."""
    if not len(ids) or not len(wanted):
        return np.zeros(len(wanted), dtype=np.int64), np.zeros(len(wanted), dtype=bool)
    rows = np.minimum(np.searchsorted(ids, wanted), len(ids) - 1)
    return rows, ids[rows] == wanted


def _codes(keys: np.ndarray, code: dict[int, int]) -> np.ndarray:
    """Codes of primary keys (-1 for a key not in `code`)."""
    if not code:
        return np.full(len(keys), -1, dtype=np.int64)
    known = np.array(sorted(code), dtype=np.int64)
    values = np.array([code[k] for k in known.tolist()], dtype=np.int64)
    at = np.minimum(np.searchsorted(known, keys), len(known) - 1)
    return np.where(known[at] == keys, values[at], -1)


def _pairs(rows: np.ndarray, codes: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """(row, code) pairs without repeats (so that a count over them counts organisations), leaving out
    rows and codes of -1."""
    keep = (rows >= 0) & (codes >= 0)
    pairs = np.sort(rows[keep] * max(width, 1) + codes[keep])
    if len(pairs):
        pairs = pairs[np.concatenate(([True], pairs[1:] != pairs[:-1]))]
    return (pairs // max(width, 1)).astype(np.int32), (pairs % max(width, 1)).astype(np.int32)


def _starts(pair_rows: np.ndarray, n: int) -> np.ndarray:
    """Where each row's pairs start in the row-sorted pairs (n + 1 offsets, as in a CSR matrix)."""
    return np.searchsorted(pair_rows, np.arange(n + 1)).astype(np.int32)


class _Selection:
    """A set of rows as a mask, and as row numbers when that is the cheaper way to count: most searches
    match a small part of the directory, and gathering their rows beats testing all 100,000."""

    def __init__(self, mask: np.ndarray):
        self.mask = mask
        rows = np.flatnonzero(mask)
        self.rows = rows if 4 * len(rows) <= len(mask) else None

    def column_counts(self, column: np.ndarray, width: int) -> np.ndarray:
        values = column[self.mask] if self.rows is None else column[self.rows]
        return np.bincount(values, minlength=width)

    def code_counts(self, rows: np.ndarray, codes: np.ndarray, starts: np.ndarray, width: int) -> np.ndarray:
        """How many selected rows have each code, from row-sorted (row, code) pairs."""
        if self.rows is None:
            return np.bincount(codes[self.mask[rows]], minlength=width)
        begin = starts[self.rows]
        lengths = starts[self.rows + 1] - begin
        at = np.repeat(begin - (np.cumsum(lengths) - lengths), lengths) + np.arange(int(lengths.sum()))
        return np.bincount(codes[at], minlength=width)


@dataclass(frozen=True, eq=False)
class DirectoryIndex:
    """Row r of every per-organisation array describes organisation `ids[r]` (ids ascending)."""

    using: str
    version: str
    ids: np.ndarray  # int64
    name_rank: np.ndarray  # int32: rank of row r in ORDER BY name, id (the database's collation)
    by_name: np.ndarray  # int32: rows in name order
    published: np.ndarray  # bool
    kind: np.ndarray  # codes into kinds (uint8 up to 256 values)
    kinds: list[str]
    stage: np.ndarray
    stages: list[str]
    country: np.ndarray
    countries: list[str]
    region: np.ndarray  # codes into regions: one per case-insensitive spelling
    regions: list[tuple[str, str]]  # (casefolded key, label shown)
    eco_rows: np.ndarray  # (row, code into ecosystems) pairs, without repeats, sorted by row
    eco_codes: np.ndarray
    eco_starts: np.ndarray  # where each row's pairs start (see _starts)
    brands: list[Ecosystem]  # by name (pk, slug, name, short_name): the codes of eco_codes, and badges
    node_rows: np.ndarray
    node_codes: np.ndarray
    node_starts: np.ndarray
    nodes: list[tuple[int, str, str]]
    theme_rows: np.ndarray  # (row, code into themes) for each theme tagged on the row or above one that is
    theme_codes: np.ndarray
    theme_starts: np.ndarray
    themes: list[Theme]

    @property
    def ecosystems(self) -> list[tuple[int, str, str]]:
        """(pk, slug, name) of each ecosystem, by code."""
        return [(e.pk, e.slug, e.name) for e in self.brands]

    @property
    def size(self) -> int:
        return len(self.ids)

    @property
    def nbytes(self) -> int:
        return sum(v.nbytes for v in vars(self).values() if isinstance(v, np.ndarray))

    def rows_of(self, ids) -> np.ndarray:
        """Rows of the given organisation ids; ids the index does not hold (written after it was
        built, in a transaction not yet committed when it was) are left out."""
        rows, found = _rows_of(self.ids, np.asarray(ids, dtype=np.int64))
        return rows[found]

    def ecosystems_of(self, ids) -> dict[int, list[Ecosystem]]:
        """The ecosystems (by name) each of the given organisations belongs to, without a query."""
        wanted = np.asarray(list(ids), dtype=np.int64)
        rows, found = _rows_of(self.ids, wanted)
        starts, ends = self.eco_starts[rows], self.eco_starts[rows + 1]
        return {
            pk: [self.brands[code] for code in self.eco_codes[start:end]] if ok else []
            for pk, ok, start, end in zip(wanted.tolist(), found.tolist(), starts, ends, strict=True)
        }

    def mask_of(self, ids) -> np.ndarray:
        mask = np.zeros(self.size, dtype=bool)
        mask[self.rows_of(ids)] = True
        return mask


def build_index(*, using: str = "default", version: str = "") -> DirectoryIndex:
    """Read the directory into a DirectoryIndex (seven queries; 0.4–0.6 s at 100,000 organisations on a
    lightly loaded machine). References to organisations or keys the index does not hold (written while
    it was being built) are left out: that write changed the version, so the next search rebuilds it."""
    org = Organisation._meta.db_table
    rows = _fetch(using, f"SELECT id, published, kind, stage, country, region FROM {org}")  # noqa: S608
    pks, published, kinds, stages, countries, regions = (tuple(r[i] for r in rows) for i in range(6))
    del rows
    n = len(pks)
    unsorted = np.array(pks, dtype=np.int64)
    order = np.argsort(unsorted, kind="stable")
    ids = unsorted[order]

    def column(values: tuple) -> tuple[np.ndarray, list]:
        codes, distinct = _encode(values)
        return codes[order], distinct

    def rows_of(org_ids: np.ndarray) -> np.ndarray:
        found_rows, found = _rows_of(ids, org_ids)
        return np.where(found, found_rows, -1)

    # The name order as the database sorts (its collation), read from the (name, id) index.
    (by_name,) = _columns(_fetch(using, f"SELECT id FROM {org} ORDER BY name, id"), 1)  # noqa: S608
    by_name = rows_of(by_name)
    by_name = by_name[by_name >= 0]
    if len(by_name) != n:  # rows written meanwhile: keep every row once
        by_name = np.concatenate([np.unique(by_name), np.setdiff1d(np.arange(n), by_name)])
    name_rank = np.empty(n, dtype=np.int32)
    name_rank[by_name] = np.arange(n, dtype=np.int32)

    # Regions are filtered case-insensitively (region__iexact): one code per casefolded spelling,
    # shown under its first spelling in sort order.
    spellings: dict[str, str] = {}
    for spelling in set(regions):
        key = (spelling or "").casefold()
        if key not in spellings or spelling < spellings[key]:
            spellings[key] = spelling or ""
    region, region_keys = column(tuple((r or "").casefold() for r in regions))

    brands = list(
        Ecosystem.objects.using(using).order_by("name", "pk").only("pk", "slug", "name", "short_name")
    )
    ecosystems = [(e.pk, e.slug, e.name) for e in brands]
    nodes = list(NetworkNode.objects.using(using).order_by("name", "pk").values_list("pk", "slug", "name"))
    member_orgs, member_ecos, member_nodes = _columns(
        _fetch(
            using,
            f"SELECT organisation_id, ecosystem_id, COALESCE(node_id, -1) FROM {Membership._meta.db_table}",  # noqa: S608
        ),
        3,
    )
    member_rows = rows_of(member_orgs)
    eco_rows, eco_codes = _pairs(
        member_rows, _codes(member_ecos, {e[0]: i for i, e in enumerate(ecosystems)}), len(ecosystems)
    )
    node_rows, node_codes = _pairs(
        member_rows, _codes(member_nodes, {e[0]: i for i, e in enumerate(nodes)}), len(nodes)
    )

    # A theme filter includes the themes below it: so does its count. Each tag counts for its theme
    # and every theme above it.
    themes = list(
        Theme.objects.using(using).only("pk", "code", "parent_id", "label_fr", "label_nl", "label_en")
    )
    theme_code = {t.pk: i for i, t in enumerate(themes)}
    parent_code = _codes(np.array([t.parent_id or -1 for t in themes], dtype=np.int64), theme_code)
    tagged, tags = _columns(
        _fetch(using, f"SELECT organisation_id, theme_id FROM {Organisation.themes.through._meta.db_table}"),  # noqa: S608
        2,
    )
    level_rows, level_codes = rows_of(tagged), _codes(tags, theme_code)
    all_rows, all_codes = [level_rows], [level_codes]
    for _ in range(len(themes)):  # up the tree, one level at a time (bounded: a cycle cannot loop)
        keep = level_codes >= 0
        level_rows, level_codes = level_rows[keep], parent_code[level_codes[keep]]
        if not (level_codes >= 0).any():
            break
        all_rows.append(level_rows)
        all_codes.append(level_codes)
    theme_rows, theme_codes = _pairs(np.concatenate(all_rows), np.concatenate(all_codes), len(themes))

    kind, kind_values = column(kinds)
    stage, stage_values = column(stages)
    country, country_values = column(countries)
    return DirectoryIndex(
        using=using,
        version=version,
        ids=ids,
        name_rank=name_rank,
        by_name=by_name.astype(np.int32),
        published=np.array(published, dtype=bool)[order],
        kind=kind,
        kinds=kind_values,
        stage=stage,
        stages=stage_values,
        country=country,
        countries=country_values,
        region=region,
        regions=[(key, spellings[key]) for key in region_keys],
        eco_rows=eco_rows,
        eco_codes=eco_codes,
        eco_starts=_starts(eco_rows, n),
        brands=brands,
        node_rows=node_rows,
        node_codes=node_codes,
        node_starts=_starts(node_rows, n),
        nodes=nodes,
        theme_rows=theme_rows,
        theme_codes=theme_codes,
        theme_starts=_starts(theme_rows, n),
        themes=themes,
    )


_indexes: dict[str, DirectoryIndex] = {}
_build_lock = threading.Lock()


def current_index(using: str = "default", *, version: str | None = None) -> DirectoryIndex:
    """This process's index of the directory at the current search.index_version(), rebuilt when a
    write changed the version (one build at a time; concurrent searches wait for it)."""
    if version is None:
        version = search.index_version()
    index = _indexes.get(using)
    if index is not None and index.version == version:
        return index
    with _build_lock:
        index = _indexes.get(using)
        if index is None or index.version != version:
            index = build_index(using=using, version=version)
            _indexes[using] = index
    return index


def clear_index() -> None:
    _indexes.clear()


# --- Masks --------------------------------------------------------------------------------------------


def visible_mask(index: DirectoryIndex, user) -> np.ndarray:
    """The rows `user` may see: the rule of queries.visible_to(), on the index."""
    if user is not None and user.is_authenticated and user.is_superuser:
        return np.ones(index.size, dtype=bool)
    mask = index.published.copy()
    if user is None or not user.is_authenticated:
        return mask
    represented = Representative.objects.using(index.using).filter(user=user)
    mask[index.rows_of(list(represented.values_list("organisation_id", flat=True)))] = True
    eco_ids, node_ids = staff_ecosystem_ids(user), staff_node_ids(user)
    codes = [i for i, (pk, _s, _n) in enumerate(index.ecosystems) if pk in eco_ids]
    if codes:
        mask[index.eco_rows[np.isin(index.eco_codes, codes)]] = True
    codes = [i for i, (pk, _s, _n) in enumerate(index.nodes) if pk in node_ids]
    if codes:
        mask[index.node_rows[np.isin(index.node_codes, codes)]] = True
    return mask


def _pairs_mask(index: DirectoryIndex, rows: np.ndarray, codes: np.ndarray, wanted: list[int]) -> np.ndarray:
    mask = np.zeros(index.size, dtype=bool)
    if wanted:
        mask[rows[np.isin(codes, wanted)]] = True
    return mask


def _value_mask(column: np.ndarray, values: list, value) -> np.ndarray:
    try:
        return column == values.index(value)
    except ValueError:
        return np.zeros(len(column), dtype=bool)


def filter_masks(index: DirectoryIndex, active) -> dict[str, np.ndarray]:
    """One mask per active facet filter (queries.ActiveFilters), as queries.apply_filters() filters."""
    values, masks = active.values, {}
    if "kind" in values:
        masks["kind"] = _value_mask(index.kind, index.kinds, values["kind"])
    if "stage" in values:
        masks["stage"] = _value_mask(index.stage, index.stages, values["stage"])
    if "country" in values:
        masks["country"] = _value_mask(index.country, index.countries, values["country"])
    if "region" in values:
        keys = [key for key, _label in index.regions]
        masks["region"] = _value_mask(index.region, keys, values["region"].casefold())
    if "ecosystem" in values:
        pk = active.objects["ecosystem"].pk
        wanted = [i for i, e in enumerate(index.ecosystems) if e[0] == pk]
        masks["ecosystem"] = _pairs_mask(index, index.eco_rows, index.eco_codes, wanted)
    if "node" in values:
        pk = active.objects["node"].pk
        wanted = [i for i, n in enumerate(index.nodes) if n[0] == pk]
        masks["node"] = _pairs_mask(index, index.node_rows, index.node_codes, wanted)
    if "theme" in values:
        pk = active.objects["theme"].pk
        wanted = [i for i, t in enumerate(index.themes) if t.pk == pk]
        masks["theme"] = _pairs_mask(index, index.theme_rows, index.theme_codes, wanted)
    return masks


@dataclass
class Found:
    """What a search found on the index: ordered ids (all of them) and, if asked, the facets."""

    ids: np.ndarray
    facets: dict[str, list[FacetOption]] | None = None


def find(index: DirectoryIndex, user, active, *, facets: bool = False, matched=None) -> Found:
    """Match (one or two database queries when there are words, unless `matched` holds the ids
    search.prepare_and_match() read with them), then visibility, filters, relevance order (names
    holding every word first, then by name) and facet counts on the index."""
    base = visible_mask(index, user)
    name_match = None
    if active.words:
        doc_ids, name_ids = matched or search.matching_ids(active.words, using=index.using)
        base &= index.mask_of(doc_ids)
        name_match = index.mask_of(name_ids)
    masks = filter_masks(index, active)
    selected = base.copy()
    for mask in masks.values():
        selected &= mask
    if name_match is None:
        rows = index.by_name[selected[index.by_name]]
    else:
        rows = np.flatnonzero(selected)
        key = index.name_rank[rows].astype(np.int64) - index.size * name_match[rows]
        rows = rows[np.argsort(key)]
    found = Found(ids=index.ids[rows])
    if facets:
        found.facets = facet_options(index, active, base, masks, selected)
    return found


# --- Facets ------------------------------------------------------------------------------------------


def facet_options(
    index: DirectoryIndex, active, base: np.ndarray, masks: dict[str, np.ndarray], selected: np.ndarray
) -> dict[str, list[FacetOption]]:
    """For each facet, its options with the number of organisations each would give: counted with every
    other filter applied (so that a chosen value does not hide its siblings)."""

    everything = _Selection(selected)

    def without(name: str) -> _Selection:
        if name not in masks:
            return everything
        mask = base.copy()
        for other, m in masks.items():
            if other != name:
                mask &= m
        return _Selection(mask)

    def column_counts(name: str, column: np.ndarray, values: list) -> dict:
        counts = without(name).column_counts(column, len(values)).tolist()
        return {values[i]: c for i, c in enumerate(counts) if c}

    def pair_counts(name: str, rows: np.ndarray, codes: np.ndarray, starts: np.ndarray, width: int) -> list:
        return without(name).code_counts(rows, codes, starts, width).tolist()

    facets: dict[str, list[FacetOption]] = {}
    kinds = column_counts("kind", index.kind, index.kinds)
    labels = dict(OrganisationKind.choices)
    facets["kind"] = [
        FacetOption(k, capfirst(str(labels[k])), kinds.get(k, 0), active.get("kind") == k)
        for k in OrganisationKind.values
        if kinds.get(k) or active.get("kind") == k
    ]
    stages = column_counts("stage", index.stage, index.stages)
    labels = dict(Stage.choices)
    facets["stage"] = [
        FacetOption(s, capfirst(str(labels[s])), stages.get(s, 0), active.get("stage") == s)
        for s in Stage.values
        if stages.get(s) or active.get("stage") == s
    ]
    countries = column_counts("country", index.country, index.countries)
    facets["country"] = [  # by name in the reader's language
        FacetOption(c, name, countries[c], active.get("country") == c) for c, name in by_name(countries)
    ]
    keys = [key for key, _label in index.regions]
    regions = column_counts("region", index.region, keys)
    chosen = active.get("region", "").casefold()
    facets["region"] = [
        FacetOption(label, label, regions[key], key == chosen)
        for key, label in sorted(index.regions)
        if key and regions.get(key)
    ]
    counts = pair_counts("ecosystem", index.eco_rows, index.eco_codes, index.eco_starts, len(index.brands))
    facets["ecosystem"] = [
        FacetOption(slug, name, counts[i], active.get("ecosystem") == slug)
        for i, (_pk, slug, name) in enumerate(index.ecosystems)
        if counts[i] or active.get("ecosystem") == slug
    ]
    counts = pair_counts("node", index.node_rows, index.node_codes, index.node_starts, len(index.nodes))
    facets["node"] = [
        FacetOption(slug, name, counts[i], active.get("node") == slug)
        for i, (_pk, slug, name) in enumerate(index.nodes)
        if counts[i] or active.get("node") == slug
    ]
    counts = pair_counts("theme", index.theme_rows, index.theme_codes, index.theme_starts, len(index.themes))
    facets["theme"] = _theme_tree(index, counts, active.get("theme"))
    return facets


def _theme_tree(index: DirectoryIndex, counts, selected) -> list[FacetOption]:
    """Themes as a tree (depth for indentation), in the current language's label order; each counts the
    organisations tagged with it or with a theme below it (what choosing it shows)."""
    children: dict[int | None, list[tuple[int, Theme]]] = {}
    for i, theme in enumerate(index.themes):
        children.setdefault(theme.parent_id, []).append((i, theme))
    # The chosen theme stays listed (with the themes above it) even when nothing else would show it.
    keep = set()
    for theme in index.themes:
        if theme.code == selected:
            parents = {t.pk: t.parent_id for t in index.themes}
            up = theme.pk
            while up is not None and up not in keep:
                keep.add(up)
                up = parents.get(up)
    out: list[FacetOption] = []

    labels = [theme.label for theme in index.themes]  # in the current language

    def walk(parent_id, depth, seen):
        # Accents ignored: 'Électronique' sorts among the E's, as a French reader expects.
        for i, theme in sorted(children.get(parent_id, []), key=lambda it: strip_accents(labels[it[0]])):
            count = int(counts[i])
            if (count or theme.pk in keep) and theme.pk not in seen:
                out.append(FacetOption(theme.code, labels[i], count, theme.code == selected, depth))
                walk(theme.pk, depth + 1, seen | {theme.pk})

    walk(None, 0, frozenset())
    return out
