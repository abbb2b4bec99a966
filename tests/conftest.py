import pytest


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    """Each test gets its own media folders (public and private) and an empty cache
    (allauth's rate-limit counters)."""
    from django.core.cache import cache

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private-media"
    cache.clear()
    yield
    cache.clear()
