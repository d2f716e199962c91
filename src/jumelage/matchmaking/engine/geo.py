"""Countries named in a text: which ISO-2 codes a source text mentions ("partners in Belgium", "Walloon
and French startups", "Estonian municipalities").

Names and adjectives in English, French, Dutch and German plus the country's own name, as the engine's
tokens read them (casefolded, accent-free, one token each). Multi-word names are keyed on their
distinctive word ("czech", "macedonia"); words that are also common nouns or languages of the
product ("english") are left out on purpose: a wrong country is worse than none.
"""

from __future__ import annotations

from collections.abc import Iterable

_NAMES = {
    "AD": "andorra andorre andorran",
    "AL": "albania albanie albanien albanian shqiperia",
    "AT": "austria autriche oostenrijk osterreich austrian autrichien oostenrijkse",
    "BA": "bosnia herzegovina bosnie bosnie herzegovine bosnian",
    "BE": "belgium belgique belgie belgien belgian belge belgische wallonia wallonie wallonien walloon "
    "wallon waals wallonie flanders flandre vlaanderen flemish flamand vlaamse brussels bruxelles brussel",
    "BG": "bulgaria bulgarie bulgarije bulgarien bulgarian bulgare",
    "BY": "belarus bielorussie belarusian",
    "CH": "switzerland suisse zwitserland schweiz swiss svizzera",
    "CY": "cyprus chypre cypern zypern cypriot",
    "CZ": "czech czechia tcheque tchequie tsjechie tschechien",
    "DE": "germany allemagne duitsland deutschland german allemand duitse deutsche",
    "DK": "denmark danemark denemarken danemark danish danois deense danmark",
    "EE": "estonia estonie estland estonian estonien eesti",
    "ES": "spain espagne spanje spanien spanish espagnol spaanse espana",
    "FI": "finland finlande finnland finnish finlandais finse suomi",
    "FO": "faroe feroe faroese",
    "FR": "france frankrijk frankreich french francais franse francaise",
    "GB": "britain british scotland scottish wales welsh england ecosse angleterre",
    "GR": "greece grece griekenland griechenland greek grec hellenic",
    "HR": "croatia croatie kroatie kroatien croatian croate hrvatska",
    "HU": "hungary hongrie hongarije ungarn hungarian hongrois magyarorszag",
    "IE": "ireland irlande ierland irland irish irlandais",
    "IS": "iceland islande ijsland island icelandic",
    "IT": "italy italie italien italian italien italiaanse italia",
    "LI": "liechtenstein",
    "LT": "lithuania lituanie litouwen litauen lithuanian lituanien lietuva",
    "LU": "luxembourg luxemburg luxembourgish luxembourgeois",
    "LV": "latvia lettonie letland lettland latvian letton latvija",
    "MD": "moldova moldavie moldovan",
    "ME": "montenegro montenegrin",
    "MK": "macedonia macedoine macedonian",
    "MT": "malta malte maltese",
    "NL": "netherlands holland pays bas nederland niederlande dutch neerlandais nederlandse",
    "NO": "norway norvege noorwegen norwegen norwegian norvegien norge",
    "PL": "poland pologne polen polish polonais polska",
    "PT": "portugal portuguese portugais portugese",
    "RO": "romania roumanie roemenie rumanien romanian roumain",
    "RS": "serbia serbie servie serbien serbian serbe srbija",
    "RU": "russia russie rusland russland russian russe",
    "SE": "sweden suede zweden schweden swedish suedois zweedse sverige",
    "SI": "slovenia slovenie slowenie slowenien slovenian slovene slovenija",
    "SK": "slovakia slovaquie slowakije slowakei slovak slovaque slovensko",
    "TR": "turkey turquie turkije turkei turkish turc",
    "UA": "ukraine oekraine ukrainian ukrainien",
}
# "pays bas" is two words: keep "bas" out (a common French word), "pays" too.
_SKIP = {"pays", "bas"}
WORD_COUNTRY: dict[str, str] = {
    word: code for code, words in _NAMES.items() for word in words.split() if word not in _SKIP
}


def countries_named(words: Iterable[str]) -> frozenset[str]:
    """ISO-2 codes of the countries a set of tokens names."""
    return frozenset(code for w in words if (code := WORD_COUNTRY.get(w)) is not None)
