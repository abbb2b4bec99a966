from django.contrib import admin

from scheduling.rest.models import CoverAssignment, DutyRecord, RestClaim, RestPolicy


@admin.register(RestPolicy)
class RestPolicyAdmin(admin.ModelAdmin):
    list_display = ("school", "duties_per_credit", "max_credits_per_term", "expiry_month", "expiry_day")


class ReadOnlyAdmin(admin.ModelAdmin):
    """Written by the services (duty records on attendance, claims and covers by teachers)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DutyRecord)
class DutyRecordAdmin(ReadOnlyAdmin):
    list_display = ("staff", "date", "kind", "as_cover", "school", "term")
    list_filter = ("kind", "as_cover", "school")


@admin.register(RestClaim)
class RestClaimAdmin(ReadOnlyAdmin):
    list_display = ("staff", "date", "status", "automatic", "created_at")
    list_filter = ("status", "automatic")


@admin.register(CoverAssignment)
class CoverAssignmentAdmin(ReadOnlyAdmin):
    list_display = ("dated_session", "from_staff", "to_staff", "created_at", "withdrawn_at")
