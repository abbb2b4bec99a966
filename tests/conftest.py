import io
import shutil
import time
from types import SimpleNamespace

import pytest


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "demo_city" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.demo)


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path, request):
    """Each test gets its own media folders (public and private) and an empty cache
    (allauth's rate-limit counters). A test of the demo city gets a copy of the files the
    demo wrote."""
    from django.core.cache import cache

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private-media"
    if "demo_city" in request.fixturenames:
        demo = request.getfixturevalue("demo_snapshots")
        for source, target in (
            (demo.media, settings.MEDIA_ROOT),
            (demo.private_media, settings.PRIVATE_MEDIA_ROOT),
        ):
            if source.exists():
                shutil.copytree(source, target, dirs_exist_ok=True)
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def demo_snapshots(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo city, built once per test session: a snapshot of the database before it
    (``empty``) and with it (``demo``), the loader's output and time, and its media files.
    The database is left as it was found."""
    from django.core.management import call_command
    from django.test import override_settings

    from tests.snapshots import Snapshot

    media = tmp_path_factory.mktemp("demo-media")
    output = io.StringIO()
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media / "public", PRIVATE_MEDIA_ROOT=media / "private"),
    ):
        empty = Snapshot("empty").take()
        started = time.perf_counter()
        call_command("load_demo_city", stdout=output)
        seconds = time.perf_counter() - started
        demo = Snapshot("demo").take()
        empty.restore()
    yield SimpleNamespace(
        empty=empty,
        demo=demo,
        output=output.getvalue(),
        seconds=seconds,
        media=media / "public",
        private_media=media / "private",
    )
    with django_db_blocker.unblock():
        empty.drop()
        demo.drop()


@pytest.fixture(scope="module")
def demo_city_for_module(demo_snapshots, django_db_blocker):
    """The demo city for every test of a module (each test's changes are rolled back as
    usual); the database before it comes back after the module."""
    with django_db_blocker.unblock():
        demo_snapshots.demo.restore()
    yield demo_snapshots
    with django_db_blocker.unblock():
        demo_snapshots.empty.restore()
