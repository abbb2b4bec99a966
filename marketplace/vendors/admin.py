from django.contrib import admin

from marketplace.vendors.models import (
    Instructor,
    InstructorAvailability,
    Vendor,
    VendorDecision,
    VendorPolicy,
)
from marketplace.vendors.signals import vendor_changed


class InstructorInline(admin.TabularInline):
    model = Instructor
    extra = 0
    fields = ("name", "max_sessions")
    show_change_link = True


class DecisionInline(admin.TabularInline):
    """The review history, read-only: decisions are taken on the officer's pages."""

    model = VendorDecision
    extra = 0
    can_delete = False
    fields = ("created_at", "action", "from_status", "to_status", "actor", "reason")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Vendor)
class VendorAdmin(admin.ModelAdmin):
    list_display = ("name", "credit_code", "category", "district", "institution_type", "status", "risk_grade")
    list_filter = ("status", "category", "district", "institution_type", "risk_grade")
    search_fields = ("name", "credit_code")
    # The status changes only through the review services, which log every decision; the
    # risk grade only through the risk services (``marketplace.risk``).
    readonly_fields = ("status", "risk_grade")
    inlines = [InstructorInline, DecisionInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # As the services do: the CMS catalogue and the risk grade follow the change.
        vendor_changed.send(sender=Vendor, vendor=obj)


class AvailabilityInline(admin.TabularInline):
    model = InstructorAvailability
    extra = 0


@admin.register(Instructor)
class InstructorAdmin(admin.ModelAdmin):
    list_display = ("name", "vendor", "max_sessions")
    list_filter = ("vendor",)
    search_fields = ("name",)
    filter_horizontal = ("subjects",)
    inlines = [AvailabilityInline]


@admin.register(VendorPolicy)
class VendorPolicyAdmin(admin.ModelAdmin):
    """The one row of vendor review settings (the waiting period before applying again)."""

    list_display = ("__str__", "reapply_after_days", "updated_at")

    def has_add_permission(self, request):
        return not VendorPolicy.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
