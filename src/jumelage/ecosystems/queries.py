"""Reading ecosystems and nodes: brand stylesheet, the side-by-side overview, node pages."""

from collections import defaultdict

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from jumelage.directory.models import Membership, OrganisationKind, Theme
from jumelage.ecosystems.models import Ecosystem, NetworkNode

# Regions beyond this many (by member count) are added up into one "other regions" row.
REGION_ROWS = 12


def brands_css() -> str:
    rules = []
    for eco in Ecosystem.objects.only("slug", "primary_colour", "secondary_colour"):
        rules.append(
            f".brand-{eco.slug} {{ border-left: .4rem solid {eco.primary_colour}; }}\n"
            f".brand-{eco.slug}-bg {{ background: {eco.primary_colour}; color: {eco.secondary_colour}; }}\n"
            # SVG bars and legend swatches of the ecosystem overview charts.
            f".brand-{eco.slug}-fill {{ fill: {eco.primary_colour}; }}\n"
        )
    return "".join(rules)


def _top_level_themes() -> tuple[dict[int, int], dict[int, str]]:
    """Each theme's top-level ancestor, and the labels of the top-level themes (current language)."""
    themes = {t.pk: t for t in Theme.objects.only("pk", "parent_id", "label_fr", "label_nl", "label_en")}
    top: dict[int, int] = {}
    for pk in themes:
        node, seen = themes[pk], set()
        while node.parent_id is not None and node.parent_id in themes and node.pk not in seen:
            seen.add(node.pk)
            node = themes[node.parent_id]
        top[pk] = node.pk
    labels = {pk: themes[pk].label for pk in set(top.values())}
    return top, labels


def _rows(counts: dict[str, dict[int, int]], eco_ids: list[int]) -> list[tuple[str, list[int]]]:
    """[(category, [count per ecosystem])], biggest total first, then by name."""
    rows = [(label, [per_eco.get(e, 0) for e in eco_ids]) for label, per_eco in counts.items()]
    rows.sort(key=lambda r: (-sum(r[1]), r[0].casefold()))
    return rows


def overview_context() -> dict:
    """The ecosystems side by side: published member organisations counted by top-level theme, by
    kind and by region (each organisation once per ecosystem and category)."""
    ecosystems = list(
        Ecosystem.objects.annotate(
            member_count=Count(
                "memberships__organisation",
                filter=Q(memberships__organisation__published=True),
                distinct=True,
            ),
            node_count=Count("nodes", distinct=True),
        ).order_by("name")
    )
    eco_ids = [e.pk for e in ecosystems]
    members = Membership.objects.filter(organisation__published=True)

    kinds = dict(OrganisationKind.choices)
    by_kind: dict[str, dict[int, int]] = defaultdict(dict)
    for row in members.values("ecosystem_id", "organisation__kind").annotate(
        n=Count("organisation_id", distinct=True)
    ):
        label = str(kinds.get(row["organisation__kind"], row["organisation__kind"]))
        by_kind[label[:1].upper() + label[1:]][row["ecosystem_id"]] = row["n"]

    region_counts: dict[str, dict[int, int]] = defaultdict(dict)
    for row in members.values("ecosystem_id", "organisation__region").annotate(
        n=Count("organisation_id", distinct=True)
    ):
        label = row["organisation__region"] or _("Region not given")
        region_counts[label][row["ecosystem_id"]] = (
            region_counts[label].get(row["ecosystem_id"], 0) + row["n"]
        )
    region_rows = _rows(region_counts, eco_ids)
    if len(region_rows) > REGION_ROWS:
        rest = region_rows[REGION_ROWS - 1 :]
        region_rows = region_rows[: REGION_ROWS - 1]
        region_rows.append(
            (
                _("Other regions (%(count)s)") % {"count": len(rest)},
                [sum(values[i] for _label, values in rest) for i in range(len(eco_ids))],
            )
        )

    top, top_labels = _top_level_themes()
    theme_members: dict[int, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    no_theme: dict[int, set[int]] = defaultdict(set)
    for eco_id, org_id, theme_id in members.values_list(
        "ecosystem_id", "organisation_id", "organisation__themes"
    ):
        if theme_id is None:
            no_theme[eco_id].add(org_id)
        else:
            theme_members[top[theme_id]][eco_id].add(org_id)
    by_theme: dict[str, dict[int, int]] = {}
    for theme_id, per_eco in theme_members.items():
        by_theme[top_labels[theme_id]] = {e: len(orgs) for e, orgs in per_eco.items()}
    theme_rows = _rows(by_theme, eco_ids)
    if any(no_theme.values()):
        theme_rows.append((_("No theme given"), [len(no_theme.get(e, ())) for e in eco_ids]))

    series = [(e.slug, e.name, e.short_name or e.name) for e in ecosystems]
    names = ", ".join(e.name for e in ecosystems)

    def chart(chart_id, title, rows):
        return {
            "id": chart_id,
            "title": title,
            "description": _(
                "Number of published member organisations of %(ecosystems)s, per category; the same "
                "figures are in the table below the chart."
            )
            % {"ecosystems": names},
            "series": series,
            "rows": rows,
        }

    charts = [
        chart("chart-theme", _("Member organisations by theme"), theme_rows),
        chart("chart-kind", _("Member organisations by kind"), _rows(by_kind, eco_ids)),
        chart("chart-region", _("Member organisations by region"), region_rows),
    ]
    return {"ecosystems": ecosystems, "charts": charts}


def ecosystem_nodes(ecosystem: Ecosystem) -> list[NetworkNode]:
    """The ecosystem's nodes with their published member counts, ordered by kind then name."""
    return list(
        ecosystem.nodes.select_related("parent")
        .annotate(
            member_count=Count(
                "memberships__organisation",
                filter=Q(memberships__organisation__published=True),
                distinct=True,
            )
        )
        .order_by("kind", "name")
    )


def ecosystem_member_count(ecosystem: Ecosystem) -> int:
    return (
        Membership.objects.filter(ecosystem=ecosystem, organisation__published=True)
        .values("organisation_id")
        .distinct()
        .count()
    )


def node_members(node: NetworkNode, user):
    """The node's member organisations the user may see (published ones for visitors)."""
    from jumelage.directory.queries import visible_to

    return visible_to(user).filter(memberships__node=node).order_by("name")
