from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
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
    path("vendors/", include("marketplace.vendors.urls")),
    path("courses/", include("marketplace.courses.urls")),
    path("review/", include("marketplace.reviews.urls")),
    path("purchases/", include("marketplace.purchases.urls")),
    path("catalogue/", include("marketplace.catalogue.urls")),
    path("households/", include("marketplace.households.urls")),
    path("django-admin/", admin.site.urls),
    path("cms-admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("pages/", include(wagtail_urls)),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
