"""Django admin for core models, and the base class every Jumelage admin builds on.

Who may enter the admin at all is Django's rule (an active user with is_staff). Inside, each model
admin answers "may this user do this to this object" through the same django-rules permissions as the
pages and the API, and scopes its list to what the user may edit, so a node's staff member sees only
that node's organisations. Platform admins are superusers and see everything.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import models
from rules.contrib.admin import ObjectPermissionsModelAdmin

from jumelage.core.audit import log_action
from jumelage.core.models import ApiToken, AuditLog, User
from jumelage.ecosystems.rules import is_platform_admin


class RulesModelAdmin(ObjectPermissionsModelAdmin):
    """Object permissions from django-rules. Questions asked without an object ("may this user open
    the list at all?") are answered by `may_enter`; `scope` limits the list (and so every change page,
    which Django looks up through get_queryset) to what the user may see. Every save and delete made
    here is written to the audit log."""

    # Web addresses typed without a scheme get https:// (Django 6's default, without its warning).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def may_enter(self, request) -> bool:
        return is_platform_admin(request.user)

    def scope(self, request, qs: models.QuerySet) -> models.QuerySet:
        return qs if is_platform_admin(request.user) else qs.none()

    def get_queryset(self, request):
        return self.scope(request, super().get_queryset(request))

    def has_module_permission(self, request) -> bool:
        return self.may_enter(request)

    def has_view_permission(self, request, obj=None) -> bool:
        if obj is None:
            return self.may_enter(request)
        return super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is None:
            return self.may_enter(request) and self.may_change_some(request)
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is None:  # bulk deletion from the list: platform admins only
            return is_platform_admin(request.user)
        return super().has_delete_permission(request, obj)

    def may_change_some(self, request) -> bool:
        return True

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        log_action(
            actor=request.user,
            action=f"{obj._meta.model_name}.admin_{'change' if change else 'add'}",
            obj=obj,
            fields=sorted(form.changed_data),
        )

    def delete_model(self, request, obj):
        log_action(actor=request.user, action=f"{obj._meta.model_name}.admin_delete", obj=obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            log_action(actor=request.user, action=f"{obj._meta.model_name}.admin_delete", obj=obj)
        super().delete_queryset(request, queryset)


class PlatformAdminOnly:
    """For models only platform admins manage (accounts, tokens, role assignments)."""

    def has_module_permission(self, request) -> bool:
        return is_platform_admin(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return is_platform_admin(request.user)

    def has_add_permission(self, request, *args) -> bool:
        return is_platform_admin(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return is_platform_admin(request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        return is_platform_admin(request.user)


@admin.register(User)
class UserAdmin(PlatformAdminOnly, DjangoUserAdmin):
    list_display = ("username", "email", "first_name", "last_name", "is_staff", "is_superuser", "is_active")
    list_filter = ("is_staff", "is_superuser", "is_active", "language")
    search_fields = ("username", "email", "first_name", "last_name")
    fieldsets = (*DjangoUserAdmin.fieldsets, (None, {"fields": ("language",)}))


@admin.register(AuditLog)
class AuditLogAdmin(PlatformAdminOnly, admin.ModelAdmin):
    """The trail is read-only, here as everywhere."""

    list_display = ("at", "actor", "action", "object_type", "object_repr")
    list_filter = ("action", "object_type")
    search_fields = ("action", "object_repr", "object_id", "actor__username")
    date_hierarchy = "at"
    readonly_fields = ("at", "actor", "action", "object_type", "object_id", "object_repr", "data")

    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(PlatformAdminOnly, admin.ModelAdmin):
    """Tokens are created with `jumelage` commands or the API (the secret is shown once); here they
    can be looked at and revoked."""

    list_display = ("name", "user", "ecosystem", "node", "created_at", "last_used_at")
    list_filter = ("ecosystem",)
    search_fields = ("name", "user__username")
    readonly_fields = ("digest", "created_at", "last_used_at")

    def has_add_permission(self, request, *args) -> bool:
        return False
