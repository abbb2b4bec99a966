"""Every refusal of the vendor services carries a stable code, which pages and callers can
rely on rather than the (translated) message."""

import pytest

from marketplace.vendors import services
from marketplace.vendors.models import Vendor
from marketplace.vendors.services import VendorError
from tests import factories as f
from tests.vendors import T, complete, profile, with_status


def code_of(call) -> str:
    with pytest.raises(VendorError) as excinfo:
        call()
    return excinfo.value.code


def test_refusal_codes(world):
    complete(world)
    assert code_of(
        lambda: services.vendor_update(vendor=world.vendor, user=world.other_clerk, address="x")
    ) == ("not_member")
    assert code_of(
        lambda: services.vendor_register(user=world.clerk, **profile(world.category, world.district))
    ) == ("already_member")
    assert code_of(
        lambda: services.vendor_decide(vendor=world.vendor, officer=world.officer, action="x")
    ) == ("unknown_action")
    with_status(world.vendor, Vendor.Status.SUBMITTED)
    assert code_of(lambda: services.vendor_approve(vendor=world.vendor, officer=world.foreign_officer)) == (
        "not_officer"
    )
    assert code_of(lambda: services.vendor_update(vendor=world.vendor, user=world.clerk, address="x")) == (
        "not_editable"
    )
    assert code_of(
        lambda: services.instructor_save(vendor=world.vendor, user=world.clerk, name="x", windows=[])
    ) == ("instructors_locked")
    with_status(world.vendor, Vendor.Status.DRAFT)
    stranger = f.InstructorFactory(vendor=world.other_vendor)
    assert code_of(
        lambda: services.instructor_save(
            vendor=world.vendor, user=world.clerk, instructor=stranger, name="x", windows=[(0, T(15), T(16))]
        )
    ) == ("not_own_instructor")
