def rooms_of_school(*, school):
    return school.rooms.prefetch_related("kinds").order_by("code")
