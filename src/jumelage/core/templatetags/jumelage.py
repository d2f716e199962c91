"""Template helpers shared by the pages: identifier formatting and accessible SVG bar charts.

Charts are drawn on the server as SVG (no JavaScript, nothing from a CDN). Colours come from CSS
classes (`brand-<slug>-fill`, served by /brands.css), never from inline styles, so the strict CSP holds.
"""

from django import template
from django.utils import formats
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from jumelage.core.countries import country_name as _country_name

register = template.Library()


@register.filter
def percent(value) -> str:
    """66.7 → "66,7 %" in French (a no-break space before the sign), "66.7%" in English, "66,7%" in Dutch."""
    if value is None or value == "":
        return ""
    return _("%(number)s%%") % {"number": formats.localize(value)}


@register.filter
def country_name(code: str) -> str:
    """'BE' → 'Belgique' in French (core/countries.py)."""
    return _country_name(code)


@register.filter
def siren(value: str) -> str:
    """'732829320' → '732 829 320' (how INSEE prints it)."""
    digits = "".join(ch for ch in str(value or "") if ch.isdigit())
    if len(digits) != 9:
        return value
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"


@register.filter
def enterprise_number(value: str) -> str:
    """'0123456749' → '0123.456.749' (how the Crossroads Bank for Enterprises prints it)."""
    digits = "".join(ch for ch in str(value or "") if ch.isdigit())
    if len(digits) != 10:
        return value
    return f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"


@register.filter
def vat_number(value: str) -> str:
    """'BE0123456749' → 'BE 0123.456.749'; other countries: code and number separated by a space."""
    value = str(value or "")
    if len(value) < 3:
        return value
    prefix, body = value[:2], value[2:]
    if prefix == "BE" and len(body) == 10 and body.isdigit():
        return f"BE {enterprise_number(body)}"
    return f"{prefix} {body}"


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def bar_chart_svg(
    *,
    chart_id: str,
    title: str,
    description: str,
    series: list[tuple[str, str, str]],
    rows: list[tuple[str, list[int]]],
    label_width: int = 230,
    bar_area: int = 420,
    bar_height: int = 16,
) -> SafeString:
    """A horizontal grouped bar chart: one group per row (category), one bar per series (ecosystem).

    `series` is [(brand slug, name, short name)], `rows` is [(category label, [value per series])]. The SVG is an
    image for assistive technology (role="img" with <title>/<desc>); each bar also has a <title> for
    pointer users. Pair it with a data table: the table is the accessible form of the numbers."""
    peak = max((v for _label, values in rows for v in values), default=0) or 1
    group_gap = 10
    # Room right of the longest bar for "1352 French Tech" (about 7.5 px a character at 13 px).
    longest = max((len(f"{peak} {short}") for _slug, _name, short in series), default=4)
    value_room = 12 + round(7.5 * longest)
    group_height = bar_height * max(len(series), 1) + group_gap
    height = max(group_height * len(rows), bar_height + group_gap) + 6
    width = label_width + bar_area + value_room
    groups = []
    for index, (label, values) in enumerate(rows):
        top = 3 + index * group_height
        label_y = top + (bar_height * len(series)) / 2
        bars = []
        for s_index, ((slug, name, short), value) in enumerate(zip(series, values, strict=True)):
            y = top + s_index * bar_height
            bar_width = round(bar_area * value / peak, 1)
            bars.append(
                format_html(
                    '<rect class="chart-bar brand-{}-fill" x="{}" y="{}" width="{}" height="{}">'
                    "<title>{}</title></rect>"
                    '<text class="chart-value" x="{}" y="{}" dominant-baseline="middle">{}</text>',
                    slug,
                    label_width,
                    y + 1,
                    bar_width,
                    bar_height - 2,
                    _("%(series)s — %(category)s: %(count)s")
                    % {"series": name, "category": label, "count": value},
                    label_width + bar_width + 4,
                    y + bar_height / 2,
                    # The short name beside each figure: the bars stay readable without colour
                    # (WCAG 1.4.1), and when two brands have similar colours.
                    f"{value} {short}",
                )
            )
        groups.append(
            format_html(
                '<g><text class="chart-label" x="{}" y="{}" text-anchor="end" dominant-baseline="middle">'
                "{}</text>{}</g>",
                label_width - 8,
                label_y,
                _truncate(label, 34),
                SafeString("".join(bars)),
            )
        )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="bar-chart" viewBox="0 0 {w} {h}" width="{w}" '
        'height="{h}" role="img" aria-labelledby="{id}-title {id}-desc" focusable="false">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>{groups}</svg>',
        w=width,
        h=round(height),
        id=chart_id,
        title=title,
        desc=description,
        groups=SafeString("".join(groups)) if groups else "",
    )


@register.simple_tag
def bar_chart(chart: dict) -> SafeString:
    """{% bar_chart chart %} with chart = {"id", "title", "description", "series", "rows"}."""
    return bar_chart_svg(
        chart_id=chart["id"],
        title=chart["title"],
        description=chart["description"],
        series=chart["series"],
        rows=chart["rows"],
    )


@register.simple_tag
def legend_swatch(slug: str) -> SafeString:
    """A small square in a brand's colour, hidden from assistive technology (the name is text)."""
    return format_html(
        '<svg class="legend-swatch" width="14" height="14" viewBox="0 0 14 14" aria-hidden="true" '
        'focusable="false"><rect class="brand-{}-fill" width="14" height="14"/></svg>',
        slug,
    )


@register.simple_tag(takes_context=True)
def page_url(context, param: str, number: int, anchor: str = "") -> str:
    """The address of page `number` of one list: the current query with `param` set, so a page with two
    paginated lists (a node's members and what it shared) keeps the other list's page."""
    query = context["request"].GET.copy()
    query[param] = number
    return "?" + query.urlencode() + (f"#{anchor}" if anchor else "")
