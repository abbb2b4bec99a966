from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from django.views.static import serve
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="roles:home", permanent=False)),
    path("home/", include("people.roles.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("schools.urls")),
    path("schools/<int:school_id>/timetable/", include("scheduling.timetables.urls")),
    path("teachers/", include("scheduling.staff.urls")),
    path("rest/", include("scheduling.rest.urls")),
    path("duty-reports/", include("scheduling.rest.report_urls")),
    path("vendors/", include("marketplace.vendors.urls")),
    path("courses/", include("marketplace.courses.urls")),
    path("review/", include("marketplace.reviews.urls")),
    path("purchases/", include("marketplace.purchases.urls")),
    path("catalogue/", include("marketplace.catalogue.urls")),
    path("households/", include("marketplace.households.urls")),
    path("enrolment/", include("marketplace.enrolment.urls")),
    path("attendance/", include("scheduling.attendance.urls")),
    path("fees/", include("marketplace.fees.urls")),
    path("money/", include("marketplace.ledger.urls")),
    path("payments/", include("marketplace.payments.urls")),
    path("risk/", include("marketplace.risk.urls")),
    path("django-admin/", admin.site.urls),
    path("cms-admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("pages/", include(wagtail_urls)),
]

if settings.DEBUG:
    # Only images are public media. Wagtail documents (lesson materials) go through Wagtail's
    # serve view, which checks their collection's restrictions; vendors' and courses'
    # documents live in private storage outside MEDIA_ROOT and are served by access-checked
    # views. A production web server must likewise expose only these two folders.
    urlpatterns += [
        re_path(
            r"^media/(?P<path>(?:images|original_images)/.+)$",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    ]
