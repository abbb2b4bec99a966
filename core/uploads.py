"""Checks for uploaded documents (vendor licences, certificates, course materials).

A document must be a PDF or an image (PNG, JPEG, WebP). The check reads the file's first
bytes, not its name or the browser's content type, both of which the uploader controls; the
name's extension must agree with what the bytes say. The size cap is a setting
(``DOCUMENT_MAX_BYTES``, 10 MB by default) so a deployment can change it.

Documents that only some people may read (a vendor's licences, a course's papers) are kept
in ``private_storage()``: a folder outside MEDIA_ROOT (``PRIVATE_MEDIA_ROOT``) that no URL
serves. Such a file reaches a reader only through a view that checks who asks and streams
it (``FileResponse(document.file.open("rb"))``); its ``.url`` raises.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.template.defaultfilters import filesizeformat
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

# signature → (content type, extensions the name may carry)
_SIGNATURES = (
    (b"%PDF-", "application/pdf", {"pdf"}),
    (b"\x89PNG\r\n\x1a\n", "image/png", {"png"}),
    (b"\xff\xd8\xff", "image/jpeg", {"jpg", "jpeg"}),
)
ALLOWED_EXTENSIONS = ("pdf", "png", "jpg", "jpeg", "webp")
# What a stored document may be (the database holds the documents to these too).
DOCUMENT_CONTENT_TYPES = ("application/pdf", "image/png", "image/jpeg", "image/webp")


def document_max_bytes() -> int:
    return int(getattr(settings, "DOCUMENT_MAX_BYTES", 10 * 1024 * 1024))


def sniff_content_type(head: bytes) -> tuple[str, set[str]] | None:
    for signature, content_type, extensions in _SIGNATURES:
        if head.startswith(signature):
            return content_type, extensions
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", {"webp"}
    return None


def validate_document(upload) -> str:
    """Check an uploaded file; return its content type or raise ``ValidationError``."""
    name = getattr(upload, "name", "") or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ALLOWED_EXTENSIONS:
        raise ValidationError(
            _("“%(name)s” is not an accepted file type. Upload a PDF, PNG, JPEG or WebP file."),
            code="document_type",
            params={"name": name},
        )
    size = upload.size
    limit = document_max_bytes()
    if size == 0:
        raise ValidationError(_("“%(name)s” is empty."), code="document_empty", params={"name": name})
    if size > limit:
        raise ValidationError(
            _("“%(name)s” is %(size)s; the largest accepted file is %(limit)s."),
            code="document_size",
            params={"name": name, "size": filesizeformat(size), "limit": filesizeformat(limit)},
        )
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(16)
    upload.seek(position)
    found = sniff_content_type(head)
    if found is None or extension not in found[1]:
        raise ValidationError(
            _("“%(name)s” is not a valid PDF or image file (its contents do not match its name)."),
            code="document_content",
            params={"name": name},
        )
    return found[0]


@deconstructible(path="core.uploads.PrivateFileSystemStorage")
class PrivateFileSystemStorage(FileSystemStorage):
    """Files under ``settings.PRIVATE_MEDIA_ROOT``, which has no public URL.

    The folder is read from the setting when first needed (and again after a test changes
    the setting), not when the models are imported.
    """

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    def url(self, name):
        # A link would bypass the access check: say so instead of making one up. (Django's
        # and Wagtail's code read NotImplementedError as "this storage has no URLs".)
        raise NotImplementedError(
            f"{name!r} is a private file and has no URL; serve it through a view that checks access."
        )


_private_storage = PrivateFileSystemStorage()


def private_storage() -> PrivateFileSystemStorage:
    """The storage for access-checked documents.

    FileFields name this function (``storage=private_storage``), not the storage object, so
    their migrations refer to it by path and do not change with the folder's setting.
    """
    return _private_storage
