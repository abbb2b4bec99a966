"""The portal's pages keep the addresses they had under the apps they gather (``/bureau/``,
``/schools/<id>/``, ``/households/<id>/``, ``/teachers/<id>/``, ``/vendors/review/<id>/revoke/``),
so this urlconf is included at the site root."""

from django.urls import path

from portal import views

app_name = "portal"
urlpatterns = [
    path("bureau/", views.bureau_city, name="bureau_city"),
    path("bureau/districts/<int:district_id>/", views.bureau_district, name="bureau_district"),
    path("schools/<int:school_id>/", views.school_home, name="school_home"),
    path(
        "schools/<int:school_id>/classes/<int:class_id>/calendar.ics",
        views.class_calendar,
        name="class_calendar",
    ),
    path("households/<int:household_id>/", views.household_home, name="household_home"),
    path("households/<int:household_id>/calendar.ics", views.household_calendar, name="household_calendar"),
    path("households/<int:household_id>/children/link/", views.child_link, name="child_link"),
    path("teachers/<int:staff_id>/", views.teacher_home, name="teacher_home"),
    path("teachers/<int:staff_id>/calendar.ics", views.teacher_calendar, name="teacher_calendar"),
    path("teachers/feed/<str:token>.ics", views.feed, name="feed"),
    path("vendors/review/<int:vendor_id>/revoke/", views.officer_revoke, name="officer_revoke"),
]
