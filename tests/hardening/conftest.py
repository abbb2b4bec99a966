"""Fixtures of the hardening tests: English messages, a private-documents folder of the
test's own, and the CMS home page as the site's root."""

import pytest
from django.conf import settings
from django.utils import translation
from wagtail.models import Page, Site

from cms.models import HomePage


@pytest.fixture(autouse=True)
def english(client):
    """Messages in English (services and pages) so the tests can read them whatever the
    catalogue holds."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Each test's private documents in a folder of its own (beside its MEDIA_ROOT)."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private-media"
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def home(db):
    """The platform's home page as the default site's root (as the demo loader makes it)."""
    page = HomePage(title="课后服务平台", slug="platform", intro="<p>首页</p>", intro_en="<p>Home</p>")
    Page.get_first_root_node().add_child(instance=page)
    site = Site.objects.get(is_default_site=True)
    site.root_page = page
    site.save()
    return page
