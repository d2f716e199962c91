"""The PDFs print every name: in DejaVu Sans when the machine has it, else as close as Helvetica can."""

from jumelage.core.pdf import FAMILY, Document, font_files
from tests.events.test_badges import pdf_text

NAMES = "L’Œuvre Dvořák, Łódź, Київ – 20 €"


def printed(text: str) -> tuple[bytes, str]:
    doc = Document()
    doc.add_page()
    doc.set_font(FAMILY, "B", 12)
    doc.multi_cell(0, 6, text)
    data = bytes(doc.output())
    return data, pdf_text(data)


def test_with_dejavu_sans_every_letter_is_printed_and_the_font_is_embedded():
    assert font_files(), "DejaVu Sans is missing: install fonts-dejavu-core (make test does, as root)"
    data, text = printed(NAMES)
    assert text == NAMES
    assert b"/FontFile2" in data  # the subset travels with the PDF: any reader shows it


def test_without_it_helvetica_keeps_what_it_can_and_marks_the_rest(settings, tmp_path):
    settings.PDF_FONT_DIR = str(tmp_path)  # a folder with no font in it
    assert font_files() == {}
    data, text = printed(NAMES)
    assert text == "L’Œuvre Dvorák, Lódz, ???? – 20 €"  # Windows-1252 kept, ř ł lose their mark, rest "?"
    assert b"/FontFile2" not in data and b"/Helvetica-Bold" in data
