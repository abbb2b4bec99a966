from django.urls import path

from scheduling.duty_reports import views as report_views

app_name = "duty_reports"
urlpatterns = [
    path("schools/<int:school_id>/", report_views.teachers, name="teachers"),
    path("bureau/", report_views.spread, name="spread"),
]
