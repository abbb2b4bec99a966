from django.urls import path

from marketplace.catalogue import views

app_name = "catalogue"

urlpatterns = [
    path("courses/", views.course_list, name="courses"),
    path("courses/<int:course_id>/", views.course_detail, name="course_detail"),
]
