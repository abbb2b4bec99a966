from django.urls import path

from scheduling.staff import views

app_name = "staff"
urlpatterns = [
    path("<int:staff_id>/availability/", views.availability, name="availability"),
    path("<int:staff_id>/feed/reset/", views.feed_reset, name="feed_reset"),
    path(
        "schools/<int:school_id>/availability/",
        views.availability_requests,
        name="availability_requests",
    ),
    path(
        "schools/<int:school_id>/availability/<int:request_id>/decide/",
        views.availability_decide,
        name="availability_decide",
    ),
]
