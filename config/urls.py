from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from core.media import serve_public_media
from people.accounts.signin import login_elsewhere

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="roles:home", permanent=False)),
    path("home/", include("people.roles.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # The pages that gather several apps keep their addresses under those apps' prefixes.
    path("", include("portal.urls")),
    path("schools/", include("schools.urls")),
    path("schools/<int:school_id>/rooms/", include("scheduling.rooms.urls")),
    path("schools/<int:school_id>/slots/", include("scheduling.slots.urls")),
    path("schools/<int:school_id>/staff/", include("scheduling.staff.records_urls")),
    path("schools/<int:school_id>/activities/", include("marketplace.courses.school_urls")),
    path("schools/<int:school_id>/imports/", include("scheduling.imports.urls")),
    path("schools/<int:school_id>/next-term/", include("scheduling.rollover.urls")),
    path("schools/<int:school_id>/reports/", include("scheduling.school_reports.urls")),
    path("schools/<int:school_id>/timetable/", include("scheduling.timetables.urls")),
    path("teachers/", include("scheduling.staff.urls")),
    path("rest/", include("scheduling.rest.urls")),
    path("duty-reports/", include("scheduling.duty_reports.urls")),
    path("vendors/", include("marketplace.vendors.urls")),
    path("courses/", include("marketplace.courses.urls")),
    path("", include("marketplace.reviews.urls")),  # under review/, and two pages under courses/
    path("purchases/", include("marketplace.course_requests.urls")),
    path("catalogue/", include("marketplace.catalogue.urls")),
    path("households/", include("marketplace.households.urls")),
    path("enrolment/", include("marketplace.enrolment.urls")),
    path("attendance/", include("scheduling.attendance.urls")),
    path("fees/", include("marketplace.fees.urls")),
    path("", include("marketplace.ledger.urls")),  # under money/, and withdrawing under enrolment/
    path("", include("marketplace.payments.urls")),  # under payments/, and a family's fee pages under fees/
    path("risk/", include("marketplace.risk.urls")),
    # One door in: Django's and Wagtail's own sign-in views go to allauth's.
    path("django-admin/login/", login_elsewhere),
    path("cms-admin/login/", login_elsewhere),
    path("pages/_util/login/", login_elsewhere),
    path(
        "cms-admin/password_reset/",
        RedirectView.as_view(pattern_name="account_reset_password", permanent=False),
    ),
    path("django-admin/", admin.site.urls),
    path("cms-admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("pages/", include(wagtail_urls)),
]

if settings.DEBUG:
    # Only images are public media (see core.media); a production web server must likewise
    # expose only those folders.
    urlpatterns += [re_path(r"^media/(?P<path>.+)$", serve_public_media)]
