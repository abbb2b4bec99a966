"""Fixtures of the vendor application tests: a district with a draft vendor and its clerk,
officers inside and outside the district, and a ``vendor_changed`` spy."""

from types import SimpleNamespace

import pytest
from django.conf import settings
from django.utils import translation

from marketplace.vendors.signals import vendor_changed
from tests import factories as f
from tests.vendors import fresh


@pytest.fixture(autouse=True)
def english(client):
    """Messages in English, in the services (active language) and on the pages (cookie), so
    the tests can read them; Chinese is added to the catalogue later."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def world(db):
    district = f.DistrictFactory()
    other_district = f.DistrictFactory()
    category = f.CategoryFactory(code="sports", name="体育", name_en="Sports")
    academic = f.CategoryFactory(code="tutoring", name="学科辅导", name_en="Tutoring", is_academic=True)
    vendor = f.VendorFactory(
        draft=True,
        district=district,
        category=category,
        licence_number="教民0000001号",
        address="文二路 1 号",
        contact_name="王经理",
        contact_phone="13900000000",
    )
    clerk = f.VendorMemberFactory(vendor=vendor).user
    other_vendor = f.VendorFactory(draft=True, district=district, category=category)
    other_clerk = f.VendorMemberFactory(vendor=other_vendor).user
    return SimpleNamespace(
        district=district,
        other_district=other_district,
        category=category,
        academic=academic,
        vendor=vendor,
        clerk=fresh(clerk),
        other_vendor=other_vendor,
        other_clerk=fresh(other_clerk),
        officer=fresh(f.BureauOfficerFactory(district=district).user),
        city_officer=fresh(f.BureauOfficerFactory().user),
        foreign_officer=fresh(f.BureauOfficerFactory(district=other_district).user),
        newcomer=fresh(f.UserFactory()),
    )


@pytest.fixture
def changed():
    """The vendors ``vendor_changed`` was sent for, in order."""
    sent = []

    def receiver(sender, vendor, **kwargs):
        sent.append(vendor.pk)

    vendor_changed.connect(receiver, dispatch_uid="tests.vendors.spy")
    yield sent
    vendor_changed.disconnect(dispatch_uid="tests.vendors.spy")
