from django.contrib import admin

from scheduling.staff.models import StaffMember, Subject


@admin.register(Subject)
class SubjectAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en")
    search_fields = ("code", "name", "name_en")


@admin.register(StaffMember)
class StaffMemberAdmin(admin.ModelAdmin):
    list_display = ("staff_no", "name", "school", "max_duties", "active")
    list_filter = ("school", "active", "subjects")
    search_fields = ("staff_no", "name")
    filter_horizontal = ("subjects",)
    raw_id_fields = ("unavailable",)
