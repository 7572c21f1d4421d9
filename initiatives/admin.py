"""The Django admin, read-only for domain data: every write goes through the services."""

from django.contrib import admin

from initiatives.models import (
    ClaimAttribution,
    FinancialYearLock,
    Initiative,
    InitiativeProgress,
    Partnership,
    SavingsClaim,
    SavingsTarget,
)
from partners.admin import ReadOnlyAdmin


@admin.register(Initiative)
class InitiativeAdmin(ReadOnlyAdmin):
    # The benchmark compares /initiatives/ with this changelist: keep the two comparable.
    list_display = ["reference", "title", "lead", "status"]
    list_filter = ["status", "service_area"]
    list_select_related = ["lead"]
    list_per_page = 25
    search_fields = ["reference", "title"]


@admin.register(Partnership)
class PartnershipAdmin(ReadOnlyAdmin):
    list_display = ["initiative", "organisation", "savings_share", "removed_on"]
    list_select_related = ["initiative", "organisation"]


@admin.register(SavingsTarget)
class SavingsTargetAdmin(ReadOnlyAdmin):
    list_display = ["initiative", "financial_year", "amount"]
    list_select_related = ["initiative"]


@admin.register(SavingsClaim)
class SavingsClaimAdmin(ReadOnlyAdmin):
    list_display = ["reference", "initiative", "claimant", "financial_year", "net_amount", "status"]
    list_filter = ["status", "kind"]
    list_select_related = ["initiative", "claimant"]
    search_fields = ["reference"]


@admin.register(ClaimAttribution)
class ClaimAttributionAdmin(ReadOnlyAdmin):
    list_display = ["claim", "organisation", "share", "amount"]
    list_select_related = ["claim", "organisation"]


@admin.register(FinancialYearLock)
class FinancialYearLockAdmin(ReadOnlyAdmin):
    list_display = ["year", "locked_at", "locked_by"]


@admin.register(InitiativeProgress)
class InitiativeProgressAdmin(ReadOnlyAdmin):
    list_display = ["initiative", "target", "target_to_date", "rag", "computed_at"]
    list_select_related = ["initiative"]
