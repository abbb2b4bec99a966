"""Helpers of the vendor application tests: files good and bad, profile data, statuses."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from marketplace.vendors.models import Vendor, VendorDocument
from people.accounts.models import User
from tests import factories as f

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def pdf(name="licence.pdf", data=PDF):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def png(name="photo.png", data=PNG):
    return SimpleUploadedFile(name, data, content_type="image/png")


def fresh(user):
    """The user as a new request loads it (no memberships cached)."""
    return User.objects.get(pk=user.pk)


def profile(category, district, **overrides) -> dict:
    """A complete registration form's data, as the service takes it."""
    data = {
        "name": "星火体育培训中心",
        "name_en": "Spark Sports Centre",
        "credit_code": f.credit_code(4242),
        "licence_number": "教民1234567号",
        "category": category,
        "district": district,
        "address": "文三路 100 号",
        "contact_name": "李老师",
        "contact_phone": "13800000000",
        "contact_email": "spark@example.com",
        "description": "篮球、足球、游泳。",
        "description_en": "Basketball, football, swimming.",
    }
    data.update(overrides)
    return data


def form_data(values: dict) -> dict:
    """``profile()`` as POST data (related objects by id)."""
    return {k: getattr(v, "pk", v) for k, v in values.items()}


def complete(world) -> Vendor:
    """Give the world's draft vendor an instructor and a licence document."""
    instructor = f.InstructorFactory(vendor=world.vendor, name="张教练")
    f.InstructorAvailabilityFactory(instructor=instructor)
    VendorDocument.objects.create(
        vendor=world.vendor,
        kind=VendorDocument.Kind.LICENCE,
        title="办学许可证",
        file=pdf(),
        content_type="application/pdf",
        size=len(PDF),
        uploaded_by=world.clerk,
    )
    return world.vendor


def with_status(vendor: Vendor, status: str) -> Vendor:
    Vendor.objects.filter(pk=vendor.pk).update(status=status)
    vendor.refresh_from_db()
    return vendor


T = datetime.time
