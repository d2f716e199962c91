"""Django admin for the directory, scoped by the same rules as the pages: a node's staff member sees
and edits only the organisations that are members of their node. Organisation changes go through
directory.services (normalised identifiers, search index, audit log)."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from jumelage.core.admin import RulesModelAdmin
from jumelage.directory import services
from jumelage.directory.models import (
    Affiliation,
    ImportJob,
    Membership,
    Organisation,
    Person,
    Representative,
    Theme,
)
from jumelage.directory.rules import curates
from jumelage.ecosystems.models import Ecosystem, NetworkNode
from jumelage.ecosystems.rules import is_platform_admin, staff_ecosystem_ids, staff_node_ids


def editable_organisations(user):
    """Organisations the user may edit: all for platform admins; for others those they represent
    and those that are members of an ecosystem or node they are staff of (rules: change_organisation)."""
    qs = Organisation.objects.all()
    if is_platform_admin(user):
        return qs
    if not (user and user.is_authenticated):
        return qs.none()
    q = Q(representatives__user=user)
    eco_ids, node_ids = staff_ecosystem_ids(user), staff_node_ids(user)
    if eco_ids:
        q |= Q(memberships__ecosystem_id__in=eco_ids)
    if node_ids:
        q |= Q(memberships__node_id__in=node_ids)
    return qs.filter(pk__in=Organisation.objects.filter(q).values("pk"))


def _enters_directory(user) -> bool:
    return bool(
        is_platform_admin(user)
        or staff_ecosystem_ids(user)
        or staff_node_ids(user)
        or (user.is_authenticated and user.represents.exists())
    )


class _FollowsOrganisation:
    """Inline rows of an organisation may be changed by whoever may change the organisation."""

    def has_view_permission(self, request, obj=None) -> bool:
        return obj is None or request.user.has_perm("directory.view_organisation", obj)

    def has_add_permission(self, request, obj=None) -> bool:
        return self._may(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._may(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._may(request, obj)

    def _may(self, request, obj) -> bool:
        if obj is None:
            return request.user.has_perm("directory.add_organisation")
        return request.user.has_perm("directory.change_organisation", obj)


class _MembershipFormSet(BaseInlineFormSet):
    require_one = False

    def clean(self):
        super().clean()
        if self.require_one and not any(
            form.cleaned_data and not form.cleaned_data.get("DELETE") for form in self.forms
        ):
            raise ValidationError(
                _(
                    "Give at least one membership of your ecosystem or node: without one, the "
                    "organisation would be out of your reach as soon as it is saved."
                )
            )


class MembershipInline(_FollowsOrganisation, admin.TabularInline):
    """Memberships are curated by ecosystem and node staff (not by representatives), within their scope."""

    model = Membership
    formset = _MembershipFormSet
    extra = 0
    fields = ("ecosystem", "node", "since")

    def get_extra(self, request, obj=None, **kwargs):
        return 1 if obj is None else 0

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # Staff who are not platform admins see only the organisations of their scope: one they
        # create must get a membership there, or it would vanish from their lists.
        user = request.user
        formset.require_one = not is_platform_admin(user) and bool(
            staff_ecosystem_ids(user) or staff_node_ids(user)
        )
        return formset

    def _may(self, request, obj) -> bool:
        user = request.user
        if obj is None:
            return user.has_perm("directory.add_organisation")
        return bool(is_platform_admin(user) or curates(user, obj))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        user = request.user
        if not is_platform_admin(user):
            eco_ids, node_ids = staff_ecosystem_ids(user), staff_node_ids(user)
            if db_field.name == "ecosystem":
                node_ecos = NetworkNode.objects.filter(pk__in=node_ids).values("ecosystem_id")
                kwargs["queryset"] = Ecosystem.objects.filter(Q(pk__in=eco_ids) | Q(pk__in=node_ecos))
            elif db_field.name == "node":
                kwargs["queryset"] = NetworkNode.objects.filter(
                    Q(ecosystem_id__in=eco_ids) | Q(pk__in=node_ids)
                )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class AffiliationInline(_FollowsOrganisation, admin.TabularInline):
    model = Affiliation
    extra = 0
    fields = ("person", "role")
    raw_id_fields = ("person",)


class RepresentativeInline(admin.TabularInline):
    """Who may edit the profile: assigned by platform admins."""

    model = Representative
    extra = 0
    raw_id_fields = ("user",)

    def has_view_permission(self, request, obj=None) -> bool:
        return is_platform_admin(request.user)

    def has_add_permission(self, request, obj=None) -> bool:
        return is_platform_admin(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return is_platform_admin(request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        return is_platform_admin(request.user)


# Concrete fields the services take (the M2M themes are saved by the admin form after them).
_SERVICE_FIELDS = [
    f.name
    for f in Organisation._meta.concrete_fields
    if f.editable and not f.primary_key and f.name not in {"created_at", "updated_at"}
]


@admin.register(Organisation)
class OrganisationAdmin(RulesModelAdmin):
    list_display = ("name", "kind", "city", "region", "country", "published", "updated_at")
    list_filter = ("kind", "published", "country", "stage", "size_band", "memberships__ecosystem")
    search_fields = ("name", "slug", "aliases", "enterprise_number", "siren", "vat_number", "city")
    filter_horizontal = ("themes",)
    readonly_fields = ("created_at", "updated_at")
    inlines = [MembershipInline, AffiliationInline, RepresentativeInline]
    prepopulated_fields = {"slug": ("name",)}

    def may_enter(self, request) -> bool:
        return _enters_directory(request.user)

    def scope(self, request, qs):
        return qs.filter(pk__in=editable_organisations(request.user).values("pk"))

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and not (is_platform_admin(request.user) or curates(request.user, obj)):
            # Representatives: the same limits as the profile form (no renaming, no unpublishing).
            fields += ["name", "slug", "kind", "published", "source"]
        return fields

    def save_model(self, request, obj, form, change):
        """Through the services: identifiers normalised, search index refreshed, audit log written."""
        if change:
            current = Organisation.objects.get(pk=obj.pk)
            data = {f: form.cleaned_data[f] for f in form.changed_data if f in _SERVICE_FIELDS}
            saved = services.update_organisation(actor=request.user, organisation=current, data=data)
        else:
            data = {f: form.cleaned_data[f] for f in _SERVICE_FIELDS if f in form.cleaned_data}
            saved = services.create_organisation(actor=request.user, data=data)
            obj.pk, obj.slug = saved.pk, saved.slug
            obj._state.adding, obj._state.db = False, saved._state.db
        for field in _SERVICE_FIELDS:  # the canonical values (e.g. normalised identifiers)
            setattr(obj, field, getattr(saved, field))


@admin.register(Theme)
class ThemeAdmin(RulesModelAdmin):
    """The shared taxonomy: platform admins change it (rules: directory.change_theme)."""

    list_display = ("code", "label_fr", "label_nl", "label_en", "parent")
    search_fields = ("code", "label_fr", "label_nl", "label_en")
    list_select_related = ("parent",)
    raw_id_fields = ("parent",)


@admin.register(Person)
class PersonAdmin(RulesModelAdmin):
    """People of the organisations the user may edit. Staff may look; platform admins change."""

    list_display = ("name", "public_profile", "updated_at")
    list_filter = ("public_profile",)
    search_fields = ("name",)
    filter_horizontal = ("expertise",)
    raw_id_fields = ("user",)

    def may_enter(self, request) -> bool:
        return _enters_directory(request.user)

    def scope(self, request, qs):
        if is_platform_admin(request.user):
            return qs
        orgs = editable_organisations(request.user).values("pk")
        return qs.filter(pk__in=Affiliation.objects.filter(organisation__in=orgs).values("person_id"))

    def may_change_some(self, request) -> bool:
        return is_platform_admin(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return is_platform_admin(request.user)

    def has_add_permission(self, request) -> bool:
        return is_platform_admin(request.user)


@admin.register(ImportJob)
class ImportJobAdmin(RulesModelAdmin):
    """Import files and their reports, read-only: imports run through the import page and command.
    Staff see the imports they started; platform admins see all of them."""

    list_display = ("original_name", "kind", "status", "owner", "ecosystem", "node", "created_at")
    list_filter = ("kind", "status", "ecosystem")
    search_fields = ("original_name", "owner__username")
    list_select_related = ("owner", "ecosystem", "node")

    def may_enter(self, request) -> bool:
        user = request.user
        return bool(is_platform_admin(user) or staff_ecosystem_ids(user) or staff_node_ids(user))

    def scope(self, request, qs):
        if is_platform_admin(request.user):
            return qs
        return qs.filter(owner=request.user)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_view_permission(self, request, obj=None) -> bool:
        return self.may_enter(request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return is_platform_admin(request.user)
