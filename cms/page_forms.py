"""The admin form of the pages that stand for a record (``cms.models.RecordPage``).

The record field offers only records the page may stand for: publishable ones
(``RecordPage.publishable_records``) that have no page yet, plus the page's own record so an
existing page's draft can still be saved. Publishing is checked again by the page's
``clean()`` and the ``before_publish_page`` hook, whatever the form offered.
"""

from django.db.models import Q
from wagtail.admin.forms import WagtailAdminPageForm


class RecordPageForm(WagtailAdminPageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        model = self._meta.model
        name = getattr(model, "RECORD_FIELD", "")
        field = self.fields.get(name)
        if field is None:
            return
        page_link = model._meta.get_field(name).remote_field.related_name
        current = getattr(self.instance, f"{name}_id", None)
        free = Q(**{f"{page_link}__isnull": True})
        if current is not None:
            free |= Q(pk=current)
        field.queryset = model.publishable_records().filter(free)
