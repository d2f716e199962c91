"""Django admin for ecosystems and nodes, scoped by the same rules as the pages."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Q

from jumelage.core.admin import PlatformAdminOnly, RulesModelAdmin
from jumelage.directory.forms import formfield
from jumelage.ecosystems import services
from jumelage.ecosystems.models import Ecosystem, EcosystemStaff, LabelChange, NetworkNode, NodeStaff
from jumelage.ecosystems.rules import is_platform_admin, staff_ecosystem_ids, staff_node_ids


def node_scope(user) -> Q:
    """Nodes the user may edit: those they are staff of, and every node of their ecosystems."""
    return Q(pk__in=staff_node_ids(user)) | Q(ecosystem_id__in=staff_ecosystem_ids(user))


@admin.register(Ecosystem)
class EcosystemAdmin(RulesModelAdmin):
    list_display = ("name", "short_name", "country", "region", "website")
    list_filter = ("country",)
    search_fields = ("name", "short_name", "slug", "region")
    prepopulated_fields = {"slug": ("name",)}

    def may_enter(self, request) -> bool:
        return is_platform_admin(request.user) or bool(staff_ecosystem_ids(request.user))

    def scope(self, request, qs):
        if is_platform_admin(request.user):
            return qs
        return qs.filter(pk__in=staff_ecosystem_ids(request.user))


class LabelChangeInline(admin.TabularInline):
    """The label history, read-only: label changes are recorded through the node page's form
    (ecosystems.services.record_label_change), which also changes the node's kind."""

    model = LabelChange
    extra = 0
    fields = ("decided_on", "from_kind", "to_kind", "decided_by", "evidence")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        return True


class NodeAdminForm(forms.ModelForm):
    class Meta:
        model = NetworkNode
        fields = [
            "ecosystem",
            "parent",
            "kind",
            "name",
            "short_name",
            "slug",
            "themes",
            "city",
            "region",
            "country",
            "website",
            "description_fr",
            "description_nl",
            "description_en",
        ]
        formfield_callback = formfield

    def clean(self):
        data = super().clean()
        parent = data.get("parent")
        if self.instance.pk is not None and parent is not None:
            try:
                services.check_parent(self.instance, parent)
            except ValidationError as exc:
                self.add_error("parent", exc.message_dict["parent"])
        return data


@admin.register(NetworkNode)
class NetworkNodeAdmin(RulesModelAdmin):
    form = NodeAdminForm
    list_display = ("name", "kind", "ecosystem", "parent", "city", "region", "country")
    list_filter = ("ecosystem", "kind", "country")
    search_fields = ("name", "short_name", "slug", "city", "region")
    list_select_related = ("ecosystem", "parent")
    filter_horizontal = ("themes",)
    inlines = [LabelChangeInline]

    def may_enter(self, request) -> bool:
        user = request.user
        return is_platform_admin(user) or bool(staff_ecosystem_ids(user) or staff_node_ids(user))

    def scope(self, request, qs):
        if is_platform_admin(request.user):
            return qs
        return qs.filter(node_scope(request.user))

    def get_readonly_fields(self, request, obj=None):
        # The kind of an existing node changes only through a recorded label change.
        return ("kind",) if obj is not None else ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        user = request.user
        if not is_platform_admin(user):
            if db_field.name == "ecosystem":
                kwargs["queryset"] = Ecosystem.objects.filter(pk__in=staff_ecosystem_ids(user))
            elif db_field.name == "parent":
                kwargs["queryset"] = NetworkNode.objects.filter(
                    Q(ecosystem_id__in=staff_ecosystem_ids(user)) | Q(pk__in=staff_node_ids(user))
                )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(LabelChange)
class LabelChangeAdmin(RulesModelAdmin):
    """The history of label decisions, read-only (recorded through the node page)."""

    list_display = ("node", "decided_on", "from_kind", "to_kind", "decided_by")
    list_filter = ("to_kind", "node__ecosystem")
    search_fields = ("node__name", "decided_by", "evidence")
    list_select_related = ("node",)
    readonly_fields = ("node", "from_kind", "to_kind", "decided_on", "decided_by", "evidence")

    def may_enter(self, request) -> bool:
        user = request.user
        return is_platform_admin(user) or bool(staff_ecosystem_ids(user) or staff_node_ids(user))

    def scope(self, request, qs):
        if is_platform_admin(request.user):
            return qs
        return qs.filter(node__in=NetworkNode.objects.filter(node_scope(request.user)))

    def has_view_permission(self, request, obj=None) -> bool:
        return self.may_enter(request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return is_platform_admin(request.user)


@admin.register(EcosystemStaff)
class EcosystemStaffAdmin(PlatformAdminOnly, RulesModelAdmin):
    list_display = ("user", "ecosystem")
    list_filter = ("ecosystem",)
    search_fields = ("user__username", "user__email", "ecosystem__name")
    list_select_related = ("user", "ecosystem")


@admin.register(NodeStaff)
class NodeStaffAdmin(PlatformAdminOnly, RulesModelAdmin):
    list_display = ("user", "node")
    list_filter = ("node__ecosystem",)
    search_fields = ("user__username", "user__email", "node__name")
    list_select_related = ("user", "node")
