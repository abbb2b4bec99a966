"""Keep the CMS in step when the vendor and course services change a record."""

from django.db.models.signals import pre_delete
from django.dispatch import receiver

from cms import sync
from marketplace.courses.models import Course
from marketplace.courses.signals import course_changed
from marketplace.vendors.models import Vendor
from marketplace.vendors.signals import vendor_changed


@receiver(vendor_changed, dispatch_uid="cms.vendor_changed")
def vendor_changed_sync(sender, vendor, **kwargs):
    sync.vendor_page_sync(vendor)


@receiver(course_changed, dispatch_uid="cms.course_changed")
def course_changed_sync(sender, course, **kwargs):
    sync.course_page_sync(course)


# A page without its record means nothing: it goes with the record (before the record's
# deletion would leave it pointing at nothing).
@receiver(pre_delete, sender=Vendor, dispatch_uid="cms.vendor_deleted")
def vendor_deleted(sender, instance, **kwargs):
    sync.vendor_page_delete(instance)


@receiver(pre_delete, sender=Course, dispatch_uid="cms.course_deleted")
def course_deleted(sender, instance, **kwargs):
    sync.course_page_delete(instance)
