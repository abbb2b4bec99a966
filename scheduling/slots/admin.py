from django.contrib import admin

from scheduling.slots.models import Slot


@admin.register(Slot)
class SlotAdmin(admin.ModelAdmin):
    list_display = ("school", "weekday", "start", "end", "kind")
    list_filter = ("school", "weekday", "kind")
