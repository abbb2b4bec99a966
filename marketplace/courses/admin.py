from django.contrib import admin

from marketplace.courses.models import Activity, Category, Course


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en", "is_academic")


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ("title", "vendor", "school", "category", "price_per_session", "review_status")
    list_filter = ("review_status", "category")
    search_fields = ("title",)
    list_select_related = ("vendor", "school", "category")


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("name", "school", "term", "vendor", "meetings_per_week", "min_size", "max_size")
    list_filter = ("term", "school")
    search_fields = ("name",)
    list_select_related = ("school", "term", "vendor")
    raw_id_fields = ("course", "staff_instructor", "vendor_instructor")
