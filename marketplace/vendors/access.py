"""A vendor an account may open (its members, or the bureau's officers), or a 404."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from marketplace.vendors.models import Vendor
from people.roles.access import bureau_covers_district, roles_of
from people.roles.models import Role


def vendor_for_user_or_404(user, vendor_id: int, *, bureau: bool = False):
    vendor = get_object_or_404(Vendor.objects.select_related("district", "category"), pk=vendor_id)
    if any(m.vendor_id == vendor.pk for m in roles_of(user, Role.VENDOR_MEMBER)):
        return vendor
    if bureau and bureau_covers_district(user, vendor.district_id):
        return vendor
    raise Http404("No such vendor for this account")


def vendor_for_officer_or_404(user, vendor_id: int):
    """The vendor, when the user is a bureau officer of the city or of the vendor's district
    (its own members are not admitted: this is the reviewing side)."""
    vendor = get_object_or_404(Vendor.objects.select_related("district", "category"), pk=vendor_id)
    if bureau_covers_district(user, vendor.district_id):
        return vendor
    raise Http404("No such vendor for this account")
