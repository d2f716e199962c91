"""Who may do what with opportunities, market needs, interests and the pipeline (django-rules).

- An opportunity is managed by the representatives of its organisation, by the staff of an ecosystem or
  node that organisation is a member of, and by platform admins.
- Published opportunities are seen according to their visibility: everyone (public); staff of any
  ecosystem and representatives of member organisations of the partner ecosystems (members: the
  target ecosystems, or every ecosystem when none is targeted, plus the owner's own); staff of any
  ecosystem (staff). Drafts are seen only by those who manage them.
- The market-needs register is read and written by ecosystem staff and organisation representatives.
"""

import rules
from django.db.models import Q

from jumelage.directory.rules import curates, represents
from jumelage.ecosystems.rules import (
    is_platform_admin,
    is_staff_anywhere,
    staff_ecosystem_ids,
    staff_node_ids,
)


def represented_ids(user) -> set[int]:
    """Organisations the user represents (cached on the user object for the request)."""
    if not (user and user.is_authenticated):
        return set()
    if not hasattr(user, "_jumelage_represented_ids"):
        user._jumelage_represented_ids = set(user.represents.values_list("organisation_id", flat=True))
    return user._jumelage_represented_ids


def member_ecosystem_ids(user) -> set[int]:
    """Ecosystems the organisations the user represents are members of."""
    if not (user and user.is_authenticated):
        return set()
    if not hasattr(user, "_jumelage_member_eco_ids"):
        from jumelage.directory.models import Membership

        user._jumelage_member_eco_ids = set(
            Membership.objects.filter(organisation_id__in=represented_ids(user)).values_list(
                "ecosystem_id", flat=True
            )
        )
    return user._jumelage_member_eco_ids


@rules.predicate
def is_representative(user) -> bool:
    return bool(represented_ids(user))


@rules.predicate
def represents_owner(user, opportunity) -> bool:
    return opportunity is not None and opportunity.organisation_id in represented_ids(user)


@rules.predicate
def curates_owner(user, opportunity) -> bool:
    return opportunity is not None and curates(user, opportunity.organisation)


@rules.predicate
def is_visible_published(user, opportunity) -> bool:
    if opportunity is None or opportunity.status == opportunity.Status.DRAFT:
        return False
    if opportunity.visibility == opportunity.Visibility.PUBLIC:
        return True
    if is_staff_anywhere(user):
        return True
    if opportunity.visibility == opportunity.Visibility.STAFF:
        return False
    mine = member_ecosystem_ids(user)
    if not mine:
        return False
    targets = {e.pk for e in opportunity.target_ecosystems.all()}
    if not targets:
        return True
    owner_ecos = {m.ecosystem_id for m in opportunity.organisation.memberships.all()}
    return bool(mine & (targets | owner_ecos))


@rules.predicate
def is_open(user, opportunity) -> bool:
    return opportunity is not None and opportunity.is_open


@rules.predicate
def may_speak_for_another_organisation(user, opportunity) -> bool:
    """The user represents at least one organisation other than the opportunity's owner."""
    return opportunity is not None and bool(represented_ids(user) - {opportunity.organisation_id})


can_manage_opportunity = is_platform_admin | represents_owner | curates_owner
can_view_opportunity = can_manage_opportunity | is_visible_published

rules.add_perm("opportunities.view_opportunity", can_view_opportunity)
rules.add_perm("opportunities.add_opportunity", is_platform_admin | is_staff_anywhere | is_representative)
rules.add_perm("opportunities.change_opportunity", can_manage_opportunity)
rules.add_perm("opportunities.delete_opportunity", is_platform_admin | curates_owner)
rules.add_perm(
    "opportunities.express_interest",
    can_view_opportunity & is_open & may_speak_for_another_organisation,
)


# --- Interests -----------------------------------------------------------------------------------------


@rules.predicate
def manages_interest_opportunity(user, interest) -> bool:
    return interest is not None and can_manage_opportunity.test(user, interest.opportunity)


@rules.predicate
def is_interested_party(user, interest) -> bool:
    """Represents or curates the organisation that expressed the interest."""
    return interest is not None and (
        represents(user, interest.organisation) or curates(user, interest.organisation)
    )


rules.add_perm(
    "opportunities.view_interest", is_platform_admin | manages_interest_opportunity | is_interested_party
)
rules.add_perm("opportunities.decide_interest", is_platform_admin | manages_interest_opportunity)


# --- Introductions and the pipeline ----------------------------------------------------------------------


@rules.predicate
def is_party_to_introduction(user, introduction) -> bool:
    """Represents or curates either organisation (for an interest: its opportunity's publisher or the
    interested organisation)."""
    if introduction is None:
        return False
    return any(represents(user, org) or curates(user, org) for org in introduction.organisations)


can_follow_introduction = is_platform_admin | is_party_to_introduction
rules.add_perm("opportunities.view_introduction", can_follow_introduction)
rules.add_perm("opportunities.change_introduction", can_follow_introduction)
rules.add_perm("opportunities.view_pipeline", is_platform_admin | is_staff_anywhere | is_representative)


# --- Market needs --------------------------------------------------------------------------------------

may_use_register = is_platform_admin | is_staff_anywhere | is_representative
rules.add_perm("opportunities.view_marketneed", may_use_register)
rules.add_perm("opportunities.add_marketneed", may_use_register)
rules.add_perm("opportunities.change_marketneed", is_platform_admin)
rules.add_perm("opportunities.delete_marketneed", is_platform_admin)


def staff_scope_q(user, prefix: str) -> Q | None:
    """Q selecting organisations (under `prefix`, e.g. "organisation__") that are members of an
    ecosystem or node the user is staff of; None when the user is staff of nothing."""
    eco_ids, node_ids = staff_ecosystem_ids(user), staff_node_ids(user)
    q = None
    if eco_ids:
        q = Q(**{f"{prefix}memberships__ecosystem_id__in": eco_ids})
    if node_ids:
        node_q = Q(**{f"{prefix}memberships__node_id__in": node_ids})
        q = node_q if q is None else q | node_q
    return q
