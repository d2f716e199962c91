"""Geography features: the source's programmes' and partners' countries and cities, countries and
places named in its text, same country/city, and cross-border (favoured: the point of the partnership).
A source's own country never gets more from the group and partner shares than the best foreign one."""

from __future__ import annotations

from collections import Counter

import numpy as np

from .common import _ByCountry, _ones, _Query
from .text import tokens


class GeographyMixin:
    """Geography features of MatchEngine."""

    def _geo_features(self, q: _Query, kind: int, need: set[str], f: dict) -> None:
        """Country-level features are one table lookup (`_ByCountry`)."""
        n = len(self.docs)
        # Geography: country-level features are one table lookup.
        ccode = self._country[:n]
        if "country_fit" in need:
            fit_by_country = np.zeros(len(self.countries))
            groups = [g for g in q.src.groups if g in self.group_country]
            for g in groups:
                counter = self.group_country[g]
                total = sum(counter.values())
                if total > 0:
                    for c, m in counter.items():
                        fit_by_country[c] += m / total / len(groups)
            fit_by_country[0] = 0.0
            own = self.countries.get(q.country, 0)
            if own:
                # Never more for the source's own country than for the best foreign one: a programme
                # mostly made of the owner's compatriots must not pull suggestions back home.
                foreign = np.delete(fit_by_country, own)
                fit_by_country[own] = min(fit_by_country[own], float(foreign.max()) if foreign.size else 0.0)
            if fit_by_country.max() > 0:
                fit_by_country /= fit_by_country.max()
            for c in q.src.target_countries:
                code = self.countries.get(c)
                if code:
                    fit_by_country[code] = 1.0
            f["country_fit"] = _ByCountry(fit_by_country)
        if "country_named" in need:
            table = np.zeros(len(self.countries))
            for c in q.named_countries:
                code = self.countries.get(c)
                if code:
                    table[code] = 1.0
            own = self.countries.get(q.country, 0)
            if own:  # "a French startup looking for partners": not a reason to suggest French ones
                foreign = np.delete(table, own)
                table[own] = min(table[own], float(foreign.max()) if foreign.size else 0.0)
            for c in q.src.target_countries:  # chosen explicitly: always counts
                code = self.countries.get(c)
                if code:
                    table[code] = 1.0
            f["country_named"] = _ByCountry(table)
        if "city_fit" in need:
            shares: Counter[str] = Counter()
            groups = [g for g in q.src.groups if g in self.group_city]
            for g in groups:
                counter = self.group_city[g]
                total = sum(counter.values())
                for c, m in counter.items():
                    if m > 0:
                        shares[c] += m / total / len(groups)
            if shares:
                top = max(shares.values())
                parts_i, parts_v = [], []
                for c, share in shares.items():
                    ids, _ = self.cities.arrays(c)  # one city per document: no duplicates
                    parts_i.append(ids)
                    parts_v.append(np.full(ids.size, share / top))
                f["city_fit"] = (np.concatenate(parts_i), np.concatenate(parts_v))
        if "type_fit" in need:
            by_type = np.zeros(len(self.types))
            groups = [g for g in q.src.groups if g in self.group_type]
            for g in groups:
                counter = self.group_type[g]
                total = sum(counter.values())
                for c, m in counter.items():
                    if total > 0 and m > 0:
                        by_type[c] += m / total / len(groups)
            if by_type.max() > 0:
                f["type_fit"] = by_type[self._type[:n]] / by_type.max()
        own = self.countries.get(q.country, 0)
        if "same_country" in need and own:
            table = np.zeros(len(self.countries))
            table[own] = 1.0
            f["same_country"] = _ByCountry(table)
        if "cross_border" in need:
            eco = self.ecosystems.get(q.ecosystem, 0)
            if own:
                table = np.ones(len(self.countries))
                table[[0, own]] = 0.0
                cross = _ByCountry(table)
                f["cross_border"] = cross
                if eco:
                    ecod = self._ecosystem[:n]
                    f["cross_border"] = np.maximum(table[ccode], (ecod != eco) & (ecod != 0))
            elif eco:
                ecod = self._ecosystem[:n]
                f["cross_border"] = ((ecod != eco) & (ecod != 0)).astype(np.float64)
        if "partner_city" in need and q.partners:
            by_city: Counter[str] = Counter()
            for p in q.partners:
                pdoc = self.get(p)
                if pdoc is not None and pdoc.city:
                    by_city[" ".join(tokens(pdoc.city))] += 1
            if by_city:
                top = max(by_city.values())
                parts_i, parts_v = [], []
                for c, m in by_city.items():
                    ids, _ = self.cities.arrays(c)
                    parts_i.append(ids)
                    parts_v.append(np.full(ids.size, m / top))
                f["partner_city"] = (np.concatenate(parts_i), np.concatenate(parts_v))
        if "partner_country" in need and q.partners:
            table = np.zeros(len(self.countries))
            for p in q.partners:
                i = self.idx.get(p)
                if i is not None:
                    table[self._country[i]] += 1
            table[0] = 0.0
            own = self.countries.get(q.country, 0)
            if own:  # as for country_fit: never more at home than abroad
                foreign = np.delete(table, own)
                table[own] = min(table[own], float(foreign.max()) if foreign.size else 0.0)
            if table.max() > 0:
                f["partner_country"] = _ByCountry(table / table.max())
        if "same_city" in need:
            city = " ".join(tokens(q.city))
            f["same_city"] = _ones(self.cities.map.get(city, ()) if city else ())
