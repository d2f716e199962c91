"""Duplicate detection: same enterprise number or SIREN, same website domain, near-identical name,
against the directory and against earlier rows of the file."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.utils.translation import gettext as _
from rapidfuzz import fuzz, process

from jumelage.directory.models import Organisation

# Two names are "near-identical" when, once accents, case, punctuation and legal forms are removed,
# they have the same numbers and a similarity ratio of at least this (rapidfuzz, 0-100).
NAME_SIMILARITY = 92
# Domains many organisations share (hosted pages): a common domain there says nothing.
SHARED_DOMAINS = {
    "facebook.com",
    "linkedin.com",
    "google.com",
    "sites.google.com",
    "twitter.com",
    "x.com",
    "instagram.com",
    "wixsite.com",
    "wordpress.com",
    "github.io",
    "europa.eu",
}
_LEGAL_FORMS = {
    "sa", "sas", "sasu", "sarl", "eurl", "srl", "sprl", "sc", "scrl", "scs", "snc", "sca", "sci",
    "nv", "bv", "bvba", "cvba", "vzw", "asbl", "aisbl", "gmbh", "ag", "ltd", "limited", "inc", "llc",
    "plc", "se",
}  # fmt: skip


def name_key(name: str) -> str:
    """'Société Générale S.A.' → 'societe generale': what near-identical names are compared on."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return " ".join(t for t in re.findall(r"[a-z0-9]+", text) if t not in _LEGAL_FORMS)


class DuplicateIndex:
    """Organisations seen so far (in the database, then earlier rows of the file), looked up by
    enterprise number, SIREN, website domain and near-identical name."""

    def __init__(self):
        self.by_bce: dict[str, Any] = {}
        self.by_siren: dict[str, Any] = {}
        self.by_domain: dict[str, Any] = {}
        self.by_name: dict[str, Any] = {}
        self.blocks: dict[tuple, tuple[list[str], list[Any]]] = {}

    @staticmethod
    def _block(key: str) -> tuple:
        return key[:3], tuple(re.findall(r"\d+", key))

    def add(self, ref, *, name: str, enterprise_number: str, siren: str, domain: str) -> None:
        if enterprise_number:
            self.by_bce.setdefault(enterprise_number, ref)
        if siren:
            self.by_siren.setdefault(siren, ref)
        if domain and domain not in SHARED_DOMAINS:
            self.by_domain.setdefault(domain, ref)
        key = name_key(name)
        if key and key not in self.by_name:
            self.by_name[key] = ref
            keys, refs = self.blocks.setdefault(self._block(key), ([], []))
            keys.append(key)
            refs.append(ref)

    def find(self, *, name: str, enterprise_number: str, siren: str, domain: str) -> tuple[Any, str] | None:
        """(ref, why) of the first match, strongest evidence first; None if none."""
        if enterprise_number and enterprise_number in self.by_bce:
            return self.by_bce[enterprise_number], "enterprise_number"
        if siren and siren in self.by_siren:
            return self.by_siren[siren], "siren"
        if domain and domain in self.by_domain:
            return self.by_domain[domain], "website"
        key = name_key(name)
        if not key:
            return None
        if key in self.by_name:
            return self.by_name[key], "name"
        if len(key) >= 5 and (block := self.blocks.get(self._block(key))):
            match = process.extractOne(key, block[0], scorer=fuzz.ratio, score_cutoff=NAME_SIMILARITY)
            if match:
                return block[1][match[2]], "name"
        return None


def duplicate_reason(why: str, target: str) -> str:
    """Why a row is a duplicate, as a sentence a translator can reorder."""
    return {
        "enterprise_number": _("same enterprise number as %(target)s"),
        "siren": _("same SIREN as %(target)s"),
        "website": _("same website domain as %(target)s"),
        "name": _("name nearly identical to %(target)s"),
    }[why] % {"target": target}


def organisation_state() -> dict:
    index = DuplicateIndex()
    rows = Organisation.objects.values_list("pk", "name", "enterprise_number", "siren", "website_domain")
    for pk, name, bce, siren, domain in rows.iterator(chunk_size=5000):
        index.add(("db", pk, name), name=name, enterprise_number=bce, siren=siren, domain=domain)
    return {"index": index, "slugs": set(Organisation.objects.values_list("slug", flat=True))}
