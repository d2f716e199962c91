"""One search interface over the directory, on SQLite (FTS5) and PostgreSQL (tsvector + GIN).

Placeholder until the search work lands: index_organisation() fills the normalised columns and
search_organisations() filters with a plain containment test.
"""

from django.db.models import Q, QuerySet

from jumelage.directory.models import Organisation


def index_organisation(org: Organisation) -> None:
    names = " ".join([org.name, *org.aliases])
    document = " ".join([names, org.tagline_fr, org.description_fr, org.description_nl, org.description_en])
    Organisation.objects.filter(pk=org.pk).update(
        search_names=names.lower(), search_document=document.lower()
    )


def search_organisations(qs: QuerySet[Organisation], q: str) -> QuerySet[Organisation]:
    q = (q or "").strip().lower()
    if not q:
        return qs
    return qs.filter(Q(search_document__contains=q))
