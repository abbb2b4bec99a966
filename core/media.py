"""Public media: only Wagtail's images (originals and renditions) may be served by URL.

Everything else under ``MEDIA_ROOT`` (Wagtail documents, lesson materials) goes through
access-checked views. ``public_media_file`` is the one rule; the demo's ``/media/`` route
uses it, and a production web server must apply the same: serve a path only when it names
a file inside ``images/`` or ``original_images/`` with no ``.`` or ``..`` segment and no
encoded separator (see the README).
"""

from pathlib import Path

from django.conf import settings
from django.http import Http404
from django.views.static import serve

PUBLIC_MEDIA_FOLDERS = ("images", "original_images")


def public_media_file(path: str) -> Path | None:
    """The file ``path`` (relative to ``MEDIA_ROOT``, as decoded from the URL) names, when it
    is public media; ``None`` otherwise."""
    if not path or "\\" in path or "\x00" in path or "%" in path:
        return None
    parts = path.split("/")
    if parts[0] not in PUBLIC_MEDIA_FOLDERS or len(parts) < 2:
        return None
    if any(part in ("", ".", "..") for part in parts):
        return None
    folder = (Path(settings.MEDIA_ROOT) / parts[0]).resolve()
    target = (Path(settings.MEDIA_ROOT) / path).resolve()
    if not target.is_relative_to(folder) or not target.is_file():
        return None
    return target


def serve_public_media(request, path: str):
    """The demo's ``/media/`` route (``DEBUG`` only): public images, nothing else."""
    if public_media_file(path) is None:
        raise Http404("Not public media")
    return serve(request, path, document_root=settings.MEDIA_ROOT)
