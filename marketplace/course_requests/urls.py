from django.urls import path

from marketplace.course_requests import views

app_name = "purchases"

urlpatterns = [
    path(
        "schools/<int:school_id>/courses/<int:course_id>/request/",
        views.request_create,
        name="request_create",
    ),
    path("schools/<int:school_id>/requests/", views.school_requests, name="school_requests"),
    path(
        "schools/<int:school_id>/requests/<int:request_id>/withdraw/",
        views.request_withdraw,
        name="request_withdraw",
    ),
    path("vendors/<int:vendor_id>/requests/", views.vendor_requests, name="vendor_requests"),
    path("vendors/<int:vendor_id>/requests/<int:request_id>/", views.vendor_request, name="vendor_request"),
    path(
        "vendors/<int:vendor_id>/requests/<int:request_id>/accept/",
        views.request_accept,
        name="request_accept",
    ),
    path(
        "vendors/<int:vendor_id>/requests/<int:request_id>/decline/",
        views.request_decline,
        name="request_decline",
    ),
]
