"""Validation of organisation identifiers. Pure Python: no Django import, so it can be tested alone.

Each function takes user input, returns the canonical form, and raises ValueError with a message that
says what is wrong.
"""

import re

_NON_ALNUM = re.compile(r"[\s.\-/]")


def normalise_be_enterprise_number(value: str) -> str:
    """Belgian enterprise number (KBO/BCE): 10 digits starting with 0 or 1, the last two being
    97 - (first eight mod 97). Accepts 'BE0123.456.749', '0123 456 749' or '123456749' (old 9-digit
    form, which gets a leading 0). Returns '0123.456.749'."""
    digits = _NON_ALNUM.sub("", value.strip()).upper().removeprefix("BE")
    if not digits.isdigit():
        raise ValueError(f"enterprise number {value!r} must contain only digits")
    if len(digits) == 9:
        digits = "0" + digits
    if len(digits) != 10:
        raise ValueError(f"enterprise number {value!r} must have 10 digits")
    if digits[0] not in "01":
        raise ValueError(f"enterprise number {value!r} must start with 0 or 1")
    if 97 - int(digits[:8]) % 97 != int(digits[8:]):
        raise ValueError(f"enterprise number {value!r} fails its mod-97 check")
    return f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 1:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


# La Poste's establishments share one SIREN that does not pass Luhn; INSEE documents the exception
# (the sum of the digits of the SIRET is a multiple of 5 instead). For a SIREN alone we accept it as is.
_LA_POSTE_SIREN = "356000000"


def normalise_siren(value: str) -> str:
    """French SIREN: 9 digits passing the Luhn check. A 14-digit SIRET is accepted and reduced to its
    SIREN. Returns the 9 digits."""
    digits = _NON_ALNUM.sub("", value.strip())
    if not digits.isdigit():
        raise ValueError(f"SIREN {value!r} must contain only digits")
    if len(digits) == 14:
        digits = digits[:9]
    if len(digits) != 9:
        raise ValueError(f"SIREN {value!r} must have 9 digits")
    if digits != _LA_POSTE_SIREN and not luhn_valid(digits):
        raise ValueError(f"SIREN {value!r} fails its Luhn check")
    return digits


# Formats of the VIES VAT identification numbers, by EU member state (plus Northern Ireland, XI).
VAT_FORMATS = {
    "AT": r"U\d{8}",
    "BE": r"[01]\d{9}",
    "BG": r"\d{9,10}",
    "CY": r"\d{8}[A-Z]",
    "CZ": r"\d{8,10}",
    "DE": r"\d{9}",
    "DK": r"\d{8}",
    "EE": r"\d{9}",
    "EL": r"\d{9}",
    "ES": r"[A-Z0-9]\d{7}[A-Z0-9]",
    "FI": r"\d{8}",
    "FR": r"[A-HJ-NP-Z0-9]{2}\d{9}",
    "HR": r"\d{11}",
    "HU": r"\d{8}",
    "IE": r"\d{7}[A-W][A-I]?|\d[A-Z+*]\d{5}[A-W]",
    "IT": r"\d{11}",
    "LT": r"\d{9}|\d{12}",
    "LU": r"\d{8}",
    "LV": r"\d{11}",
    "MT": r"\d{8}",
    "NL": r"\d{9}B\d{2}",
    "PL": r"\d{10}",
    "PT": r"\d{9}",
    "RO": r"\d{2,10}",
    "SE": r"\d{12}",
    "SI": r"\d{8}",
    "SK": r"\d{10}",
    "XI": r"\d{9}|\d{12}|GD\d{3}|HA\d{3}",
}


def normalise_eu_vat(value: str) -> str:
    """EU VAT number: country prefix and that country's format. Belgian numbers also get the
    enterprise-number mod-97 check, and French ones the key check (key = (12 + 3 × (SIREN mod 97)) mod 97)
    when the key is numeric. Returns e.g. 'BE0123456749'."""
    compact = _NON_ALNUM.sub("", value.strip()).upper()
    prefix, body = compact[:2], compact[2:]
    if prefix == "GR":
        prefix = "EL"
    if prefix not in VAT_FORMATS:
        raise ValueError(f"VAT number {value!r} must start with an EU country code such as BE or FR")
    if not re.fullmatch(VAT_FORMATS[prefix], body):
        raise ValueError(f"VAT number {value!r} does not have the format of a {prefix} VAT number")
    if prefix == "BE":
        normalise_be_enterprise_number(body)
    if prefix == "FR" and body[:2].isdigit():
        siren = body[2:]
        if int(body[:2]) != (12 + 3 * (int(siren) % 97)) % 97:
            raise ValueError(f"VAT number {value!r} has a check key that does not match its SIREN")
    return prefix + body
