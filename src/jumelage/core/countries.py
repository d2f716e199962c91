"""Countries are stored as ISO 3166 two-letter codes ("BE") and shown by name in the reader's language
("Belgique", "België", "Belgium"), from django-countries' translated names."""

from functools import lru_cache

from django.utils.translation import get_language
from django_countries import countries

from jumelage.directory.textsearch import strip_accents


def country_name(code: str | None) -> str:
    """The name of the country ``code`` in the active language; an unknown code is shown as it is."""
    code = (code or "").strip()
    return (_name(get_language(), code.upper()) or code) if code else ""


def all_names(code: str) -> list[str]:
    """The name of the country ``code`` in each language the platform speaks ("France", "Frankrijk")."""
    from django.conf import settings
    from django.utils import translation

    names = []
    for language, _label in settings.LANGUAGES:
        with translation.override(language):
            names.append(country_name(code))
    return list(dict.fromkeys(names))


def by_name(codes) -> list[tuple[str, str]]:
    """(code, name) for each distinct non-empty code, in the reader's alphabetical order (accents
    ignored): what a country filter offers."""
    named = {(code, country_name(code)) for code in codes if code}
    return sorted(named, key=lambda c: strip_accents(c[1]).casefold())


@lru_cache(maxsize=2048)
def _name(language: str | None, code: str) -> str:
    # django-countries looks the name up afresh each time (10 µs): the directory page shows ~75
    return str(countries.name(code))
