from django.db.models import Count, Prefetch

from marketplace.vendors.models import InstructorAvailability, Vendor


def vendor_status_counts(*, district_id: int | None = None) -> list[dict]:
    """How many vendors are in each status, in the order of the status list."""
    vendors = Vendor.objects.all()
    if district_id is not None:
        vendors = vendors.filter(district_id=district_id)
    counts = dict(vendors.order_by().values_list("status").annotate(n=Count("pk")))
    return [{"status": label, "count": counts.get(value, 0)} for value, label in Vendor.Status.choices]


def approved_vendors(*, district_id: int | None = None):
    vendors = Vendor.objects.filter(status=Vendor.Status.APPROVED).select_related("category", "district")
    if district_id is not None:
        vendors = vendors.filter(district_id=district_id)
    return vendors


def instructors_of_vendor(*, vendor: Vendor):
    return vendor.instructors.prefetch_related(
        "subjects",
        Prefetch(
            "availability",
            queryset=InstructorAvailability.objects.order_by("weekday", "start"),
        ),
    )
