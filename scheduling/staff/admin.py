from django import forms
from django.contrib import admin

from scheduling.staff.models import AvailabilityRequest, StaffMember, Subject, check_unavailable_slots


class StaffMemberAdminForm(forms.ModelForm):
    class Meta:
        model = StaffMember
        fields = (
            "school",
            "staff_no",
            "name",
            "subjects",
            "unavailable",
            "rest_days",
            "min_duties",
            "max_duties",
            "active",
        )

    def clean(self):
        cleaned = super().clean()
        school = cleaned.get("school")
        if school is not None:
            check_unavailable_slots(school.pk, cleaned.get("unavailable") or [])
        return cleaned


@admin.register(Subject)
class SubjectAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en")
    search_fields = ("code", "name", "name_en")


@admin.register(StaffMember)
class StaffMemberAdmin(admin.ModelAdmin):
    form = StaffMemberAdminForm
    list_display = ("staff_no", "name", "school", "max_duties", "active")
    list_filter = ("school", "active", "subjects")
    search_fields = ("staff_no", "name")
    filter_horizontal = ("subjects",)
    raw_id_fields = ("unavailable",)


@admin.register(AvailabilityRequest)
class AvailabilityRequestAdmin(admin.ModelAdmin):
    list_display = ("staff", "status", "created_at", "decided_at")
    list_filter = ("status",)
    # Decided through the school administrator's page, which applies an approval.
    readonly_fields = ("staff", "status", "decided_by", "decided_at")
