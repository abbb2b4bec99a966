from django.urls import path

from scheduling.staff import views

app_name = "staff"
urlpatterns = [
    path("<int:staff_id>/", views.teacher_home, name="teacher_home"),
    path("<int:staff_id>/calendar.ics", views.teacher_calendar, name="teacher_calendar"),
]
