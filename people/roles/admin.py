from django.contrib import admin

from people.roles.models import Membership


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "district", "school", "vendor", "household")
    list_filter = ("role",)
    search_fields = ("user__email", "user__name")
    raw_id_fields = ("user", "school", "staff", "vendor", "household", "district")
