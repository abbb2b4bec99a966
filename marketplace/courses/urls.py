from django.urls import path

from marketplace.courses import views

app_name = "courses"
urlpatterns = [path("", views.review_home, name="review_home")]
