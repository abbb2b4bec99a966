from django.contrib import admin

from marketplace.fees.models import ChargingStandard, SchoolFeePolicy, Waiver


@admin.register(ChargingStandard)
class ChargingStandardAdmin(admin.ModelAdmin):
    """Standards are versioned: once saved, a standard is read-only; a change is a new one."""

    list_display = (
        "district",
        "service_kind",
        "unit",
        "cap_amount",
        "effective_from",
        "effective_to",
        "approval_document",
    )
    list_filter = ("district", "service_kind", "unit")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        # Only closing the period (setting its end date) stays possible.
        return ("district", "service_kind", "unit", "cap_amount", "effective_from", "approval_document")


@admin.register(Waiver)
class WaiverAdmin(admin.ModelAdmin):
    """Waivers are decided in the school's pages (``fees:school_waivers``); here they are read."""

    list_display = ("child", "term", "kind", "percent", "status", "decided_by", "decided_at")
    list_filter = ("status", "kind", "term")
    raw_id_fields = ("child", "requested_by", "decided_by")

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SchoolFeePolicy)
class SchoolFeePolicyAdmin(admin.ModelAdmin):
    """Who bears the waivers of a school's vendor activities (default: the school's budget)."""

    list_display = ("school", "waiver_bearer")
    raw_id_fields = ("school",)
