"""Printable name badges: A6, four to an A4 sheet. Each carries every co-organiser's brand side by side
(own logo when it has one, own name), in the agreed order — never a merged logo — then the attendee's
name and organisation, the event, and the check-in QR code."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable

from django.utils import formats, timezone

from jumelage.core.pdf import FAMILY, Document
from jumelage.events import qr
from jumelage.events.models import Event, EventPartner, Registration
from jumelage.events.queries import partners_in_order

logger = logging.getLogger(__name__)

BADGE_W, BADGE_H = 105, 148  # A6, millimetres
MARGIN = 8


def _logo(partner: EventPartner):
    """The partner's logo as a file object fpdf2 can place (PNG, JPEG or SVG), or None."""
    brand = partner.brand
    if not brand.logo:
        return None
    name = brand.logo.name.lower()
    if not name.endswith((".png", ".jpg", ".jpeg", ".svg")):
        return None
    try:
        with brand.logo.open("rb") as fh:
            return io.BytesIO(fh.read())
    except OSError:
        return None


def _brands(doc: Document, x: float, y: float, partners: list[EventPartner]) -> float:
    """Partners side by side in equal columns; returns the y below them."""
    width = (BADGE_W - 2 * MARGIN) / max(len(partners), 1)
    bottom = y
    for i, partner in enumerate(partners):
        left = x + MARGIN + i * width
        logo = _logo(partner)
        top = y
        if logo is not None:
            try:
                doc.image(logo, x=left + 1, y=top, h=12, w=0, keep_aspect_ratio=True)
                top += 13
            except Exception:  # a broken logo file must not stop the printing: print the name alone
                logger.warning("Cannot place the logo of %s on a badge", partner.brand_name, exc_info=True)
        doc.set_xy(left, top)
        doc.set_font(FAMILY, "B", 7)
        doc.multi_cell(width - 1, 3.2, partner.brand_name, align="L")
        bottom = max(bottom, doc.get_y())
    return bottom


def _badge(doc: Document, x: float, y: float, event: Event, partners, registration: Registration) -> None:
    doc.set_draw_color(180, 180, 180)
    doc.rect(x, y, BADGE_W, BADGE_H)
    below = _brands(doc, x, y + MARGIN, partners)
    doc.set_draw_color(0, 0, 0)
    doc.line(x + MARGIN, below + 2, x + BADGE_W - MARGIN, below + 2)
    doc.set_xy(x + MARGIN, below + 6)
    doc.set_font(FAMILY, "", 8)
    when = formats.date_format(timezone.localtime(event.starts_at), "DATE_FORMAT")
    doc.multi_cell(BADGE_W - 2 * MARGIN, 4, f"{event.title} · {when}")
    doc.set_x(x + MARGIN)
    doc.set_font(FAMILY, "B", 18)
    doc.ln(4)
    doc.set_x(x + MARGIN)
    doc.multi_cell(BADGE_W - 2 * MARGIN, 8, registration.name)
    organisation = (
        registration.organisation.name if registration.organisation_id else registration.organisation_name
    )
    if organisation:
        doc.set_x(x + MARGIN)
        doc.set_font(FAMILY, "", 11)
        doc.multi_cell(BADGE_W - 2 * MARGIN, 5, organisation)
    size = 38
    doc.image(
        io.BytesIO(qr.png(registration, scale=4)),
        x=x + BADGE_W - MARGIN - size,
        y=y + BADGE_H - MARGIN - size,
        w=size,
    )


def badges_pdf(event: Event, registrations: Iterable[Registration]) -> bytes:
    partners = partners_in_order(event)
    doc = Document()
    doc.set_auto_page_break(False)
    doc.set_title(event.title)
    positions = [(0, 0), (BADGE_W, 0), (0, BADGE_H), (BADGE_W, BADGE_H)]
    for i, registration in enumerate(registrations):
        if i % 4 == 0:
            doc.add_page()
        x, y = positions[i % 4]
        _badge(doc, x, y, event, partners, registration)
    if doc.page == 0:
        doc.add_page()
    return bytes(doc.output())
