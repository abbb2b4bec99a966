from django.contrib import admin

from marketplace.fees.models import ChargingStandard


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
