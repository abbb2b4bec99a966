from django.contrib import admin

from marketplace.households.models import Child, Household


class ChildInline(admin.TabularInline):
    model = Child
    extra = 0
    raw_id_fields = ("school_class",)


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ("name", "hardship")
    list_filter = ("hardship",)
    search_fields = ("name", "children__name")
    inlines = [ChildInline]
