"""An officer's approval re-checks the application's evidence: a vendor that reached
"submitted" without its licence number or licence document (an import, an old row, an edit
outside the pages) is refused with ``vendor_incomplete``, and nothing is written."""

import pytest

from marketplace.vendors import services
from marketplace.vendors.models import Vendor, VendorDocument
from marketplace.vendors.services import VendorError
from tests.vendors import complete, with_status


def test_approval_is_refused_without_licence_number_or_documents(world, changed):
    vendor = with_status(world.vendor, Vendor.Status.SUBMITTED)
    Vendor.objects.filter(pk=vendor.pk).update(licence_number="")
    vendor.refresh_from_db()
    with pytest.raises(VendorError) as excinfo:
        services.vendor_approve(vendor=vendor, officer=world.officer)
    assert excinfo.value.code == "vendor_incomplete"
    text = " ".join(excinfo.value.messages)
    assert "licence number" in text
    assert "school-running licence (a PDF or an image)" in text
    assert Vendor.objects.get(pk=vendor.pk).status == Vendor.Status.SUBMITTED
    assert not vendor.decisions.exists()
    assert changed == []


def test_approval_is_refused_when_the_licence_document_is_gone(world):
    complete(world)
    vendor = with_status(world.vendor, Vendor.Status.SUBMITTED)
    VendorDocument.objects.filter(vendor=vendor).delete()
    with pytest.raises(VendorError) as excinfo:
        services.vendor_approve(vendor=vendor, officer=world.officer)
    assert excinfo.value.code == "vendor_incomplete"
    assert Vendor.objects.get(pk=vendor.pk).status == Vendor.Status.SUBMITTED


def test_a_complete_application_is_approved(world):
    complete(world)
    vendor = with_status(world.vendor, Vendor.Status.SUBMITTED)
    decision = services.vendor_approve(vendor=vendor, officer=world.officer)
    assert decision.to_status == Vendor.Status.APPROVED


def test_the_officer_page_shows_the_refusal_and_what_is_missing(world, client):
    vendor = with_status(world.vendor, Vendor.Status.SUBMITTED)
    client.force_login(world.officer)
    response = client.post(f"/vendors/review/{vendor.pk}/decide/", {"action": "approved", "reason": ""})
    assert response.status_code == 400
    assert "Upload the school-running licence" in response.content.decode()
    assert Vendor.objects.get(pk=vendor.pk).status == Vendor.Status.SUBMITTED
