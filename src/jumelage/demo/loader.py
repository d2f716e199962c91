"""Load the shipped demo data: the theme vocabulary, the two ecosystems and their nodes, the real
organisations derived from CORDIS and i-Lab (see ATTRIBUTION.md and docs/demo-data.md), and a few
invented events labelled "Demo" (demo/events.py).

Idempotent: what exists (matched by code or slug) is left as it is, so a second run writes nothing and
staff edits survive. Organisations are written with bulk operations and then indexed for search in
one pass, so a full load takes seconds.
"""

from __future__ import annotations

import gzip
import json
import os
import secrets
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from jumelage.core.audit import log_action
from jumelage.demo.events import load_demo_events
from jumelage.demo.opportunities import load_demo_opportunities
from jumelage.demo.partnerships import load_demo_partnership
from jumelage.demo.relays import load_demo_relays
from jumelage.directory import search, taxonomy
from jumelage.directory.models import Membership, Organisation, Representative, Theme
from jumelage.directory.services import website_domain
from jumelage.ecosystems.models import Ecosystem, EcosystemStaff, NetworkNode, NodeStaff

DEMO_FILES = resources.files("jumelage.demo")
LOGINS_FILE_NAME = "demo-logins.json"
REPRESENTED_ORGANISATION = "kalray"  # an i-Lab laureate with a tagline, themes and a website

_ORG_FIELDS = (
    "kind",
    "name",
    "aliases",
    "tagline_fr",
    "website",
    "street",
    "city",
    "region",
    "country",
    "siren",
    "eu_pic",
    "source",
    "extra",
)


@dataclass
class DemoReport:
    themes_created: int = 0
    ecosystems_created: int = 0
    nodes_created: int = 0
    organisations_created: int = 0
    memberships_created: int = 0
    events_created: int = 0
    identifiers_dropped: int = 0
    by_ecosystem: dict[str, int] = field(default_factory=dict)


def read_json(name: str):
    data = DEMO_FILES.joinpath(name).read_bytes()
    if name.endswith(".gz"):
        data = gzip.decompress(data)
    return json.loads(data)


def demo_organisations() -> list[dict]:
    return read_json("organisations.json.gz")["organisations"]


@transaction.atomic
def load_demo() -> DemoReport:
    """Write whatever of the demo data is missing. Returns what was created."""
    report = DemoReport()
    report.themes_created = taxonomy.load_theme_list(read_json("themes.json")["themes"], audit=False).created
    ecosystems = _load_ecosystems(report)
    _load_nodes(report, ecosystems)
    new_orgs = _load_organisations(report, ecosystems)
    if new_orgs:
        reindex_all = getattr(search, "reindex_all", None)
        if reindex_all is not None:
            reindex_all()
        else:
            for org in new_orgs:
                search.index_organisation(org)
    report.events_created = load_demo_events()
    load_demo_opportunities()  # invented "Demo" opportunities and market needs (demo/opportunities.py)
    load_demo_relays()  # two invented relays from French Tech Brussels (demo/relays.py)
    load_demo_partnership()  # the announced DW × FT Brussels partnership, as announced (demo/partnerships.py)
    for eco in ecosystems.values():
        report.by_ecosystem[eco.name] = (
            Organisation.objects.filter(memberships__ecosystem=eco).distinct().count()
        )
    if report.organisations_created or report.ecosystems_created or report.nodes_created:
        log_action(
            actor=None,
            action="demo.load",
            organisations=report.organisations_created,
            nodes=report.nodes_created,
            ecosystems=report.ecosystems_created,
        )
    return report


def _load_ecosystems(report: DemoReport) -> dict[str, Ecosystem]:
    out = {}
    for item in read_json("network.json")["ecosystems"]:
        eco = (
            Ecosystem.objects.filter(slug=item["slug"]).first()
            or Ecosystem.objects.filter(name=item["name"]).first()
        )
        if eco is None:
            eco = Ecosystem(**item)
            eco.full_clean()
            eco.save()
            report.ecosystems_created += 1
        out[item["slug"]] = eco
    return out


def _load_nodes(report: DemoReport, ecosystems: dict[str, Ecosystem]) -> dict[str, NetworkNode]:
    themes = {t.code: t for t in Theme.objects.all()}
    out: dict[str, NetworkNode] = {}
    for item in read_json("network.json")["nodes"]:
        item = dict(item)
        ecosystem = ecosystems[item.pop("ecosystem")]
        parent = item.pop("parent", None)
        codes = item.pop("themes", [])
        node = (
            NetworkNode.objects.filter(slug=item["slug"]).first()
            or NetworkNode.objects.filter(ecosystem=ecosystem, name=item["name"]).first()
        )
        if node is None:
            node = NetworkNode(ecosystem=ecosystem, parent=out.get(parent) if parent else None, **item)
            node.full_clean()
            node.save()
            node.themes.set([themes[c] for c in codes if c in themes])
            report.nodes_created += 1
        out[item["slug"]] = node
    return out


def _load_organisations(report: DemoReport, ecosystems: dict[str, Ecosystem]) -> list[Organisation]:
    records = demo_organisations()
    existing = set(Organisation.objects.values_list("slug", flat=True))
    sirens_taken = set(Organisation.objects.exclude(siren="").values_list("siren", flat=True))
    themes = {t.code: t for t in Theme.objects.all()}
    todo = [r for r in records if r["slug"] not in existing]
    orgs = []
    for rec in todo:
        values = {k: rec[k] for k in _ORG_FIELDS if k in rec}
        if values.get("siren") in sirens_taken:
            # Another organisation already holds this SIREN: keep the demo record, drop its identifier.
            values["siren"] = ""
            report.identifiers_dropped += 1
        org = Organisation(slug=rec["slug"], **values)
        org.website_domain = website_domain(org.website)
        org.full_clean(validate_unique=False, validate_constraints=False)
        orgs.append(org)
    Organisation.objects.bulk_create(orgs, batch_size=500)
    by_slug = {o.slug: o for o in orgs}
    through = Organisation.themes.through
    links, memberships = [], []
    for rec in todo:
        org = by_slug[rec["slug"]]
        links += [through(organisation_id=org.pk, theme_id=themes[c].pk) for c in rec.get("themes", [])]
        memberships.append(Membership(organisation=org, ecosystem=ecosystems[rec["ecosystem"]]))
    through.objects.bulk_create(links, batch_size=1000)
    Membership.objects.bulk_create(memberships, batch_size=1000)
    report.organisations_created = len(orgs)
    report.memberships_created = len(memberships)
    return orgs


# --- Demo accounts ------------------------------------------------------------------------------


@dataclass
class DemoLogin:
    role: str
    username: str
    password: str


DEMO_ACCOUNTS = (
    ("admin", "demo-admin", _("Platform admin")),
    ("ecosystem_staff", "demo-dw-staff", _("Ecosystem staff (Digital Wallonia)")),
    ("node_staff", "demo-ftbxl-staff", _("Node staff (French Tech Brussels)")),
    ("representative", "demo-representative", _("Organisation representative (%(organisation)s)")),
    ("member", "demo-member", _("Member")),
)


def logins_file() -> Path:
    return Path(settings.DATA_DIR) / LOGINS_FILE_NAME


def _read_passwords(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _write_passwords(path: Path, passwords: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(passwords, fh, indent=2, sort_keys=True)
    path.chmod(0o600)  # also when the file existed with wider rights


@transaction.atomic
def ensure_demo_accounts() -> list[DemoLogin]:
    """Create the demo account of each role (once) with a random password, kept in clear only in the
    data dir (mode 0600) so every `jumelage demo` can print it; the database holds the Argon2 hash.
    An account whose password is no longer in that file gets a new random one."""
    User = get_user_model()
    path = logins_file()
    passwords = _read_passwords(path)
    # load_demo() matched these by slug or by name: do the same here.
    ecosystem = Ecosystem.objects.filter(slug="digital-wallonia").first() or Ecosystem.objects.get(
        name="Digital Wallonia"
    )
    node = NetworkNode.objects.filter(slug="french-tech-brussels").first() or NetworkNode.objects.get(
        ecosystem__name="La French Tech", name="French Tech Brussels"
    )
    organisation = Organisation.objects.get(slug=REPRESENTED_ORGANISATION)
    logins, changed = [], False
    for role, username, label in DEMO_ACCOUNTS:
        user = User.objects.filter(username=username).first()
        password = passwords.get(username)
        if user is None:
            user = User(username=username, is_staff=role == "admin", is_superuser=role == "admin")
            password = password or secrets.token_urlsafe(12)
            user.set_password(password)
            user.save()
            log_action(actor=None, action="demo.account", obj=user, role=role)
        elif not password:
            password = secrets.token_urlsafe(12)
            user.set_password(password)
            user.save(update_fields=["password"])
        if passwords.get(username) != password:
            passwords[username], changed = password, True
        if role == "ecosystem_staff":
            EcosystemStaff.objects.get_or_create(user=user, ecosystem=ecosystem)
        elif role == "node_staff":
            NodeStaff.objects.get_or_create(user=user, node=node)
        elif role == "representative":
            Representative.objects.get_or_create(user=user, organisation=organisation)
        logins.append(
            DemoLogin(
                role=str(label) % {"organisation": organisation.name}, username=username, password=password
            )
        )
    if changed or not path.exists():
        _write_passwords(path, passwords)
    return logins
