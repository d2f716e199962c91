"""The directory's facet selects and result rows, rendered in Python: about fifty options and 25 rows
on every search page, which template loops made the slowest part of the page (see bench/README.md,
"Directory search"). Every value goes through html.escape, as the template's autoescape would."""

from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy, pgettext_lazy

from jumelage.core.countries import country_name

register = template.Library()

_INDENT = ("", "– ", "– – ")  # sub-themes, by depth
# "All" agrees with the facet's name in French ("Thématique : Toutes", "Pays : Tous")
_ALL = {
    "": gettext_lazy("All"),
    "theme": pgettext_lazy("all themes", "All"),
    "region": pgettext_lazy("all regions", "All"),
}


@register.simple_tag
def facet_select(name: str, label: str, options) -> SafeString:
    """A labelled <select> for one facet: "All", then each option with its count."""
    items = "\n".join(
        f'<option value="{escape(str(o.value))}"{" selected" if o.selected else ""}>'
        f"{_INDENT[min(o.depth, 2)]}{escape(str(o.label))} ({int(o.count)})</option>"
        for o in options or ()
    )
    name = escape(name)
    return mark_safe(
        f'<div class="field">\n<label for="facet-{name}">{escape(str(label))}</label>\n'
        f'<select id="facet-{name}" name="{name}">\n'
        f'<option value="">{escape(str(_ALL.get(name, _ALL[""])))}</option>\n{items}\n</select>\n</div>'
    )


def _row(org) -> str:
    place = ""
    if org.city or org.country:
        place = " · " + (f"{escape(org.city)}, " if org.city else "") + escape(country_name(org.country))
    badges = "".join(
        f'<span class="badge brand-{escape(eco.slug)}">{escape(eco.short_name or eco.name)}</span> '
        for eco in org.ecosystem_badges
    )
    tagline = f'\n<p class="tagline">{escape(org.tagline_fr)}</p>' if org.tagline_fr else ""
    return (
        f'<li class="result">\n<h3><a href="{escape(org.detail_url)}">{escape(org.name)}</a></h3>\n'
        f'<p class="result-meta">{escape(capfirst(str(org.kind_label)))}{place}\n{badges}</p>{tagline}\n</li>'
    )


@register.simple_tag
def result_list(page) -> SafeString:
    """The ordered list of a page of organisations prepared by SearchResults.prepare_rows()."""
    rows = "\n".join(_row(org) for org in page.object_list)
    return mark_safe(f'<ol class="results" start="{page.start_index()}">\n{rows}\n</ol>')
