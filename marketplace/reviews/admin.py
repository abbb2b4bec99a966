from django.contrib import admin

from marketplace.reviews.models import ConflictDeclaration, CourseReview, ReviewCommittee, RubricCriterion


class RubricCriterionInline(admin.TabularInline):
    model = RubricCriterion
    extra = 0


@admin.register(ReviewCommittee)
class ReviewCommitteeAdmin(admin.ModelAdmin):
    list_display = ("__str__", "rule", "quorum", "pass_mark", "chair")
    inlines = [RubricCriterionInline]
    raw_id_fields = ("chair",)


@admin.register(CourseReview)
class CourseReviewAdmin(admin.ModelAdmin):
    """Rounds are opened and decided by the services; the admin only reads them."""

    list_display = ("course", "round", "committee", "rule", "outcome", "opened_at", "decided_at")
    list_filter = ("outcome", "rule")
    list_select_related = ("course", "committee__district")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ConflictDeclaration)
class ConflictDeclarationAdmin(admin.ModelAdmin):
    list_display = ("reviewer", "vendor", "created_at")
    raw_id_fields = ("reviewer", "vendor")
