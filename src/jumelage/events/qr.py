"""QR codes for registrations: what they carry, how they are drawn, how a scan is read back.

The code does NOT carry the registration's secret token (whoever holds the token may cancel the
registration, and a badge is shown to many people). It carries the address of the event's check-in page
with a signed check-in code: `<SITE_URL>/events/<slug>/check-in/?code=<registration id>:<signature>`.
A phone's camera opens that page for the staff member who scans it; a handheld scanner "types" it into
the check-in page's field, which accepts the whole address or the bare code. The signature (Django's
signing with the secret key and a salt of its own) means a code can't be guessed from an id.

Drawing is segno's (pure Python): PNG for e-mails, SVG for pages.
"""

from __future__ import annotations

import io
import re
from urllib.parse import parse_qs, urlsplit

import segno
from django.conf import settings
from django.core import signing
from django.urls import reverse

_SALT = "jumelage.events.check-in"
_signer = signing.Signer(salt=_SALT)
_CODE = re.compile(r"^\d{1,18}:[A-Za-z0-9_-]{20,100}$")


def check_in_code(registration) -> str:
    """`<id>:<signature>`: what identifies a registration at the door."""
    return _signer.sign(str(registration.pk))


def payload(registration) -> str:
    """What the QR code of a registration says: the check-in page's address with its code."""
    path = reverse("events:check-in", args=[registration.event.slug])
    return f"{settings.SITE_URL}{path}?code={check_in_code(registration)}"


def registration_id_from_scan(text: str) -> int | None:
    """The registration id a scanned text names, or None when it is not a valid, signed code. Accepts
    the QR code's whole address (with `?code=`) or the bare code, with stray spaces around it."""
    text = (text or "").strip()
    if not text:
        return None
    if "code=" in text:
        values = parse_qs(urlsplit(text).query).get("code") or parse_qs(text.split("?")[-1]).get("code")
        text = (values or [""])[0].strip()
    if not _CODE.match(text):
        return None
    try:
        return int(_signer.unsign(text))
    except (signing.BadSignature, ValueError):
        return None


def looks_like_code(text: str) -> bool:
    """True when the text is shaped like a scan (an address with a code, or a bare code), so the
    check-in page reports an invalid code rather than searching names for it."""
    text = (text or "").strip()
    return "code=" in text or bool(_CODE.match(text))


def _qr(registration):
    return segno.make(payload(registration), error="m")


def png(registration, *, scale: int = 6) -> bytes:
    out = io.BytesIO()
    _qr(registration).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


def svg(registration, *, scale: int = 6) -> bytes:
    """An SVG with a title (for screen readers) and no inline style (the page's CSP allows none)."""
    out = io.BytesIO()
    _qr(registration).save(
        out, kind="svg", scale=scale, border=4, xmldecl=False, svgns=True, title="QR code", nl=False
    )
    return out.getvalue()
