from django.contrib import admin

from schools.models import CalendarDay, District, School, SchoolClass, Term


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en")
    search_fields = ("code", "name", "name_en")


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "district", "stage")
    list_filter = ("district", "stage")
    search_fields = ("code", "name", "name_en")


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    extra = 0
    autocomplete_fields = ("school",)


@admin.register(Term)
class TermAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "start", "end")
    inlines = [CalendarDayInline]


@admin.register(SchoolClass)
class SchoolClassAdmin(admin.ModelAdmin):
    list_display = ("__str__", "school", "size", "home_room")
    list_filter = ("school", "grade")
    list_select_related = ("school", "home_room")
    raw_id_fields = ("home_room",)
