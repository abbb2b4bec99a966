"""Names of downloaded files, and the ``Content-Disposition`` header that carries them.

Every download (documents, exports, calendars, timetable files) names its file through
``download_name`` and sets the header through ``set_download_name``. A name often comes from
what a user typed (a document's title, a class's code); it keeps that text, Chinese included,
but can never name a path (``/`` and ``\\`` are replaced, not cut at, and no name starts with a
dot), split the header (no control characters), or carry a character Windows refuses in a
file name. Django's ``content_disposition_header`` writes it, as ``filename*=utf-8''…``
(RFC 5987) when it is not plain ASCII.
"""

from __future__ import annotations

import re
import unicodedata

from django.http import HttpResponseBase
from django.utils.http import content_disposition_header

DOWNLOAD_NAME_MAX = 150  # characters, extension included; well under file systems' 255 bytes
DEFAULT_DOWNLOAD_NAME = "download"
REPLACEMENT = "_"

# Path separators and the characters Windows forbids in a file name.
_FORBIDDEN = re.compile(r'[/\\<>:"|?*]')
# Unicode categories that must not reach a name: control (NUL, CR, LF…), format (the
# right-to-left override that can disguise "fdp.exe" as "exe.pdf"), line and paragraph
# separators.
_UNSAFE_CATEGORIES = {"Cc", "Cf", "Zl", "Zp"}
# Names Windows keeps for devices, whatever the extension.
_WINDOWS_DEVICES = {"CON", "PRN", "AUX", "NUL"} | {f"{p}{n}" for p in ("COM", "LPT") for n in range(1, 10)}


def _clean(text: str) -> str:
    text = _FORBIDDEN.sub(REPLACEMENT, text)
    text = "".join(REPLACEMENT if unicodedata.category(c) in _UNSAFE_CATEGORIES else c for c in text)
    # Dots and spaces at the ends: Windows drops them, and a leading dot hides a file (or,
    # as "..", names the folder above).
    return text.strip(". ")


def download_name(
    name: str | None,
    extension: str = "",
    *,
    default: str = DEFAULT_DOWNLOAD_NAME,
    max_length: int = DOWNLOAD_NAME_MAX,
) -> str:
    """A safe file name for a download of ``name`` (a title, a code…) with ``extension``.

    The text is kept; path separators, control and format characters and ``<>:"|?*`` become
    ``_``; dots and spaces at the ends are trimmed; a Windows device name gets a ``_`` in
    front; the whole is at most ``max_length`` characters, the extension kept. An empty result
    falls back to ``default``. ``extension`` may be given with or without its dot and is not
    added again when the name already ends with it.
    """
    extension = re.sub(r"[^0-9A-Za-z]", "", extension or "")
    suffix = f".{extension}" if extension else ""
    stem = _clean(str(name or ""))
    if suffix and stem.lower().endswith(suffix.lower()):
        stem = _clean(stem[: -len(suffix)])
    stem = _clean(stem[: max(max_length - len(suffix), 1)])
    if not stem.strip(REPLACEMENT + ". "):  # nothing left of the name but what was replaced
        stem = _clean(default) or DEFAULT_DOWNLOAD_NAME
    if stem.split(".", 1)[0].strip().upper() in _WINDOWS_DEVICES:
        stem = REPLACEMENT + stem
    return stem + suffix


def set_download_name(
    response: HttpResponseBase,
    name: str | None,
    extension: str = "",
    *,
    as_attachment: bool = True,
    default: str = DEFAULT_DOWNLOAD_NAME,
) -> HttpResponseBase:
    """Set ``response``'s ``Content-Disposition`` to ``download_name(name, extension)``
    (``attachment``, or ``inline`` to let the browser show it); return the response."""
    filename = download_name(name, extension, default=default)
    response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
    return response
