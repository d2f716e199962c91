from django.db.models import Count

from jumelage.ecosystems.models import Ecosystem


def brands_css() -> str:
    rules = []
    for eco in Ecosystem.objects.only("slug", "primary_colour", "secondary_colour"):
        rules.append(
            f".brand-{eco.slug} {{ border-left: .4rem solid {eco.primary_colour}; }}\n"
            f".brand-{eco.slug}-bg {{ background: {eco.primary_colour}; color: {eco.secondary_colour}; }}\n"
        )
    return "".join(rules)


def overview_context() -> dict:
    ecosystems = Ecosystem.objects.annotate(member_count=Count("memberships__organisation", distinct=True))
    return {"ecosystems": ecosystems}
