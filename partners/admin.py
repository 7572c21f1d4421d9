"""The Django admin, read-only for domain data: every write goes through the services."""

from django.contrib import admin

from partners.models import ApiToken, AuditEvent, HistoryEntry, Membership, Organisation, User


class ReadOnlyAdmin(admin.ModelAdmin):
    """Staff may look; nobody writes through the admin site."""

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "sector", "gss_code", "nation", "active"]
    list_filter = ["sector", "kind", "nation", "active"]
    search_fields = ["name", "gss_code"]


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ["user", "organisation", "role"]
    list_select_related = ["user", "organisation"]
    list_filter = ["role"]


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    list_display = ["email", "full_name", "is_staff", "is_active"]
    search_fields = ["email", "full_name"]
    exclude = ["password"]


@admin.register(HistoryEntry)
class HistoryEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "action", "subject"]
    list_select_related = ["actor"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "action", "actor_email", "ip_address", "organisation_name"]
    list_filter = ["action"]
    search_fields = ["actor_email", "organisation_name"]


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ["name", "user", "prefix", "writable", "expires_on", "last_used_at"]
    list_filter = ["writable"]
    search_fields = ["name", "user__email", "prefix"]
    exclude = ["secret_hash"]
