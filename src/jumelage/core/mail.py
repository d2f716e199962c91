"""E-mail through Django's mail framework, written in each recipient's language.

A message is two templates: `<name>_subject.txt` (one line) and `<name>.txt` (the body); an optional
`<name>.html` gives an HTML alternative. They are rendered under the recipient's language, so
`{% translate %}` and dates come out in French, Dutch or English as the recipient reads them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation


@dataclass
class Attachment:
    filename: str
    content: bytes
    mimetype: str


@dataclass
class Mail:
    to: str
    language: str
    template: str  # e.g. "events/mail/registration_confirmed"
    context: dict = field(default_factory=dict)
    attachments: list[Attachment] = field(default_factory=list)
    # Inline images for the HTML part, referenced as cid:<key> (e.g. a QR code).
    inline_images: dict[str, bytes] = field(default_factory=dict)


def language_of(code: str | None) -> str:
    """A language the platform speaks: the code itself if supported, else the default."""
    supported = {code for code, _ in settings.LANGUAGES}
    code = (code or "").split("-")[0].lower()
    return code if code in supported else settings.LANGUAGE_CODE


def build(mail: Mail) -> EmailMultiAlternatives:
    with translation.override(language_of(mail.language)):
        context = {"language": language_of(mail.language), **mail.context}
        # one line; ASCII whitespace only, so French no-break spaces ("«\u00a0…\u00a0»", "\u00a0:") stay
        subject = re.sub(
            r"[ \t\r\n\f\v]+", " ", render_to_string(f"{mail.template}_subject.txt", context)
        ).strip()
        body = render_to_string(f"{mail.template}.txt", context)
        try:
            html = render_to_string(f"{mail.template}.html", context)
        except TemplateDoesNotExist:
            html = None
    message = EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, [mail.to])
    if html is not None:
        message.attach_alternative(html, "text/html")
        if mail.inline_images:
            from email.mime.image import MIMEImage

            message.mixed_subtype = "related"
            for key, data in mail.inline_images.items():
                image = MIMEImage(data)
                image.add_header("Content-ID", f"<{key}>")
                image.add_header("Content-Disposition", "inline", filename=f"{key}.png")
                message.attach(image)
    for a in mail.attachments:
        message.attach(a.filename, a.content, a.mimetype)
    return message


def send(mails: Iterable[Mail]) -> int:
    """Send the messages over one connection; returns how many were sent. Errors propagate."""
    messages = [build(m) for m in mails]
    if not messages:
        return 0
    with get_connection() as connection:
        return connection.send_messages(messages)
