"""The directory's facet selects, rendered in Python: about fifty options on every search page, which
a template loop made the slowest part of the page (see bench/README.md, "Directory search")."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

register = template.Library()

_INDENT = ("", "– ", "– – ")  # sub-themes, by depth
_SELECTED = mark_safe(" selected")


@register.simple_tag
def facet_select(name: str, label: str, options) -> SafeString:
    """A labelled <select> for one facet: "All", then each option with its count."""
    items = format_html_join(
        "\n",
        '<option value="{}"{}>{}{} ({})</option>',
        (
            (
                option.value,
                _SELECTED if option.selected else "",
                _INDENT[min(option.depth, 2)],
                option.label,
                option.count,
            )
            for option in options or ()
        ),
    )
    return format_html(
        '<div class="field">\n<label for="facet-{}">{}</label>\n<select id="facet-{}" name="{}">\n'
        '<option value="">{}</option>\n{}\n</select>\n</div>',
        name,
        label,
        name,
        name,
        gettext("All"),
        items,
    )
