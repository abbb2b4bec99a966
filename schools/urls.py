from django.urls import path

from schools import views

app_name = "schools"
urlpatterns = [
    path("bureau/", views.bureau_city, name="bureau_city"),
    path(
        "bureau/districts/<int:district_id>/",
        views.bureau_district,
        name="bureau_district",
    ),
    path("schools/<int:school_id>/", views.school_home, name="school_home"),
    path(
        "schools/<int:school_id>/classes/<int:class_id>/calendar.ics",
        views.class_calendar,
        name="class_calendar",
    ),
]
