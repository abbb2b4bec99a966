"""The demo's /media/ route serves public images only: nothing that resolves outside the
image folders, whatever the encoding of the path."""

import pytest
from django.test import override_settings
from django.urls import clear_url_caches

from core.media import public_media_file

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


@pytest.fixture
def media(settings, tmp_path):
    root = tmp_path / "media"
    (root / "images").mkdir(parents=True)
    (root / "original_images").mkdir()
    (root / "documents").mkdir()
    (root / "images" / "logo.png").write_bytes(PNG)
    (root / "documents" / "restricted-lesson.pdf").write_bytes(PDF)
    (tmp_path / "secret.txt").write_text("outside")
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def demo_urls():
    """The URLs as ``make run`` builds them (DEBUG adds the media route)."""
    import importlib

    import config.urls

    with override_settings(DEBUG=True):
        importlib.reload(config.urls)
        clear_url_caches()
        yield
    importlib.reload(config.urls)
    clear_url_caches()


def test_an_image_is_served(client, media, demo_urls):
    response = client.get("/media/images/logo.png")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG


@pytest.mark.parametrize(
    "path",
    [
        "/media/images/..%2Fdocuments/restricted-lesson.pdf",
        "/media/images/../documents/restricted-lesson.pdf",
        "/media/images/%2E%2E/documents/restricted-lesson.pdf",
        "/media/original_images/..%2F..%2Fsecret.txt",
        "/media/images/..%5Cdocuments%5Crestricted-lesson.pdf",
        "/media/images/%252E%252E%252Fdocuments/restricted-lesson.pdf",
        "/media/documents/restricted-lesson.pdf",
        "/media/images//logo.png",
        "/media/images/./logo.png",
        "/media/images/",
    ],
)
def test_nothing_outside_the_image_folders(client, media, demo_urls, path):
    assert client.get(path).status_code == 404


def test_the_rule_itself(media):
    assert public_media_file("images/logo.png") == (media / "images" / "logo.png").resolve()
    for path in [
        "images/../documents/restricted-lesson.pdf",
        "documents/restricted-lesson.pdf",
        "images",
        "",
        "images/x\x00.png",
    ]:
        assert public_media_file(path) is None


def test_a_link_out_of_the_folder_is_refused(media):
    (media / "images" / "escape.pdf").symlink_to(media / "documents" / "restricted-lesson.pdf")
    assert public_media_file("images/escape.pdf") is None
