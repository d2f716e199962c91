import pytest

from jumelage.directory.identifiers import normalise_be_enterprise_number, normalise_eu_vat, normalise_siren


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0403.170.701", "0403.170.701"),  # a real KBO number (Proximus is 0202.239.951)
        ("BE 0202 239 951", "0202.239.951"),
        ("202239951", "0202.239.951"),
    ],
)
def test_belgian_enterprise_numbers_are_normalised(raw, expected):
    assert normalise_be_enterprise_number(raw) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("0202.239.952", "mod-97"),
        ("2202.239.951", "start with 0 or 1"),
        ("02022399", "10 digits"),
        ("02O2239951", "only digits"),
    ],
)
def test_bad_belgian_enterprise_numbers_say_why(raw, reason):
    with pytest.raises(ValueError, match=reason):
        normalise_be_enterprise_number(raw)


def test_siren_luhn():
    assert normalise_siren("732 829 320") == "732829320"  # a published SIREN
    assert normalise_siren("73282932000074") == "732829320"  # SIRET reduced to its SIREN
    with pytest.raises(ValueError, match="Luhn"):
        normalise_siren("732829321")
    with pytest.raises(ValueError, match="9 digits"):
        normalise_siren("7328293")


def test_eu_vat_formats_and_checks():
    assert normalise_eu_vat("BE 0202.239.951") == "BE0202239951"
    assert normalise_eu_vat("FR40303265045") == "FR40303265045"
    assert normalise_eu_vat("NL123456789B01") == "NL123456789B01"
    with pytest.raises(ValueError, match="EU country code"):
        normalise_eu_vat("US123456789")
    with pytest.raises(ValueError, match="format of a NL"):
        normalise_eu_vat("NL123456789")
    with pytest.raises(ValueError, match="check key"):
        normalise_eu_vat("FR41303265045")
    with pytest.raises(ValueError, match="mod-97"):
        normalise_eu_vat("BE0202239952")
