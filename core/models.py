"""Abstract bases shared by the domain apps."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from core.i18n import prefers_english
from core.uploads import DOCUMENT_CONTENT_TYPES, private_storage


class BilingualName(models.Model):
    """Reference data named in both interface languages.

    ``name`` is the Simplified Chinese name (the default language); ``name_en`` the English
    one. ``display_name`` follows the active language and falls back to Chinese.
    """

    name = models.CharField(_("name (Chinese)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if prefers_english() and self.name_en:
            return self.name_en
        return self.name


class AppendOnlyError(DomainError):
    """Raised on an attempt to change or delete a row of an append-only log (code
    ``append_only``). A programming error, not a refusal to show: the message is not translated."""

    default_code = "append_only"

    def __str__(self) -> str:
        return str(self.message)


def _refuse(model) -> AppendOnlyError:
    return AppendOnlyError(f"{model.__name__} rows are append-only", code="append_only")


class AppendOnlyQuerySet(models.QuerySet):
    """Refuses bulk rewrites: a log's rows are added, never changed or removed."""

    def update(self, **kwargs):
        raise _refuse(self.model)

    def bulk_update(self, objs, fields, batch_size=None):
        raise _refuse(self.model)

    def delete(self):
        raise _refuse(self.model)


class AppendOnly(models.Model):
    """A row of a log: written once; ``save`` refuses an update, ``delete`` refuses always
    (by instance, or by queryset through ``objects`` and the related managers: ``update``,
    ``bulk_update`` and ``delete`` raise ``AppendOnlyError``). A correction is a new row.

    What still removes rows, on purpose:

    * deleting a parent row its foreign key cascades from (a vendor, a review round): Django
      deletes the dependent rows through the base manager, not through ``objects``;
    * a plain ``django.db.models.QuerySet(model=Model)``, the escape hatch of the one place
      that must empty a log, the demo reset (``fixtures.demo.reset_demo_city``). Tests that
      need a row dated in the past use it too.
    """

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise _refuse(type(self))
        kwargs["force_insert"] = True
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise _refuse(type(self))


class TimeStamped(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


def document_upload_to(instance, filename: str) -> str:
    """``<the model's UPLOAD_FOLDER>/<year>/<month>/<file name>`` in private storage."""
    return f"{instance.UPLOAD_FOLDER}/{timezone.now():%Y/%m}/{filename}"


class PrivateDocument(models.Model):
    """A PDF or image a user filed (a licence, a certificate, a syllabus…).

    The file lives in private storage (``core.uploads.private_storage``: outside
    MEDIA_ROOT, no URL) and is read only through an access-checked download view. Services
    check an upload with ``core.uploads.validate_document`` and store the content type it
    found and the size. Subclasses set ``UPLOAD_FOLDER``.
    """

    UPLOAD_FOLDER = "documents"

    title = models.CharField(_("title"), max_length=120)
    file = models.FileField(_("file"), upload_to=document_upload_to, storage=private_storage)
    content_type = models.CharField(_("content type"), max_length=40)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=models.Q(content_type__in=list(DOCUMENT_CONTENT_TYPES)),
                name="%(app_label)s_%(class)s_type_valid",
            ),
            models.CheckConstraint(condition=models.Q(size__gt=0), name="%(app_label)s_%(class)s_not_empty"),
        ]

    def __str__(self) -> str:
        return self.title
