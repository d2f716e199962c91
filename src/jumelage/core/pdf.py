"""The PDFs the platform prints (agendas, badges): an fpdf2 document that writes every script when the
machine has DejaVu Sans (Debian: fonts-dejavu-core), and Helvetica otherwise.

Names come from everywhere in the partnership (L’Œuvre, Dvořák, Łódź…). Helvetica, built into every PDF
reader, covers Windows-1252 only: with it, letters outside that set lose their accent (č → c) and
anything still outside it prints as "?". The folder is ``PDF_FONT_DIR`` (``JUMELAGE_PDF_FONT_DIR``).
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from django.conf import settings
from fpdf import FPDF

FAMILY = "body"
_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf"}
_PLAIN = str.maketrans({"ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ı": "i", "\u202f": " ", "\u2011": "-"})


def font_files() -> dict[str, Path]:
    """The DejaVu Sans files found, by style ("" regular, "B" bold, "I" italic); empty without the
    regular one."""
    folder = Path(settings.PDF_FONT_DIR)
    found = {style: folder / name for style, name in _FILES.items() if (folder / name).is_file()}
    return found if "" in found else {}


def windows_1252(text: str) -> str:
    """`text` in what Helvetica can print: accents outside Windows-1252 dropped, the rest as "?"."""
    out = []
    for ch in text.translate(_PLAIN):
        try:
            ch.encode("cp1252")
        except UnicodeEncodeError:
            base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
            ch = base if base and base.isascii() else "?"
        out.append(ch)
    return "".join(out)


class Document(FPDF):
    """An A4 page set whose text font is `FAMILY`: DejaVu Sans when found (bold and italic fall back to
    the regular face when their files are missing), else Helvetica in Windows-1252."""

    def __init__(self):
        super().__init__(format="A4")
        files = font_files()
        self.unicode = bool(files)
        if self.unicode:
            for style in ("", "B", "I"):
                self.add_font(FAMILY, style, files.get(style, files[""]))
        else:
            self.core_fonts_encoding = "windows-1252"

    def set_font(self, family=None, style="", size=0):
        if family in (FAMILY, None) and not self.unicode:
            family = "helvetica"
        super().set_font(family, style, size)

    def normalize_text(self, text: str) -> str:
        if not self.is_ttf_font:
            text = windows_1252(text)
        return super().normalize_text(text)
