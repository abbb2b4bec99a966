from scheduling.staff.models import StaffMember


def staff_of_school(*, school):
    return (
        StaffMember.objects.filter(school=school, active=True)
        .prefetch_related("subjects", "unavailable")
        .order_by("staff_no")
    )
