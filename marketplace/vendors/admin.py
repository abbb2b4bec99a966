from django.contrib import admin

from marketplace.vendors.models import Instructor, InstructorAvailability, Vendor


class InstructorInline(admin.TabularInline):
    model = Instructor
    extra = 0
    fields = ("name", "max_sessions")
    show_change_link = True


@admin.register(Vendor)
class VendorAdmin(admin.ModelAdmin):
    list_display = ("name", "credit_code", "category", "district", "status", "risk_grade")
    list_filter = ("status", "category", "district", "risk_grade")
    search_fields = ("name", "credit_code")
    inlines = [InstructorInline]


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
