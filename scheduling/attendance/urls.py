from django.urls import path

from scheduling.attendance import views

app_name = "attendance"
urlpatterns = [
    path("", views.today_list, name="today"),
    path("sessions/<int:session_id>/", views.take, name="take"),
    path("sessions/<int:session_id>/delegate/", views.delegate, name="delegate"),
]
