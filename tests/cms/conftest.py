"""Fixtures of the CMS tests: a home page as the site root, and a way to change a vendor's
or a course's status as the services do (save, then send the signal)."""

import pytest
from django.conf import settings
from wagtail.models import Page, Site

from cms.models import HomePage
from marketplace.courses.models import Course
from marketplace.courses.signals import course_changed
from marketplace.vendors.models import Vendor
from marketplace.vendors.signals import vendor_changed
from tests import factories as f
from tests.signin import sign_in_through_allauth


@pytest.fixture
def home(db):
    """The platform's home page, the default site's root (as the demo loader makes it)."""
    root = Page.get_first_root_node()
    page = HomePage(title="课后服务平台", slug="platform", intro="<p>首页</p>", intro_en="<p>Home</p>")
    root.add_child(instance=page)
    site = Site.objects.get(is_default_site=True)
    site.root_page = page
    site.save()
    return page


@pytest.fixture
def editor(client):
    """A client signed in (through allauth) as a superuser who edits in the Wagtail admin."""
    sign_in_through_allauth(client, f.UserFactory(is_superuser=True, is_staff=True))
    return client


def set_vendor(vendor: Vendor, **fields) -> Vendor:
    """Change a vendor and send ``vendor_changed``, as the vendor services do."""
    for name, value in fields.items():
        setattr(vendor, name, value)
    vendor.save()
    vendor_changed.send(sender=Vendor, vendor=vendor)
    return vendor


def set_course(course: Course, **fields) -> Course:
    """Change a course and send ``course_changed``, as the course services do."""
    for name, value in fields.items():
        setattr(course, name, value)
    course.save()
    course_changed.send(sender=Course, course=course)
    return course


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def school_client(client):
    """A client signed in as a school administrator (the school side may use the library)."""
    client.force_login(f.SchoolAdminFactory().user)
    return client
