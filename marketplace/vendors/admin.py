from django.contrib import admin

from marketplace.vendors.models import Instructor, InstructorAvailability, Vendor, VendorDecision


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
    list_display = ("name", "credit_code", "category", "district", "status", "risk_grade")
    list_filter = ("status", "category", "district", "risk_grade")
    search_fields = ("name", "credit_code")
    # The status changes only through the review services, which log every decision.
    readonly_fields = ("status",)
    inlines = [InstructorInline, DecisionInline]


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
