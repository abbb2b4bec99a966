from django.contrib import admin

from scheduling.rooms.models import Room, RoomKind


@admin.register(RoomKind)
class RoomKindAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en")


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "school", "capacity")
    list_filter = ("school", "kinds")
    search_fields = ("code", "name")
    filter_horizontal = ("kinds",)
