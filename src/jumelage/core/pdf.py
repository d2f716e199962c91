"""Small helpers for the PDFs the platform prints (fpdf2, built-in fonts)."""

_REPLACEMENTS = {"–": "-", "—": "-", "’": "'", "‘": "'", "“": '"', "”": '"', "…": "...", "\u202f": " "}


def latin1(text: str) -> str:
    """fpdf2's built-in fonts cover Latin-1 (French, Dutch, English); typographic punctuation becomes
    its plain form and anything else outside Latin-1 becomes '?'."""
    for a, b in _REPLACEMENTS.items():
        text = text.replace(a, b)
    return text.encode("latin-1", "replace").decode("latin-1")
