from django.urls import path

from people.roles import views

app_name = "roles"
urlpatterns = [path("", views.home, name="home")]
