from django.contrib import admin

from marketplace.risk.models import Complaint, RiskAssessment, RiskPolicy
from marketplace.risk.services import risk_grade_all


@admin.register(RiskPolicy)
class RiskPolicyAdmin(admin.ModelAdmin):
    """The single policy row; officers edit it on /risk/policy/ (which also regrades)."""

    list_display = ("__str__", "band_a_max", "band_b_max", "band_c_max", "updated_at", "updated_by")
    readonly_fields = ("updated_at", "updated_by")

    def has_add_permission(self, request):
        return not RiskPolicy.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
        risk_grade_all(trigger=RiskAssessment.Trigger.POLICY)


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    list_display = ("vendor", "received_on", "status", "recorded_by", "resolved_at")
    list_filter = ("status", "vendor__district")
    search_fields = ("vendor__name", "summary")
    # Recorded and resolved on the officers' pages, which regrade the vendor.
    readonly_fields = (
        "vendor",
        "received_on",
        "summary",
        "status",
        "recorded_by",
        "recorded_at",
        "resolution",
        "resolved_by",
        "resolved_at",
    )

    def has_add_permission(self, request):
        return False


@admin.register(RiskAssessment)
class RiskAssessmentAdmin(admin.ModelAdmin):
    """The grading history, read-only (append-only rows)."""

    list_display = ("vendor", "grade", "score", "trigger", "computed_at")
    list_filter = ("grade", "trigger", "vendor__district")
    search_fields = ("vendor__name",)
    readonly_fields = ("vendor", "grade", "score", "factors", "reasons", "trigger", "computed_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
