"""The directory's personal data: the person profile linked to the account (with its affiliations and
expertise) and the organisations the user represents. Erasing deletes the profile; the representative
rows go with the account. Organisation profiles are the organisations' data and stay."""

from __future__ import annotations

from jumelage.directory.models import Person


def export(user) -> dict:
    person = (
        Person.objects.filter(user=user).prefetch_related("affiliations__organisation", "expertise").first()
    )
    profile = None
    if person is not None:
        profile = {
            "name": person.name,
            "languages": person.languages,
            "public_profile": person.public_profile,
            "expertise": [t.label for t in person.expertise.all()],
            "affiliations": [
                {"organisation": a.organisation.name, "role": a.role} for a in person.affiliations.all()
            ],
        }
    return {
        "directory_profile": profile,
        "represents": [r.organisation.name for r in user.represents.select_related("organisation")],
    }


def erase(user) -> dict[str, int]:
    deleted, _ = Person.objects.filter(user=user).delete()
    return {"directory_profile": min(deleted, 1)}
