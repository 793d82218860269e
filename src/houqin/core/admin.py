from django.contrib import admin
from django.db import transaction
from simple_history.admin import SimpleHistoryAdmin

from .models import Department, Location, Membership, Organization, RoleGrant, SecurityEvent, User


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin):
    list_display = ["name", "phone", "is_active", "is_staff", "must_change_password"]
    search_fields = ["name", "phone"]
    exclude = ["password"]


class TreeAdmin(SimpleHistoryAdmin):
    """Saves go through ``tree_save`` so that paths (and derived fields) stay right."""

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        obj.tree_save()


@admin.register(Organization)
class OrganizationAdmin(TreeAdmin):
    list_display = ["name", "code", "kind", "parent", "is_active"]
    search_fields = ["name", "code"]


class OrgOwnedAdmin(TreeAdmin):
    list_filter = ["org"]
    list_select_related = ["org"]


@admin.register(Department)
class DepartmentAdmin(OrgOwnedAdmin):
    list_display = ["name", "code", "org", "kind", "is_active"]
    search_fields = ["name", "code"]


@admin.register(Location)
class LocationAdmin(OrgOwnedAdmin):
    list_display = ["name", "code", "org", "kind", "is_active"]
    search_fields = ["name", "code"]


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    extra = 0


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_filter = ["org"]
    list_select_related = ["org"]
    list_display = ["user", "org", "employee_no", "department", "is_active"]
    search_fields = ["user__name", "user__phone", "employee_no"]
    inlines = [RoleGrantInline]


@admin.register(SecurityEvent)
class SecurityEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "identifier", "user", "org", "ip_address"]
    list_filter = ["kind"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
