from django.contrib import admin

from core.recurring.models import RecurringRun


@admin.register(RecurringRun)
class RecurringRunAdmin(admin.ModelAdmin):
    """Read-only: the scheduler writes these rows; deleting one lets the job run again that day."""

    list_display = ["job", "for_date", "enqueued_at", "result_id"]
    list_filter = ["job"]
    date_hierarchy = "for_date"
    readonly_fields = ["job", "for_date", "enqueued_at", "result_id"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
