"""Template helpers for co-branding: where each partner's brand links to (events core)."""

from django import template
from django.conf import settings
from django.urls import reverse

register = template.Library()


def brand_page(partner) -> str:
    """The partner's Jumelage page (its ecosystem or node page), as a path."""
    if partner.ecosystem_id:
        return reverse("ecosystems:ecosystem-detail", args=[partner.ecosystem.slug])
    return reverse("ecosystems:node-detail", args=[partner.node.slug])


@register.filter
def brand_url(partner, absolute: bool = False) -> str:
    """The partner's own link: its website if it has one, else its page on Jumelage (absolute, with
    settings.SITE_URL, when `absolute` is true: for e-mails and calendar files)."""
    website = partner.brand.website
    if website:
        return website
    path = brand_page(partner)
    return settings.SITE_URL + path if absolute else path


@register.filter
def brand_slug(partner) -> str:
    """The slug of the ecosystem whose colours the partner wears (a node wears its ecosystem's)."""
    return partner.ecosystem.slug if partner.ecosystem_id else partner.node.ecosystem.slug
