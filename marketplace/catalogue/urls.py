from django.urls import path

from marketplace.catalogue import views

app_name = "catalogue"

urlpatterns = [
    path("courses/", views.course_list, name="courses"),
]
