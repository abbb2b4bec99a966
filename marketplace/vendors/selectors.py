"""Reads about vendors: status counts, the approved list, an application's checklist and
history, and the bureau's review queue."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Max, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.vendors.models import (
    InstructorAvailability,
    Vendor,
    VendorAmendment,
    VendorDecision,
    VendorDocument,
    VendorPolicy,
)
from people.roles.access import bureau_district_ids


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


def documents_of_vendor(*, vendor: Vendor):
    return vendor.documents.select_related("instructor", "uploaded_by").order_by("kind", "uploaded_at", "pk")


def decisions_of_vendor(*, vendor: Vendor):
    """The vendor's review history, oldest first, with who decided."""
    return vendor.decisions.select_related("actor").order_by("created_at", "pk")


def latest_decision(*, vendor: Vendor) -> VendorDecision | None:
    return vendor.decisions.select_related("actor").order_by("-created_at", "-pk").first()


@dataclass(frozen=True)
class MissingItem:
    """One thing an application lacks before it can be submitted (``code`` is stable)."""

    code: str
    message: str


def vendor_missing_items(*, vendor: Vendor) -> list[MissingItem]:
    """What the application still lacks before it may be submitted (empty: complete)."""
    items = []
    if vendor.category.is_academic:
        items.append(
            MissingItem(
                "category",
                _("Academic subject tutoring may not be offered after school: choose another category."),
            )
        )
    if not vendor.licence_number.strip():
        items.append(MissingItem("licence_number", _("Enter the school-running licence number.")))
    if not vendor.address.strip():
        items.append(MissingItem("address", _("Enter the institution's address.")))
    if not vendor.contact_name.strip() or not vendor.contact_phone.strip():
        items.append(MissingItem("contact", _("Enter a contact person and a contact phone number.")))
    if not vendor.instructors.filter(vetted=True).exists():
        items.append(MissingItem("instructor", _("Add at least one instructor.")))
    if not vendor.documents.filter(kind=VendorDocument.Kind.LICENCE, accepted=True).exists():
        items.append(
            MissingItem(
                "licence_document",
                _("Upload the school-running licence (a PDF or an image) as a document."),
            )
        )
    return items


def vendors_for_officer(*, user):
    """Every vendor in the districts the user oversees as a bureau officer."""
    vendors = Vendor.objects.select_related("category", "district")
    districts = bureau_district_ids(user)
    if districts is None:
        return vendors
    return vendors.filter(district_id__in=districts)


def vendor_review_queue(*, user, district_id: int | None = None):
    """Submitted applications the officer may decide, the longest-waiting first."""
    vendors = vendors_for_officer(user=user).filter(status=Vendor.Status.SUBMITTED)
    if district_id is not None:
        vendors = vendors.filter(district_id=district_id)
    return vendors.annotate(
        submitted_at=Max("decisions__created_at", filter=Q(decisions__action="submitted")),
        instructor_count=Count("instructors", distinct=True),
    ).order_by("submitted_at", "pk")


def vendor_list_for_officer(
    *,
    user,
    status: str = Vendor.Status.APPROVED,
    district_id: int | None = None,
    category_id: int | None = None,
):
    """The approved list (or the suspended or revoked vendors) the officer oversees."""
    vendors = vendors_for_officer(user=user).filter(status=status)
    if district_id is not None:
        vendors = vendors.filter(district_id=district_id)
    if category_id is not None:
        vendors = vendors.filter(category_id=category_id)
    return vendors.annotate(instructor_count=Count("instructors", distinct=True)).order_by(
        "district__code", "name", "pk"
    )


def bureau_vendor_summary(*, district_id: int | None = None) -> dict:
    """Counts for the bureau home: applications waiting, asked to change, on the list, suspended."""
    vendors = Vendor.objects.all()
    if district_id is not None:
        vendors = vendors.filter(district_id=district_id)
    counts = dict(vendors.order_by().values_list("status").annotate(n=Count("pk")))
    return {
        "submitted": counts.get(Vendor.Status.SUBMITTED, 0),
        "changes_requested": counts.get(Vendor.Status.CHANGES_REQUESTED, 0),
        "approved": counts.get(Vendor.Status.APPROVED, 0),
        "suspended": counts.get(Vendor.Status.SUSPENDED, 0),
    }


def vendor_policy() -> VendorPolicy:
    """The bureau's vendor review settings (the defaults, unsaved, until an officer saves them)."""
    return VendorPolicy.objects.filter(pk=1).first() or VendorPolicy(pk=1)


def reapply_date(*, vendor: Vendor):
    """The first day a rejected vendor may apply again (``None`` if it was never rejected)."""
    rejected = vendor.decisions.filter(action=VendorDecision.Action.REJECTED).order_by("-created_at").first()
    if rejected is None:
        return None
    days = vendor_policy().reapply_after_days
    return timezone.localdate(rejected.created_at) + datetime.timedelta(days=days)


def pending_amendments(*, vendor: Vendor):
    """The vendor's amendments waiting for an officer, oldest first."""
    return vendor.amendments.filter(status="pending").select_related("instructor", "document", "submitted_by")


def amendments_of_vendor(*, vendor: Vendor):
    """Every amendment of the vendor, latest first (for the vendor's own page)."""
    return vendor.amendments.select_related("instructor", "document").order_by("-created_at", "-pk")


def amendment_queue(*, user):
    """Amendments waiting in the districts the officer oversees, oldest first."""
    vendors = vendors_for_officer(user=user)
    return (
        VendorAmendment.objects.filter(status="pending", vendor__in=vendors)
        .select_related("vendor", "instructor", "document")
        .order_by("created_at", "pk")
    )


def assignable_instructors(*, vendor: Vendor):
    """The vendor's instructors that may be named on courses, requests and activities: those
    the bureau has checked (``Instructor.vetted``)."""
    return vendor.instructors.filter(vetted=True)
