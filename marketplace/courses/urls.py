from django.urls import path

from marketplace.courses import views

app_name = "courses"
# The reviewer's home (this prefix's root) and the course documents (documents/<id>/) are
# pages of the course review: marketplace.reviews.urls.
urlpatterns = [
    path("vendor/<int:vendor_id>/new/", views.course_new, name="vendor_course_new"),
    path("vendor/<int:vendor_id>/<int:course_id>/", views.course_detail, name="vendor_course"),
    path("vendor/<int:vendor_id>/<int:course_id>/edit/", views.course_edit, name="vendor_course_edit"),
    path("vendor/<int:vendor_id>/<int:course_id>/submit/", views.course_submit, name="vendor_course_submit"),
    path(
        "vendor/<int:vendor_id>/<int:course_id>/documents/",
        views.course_document_add,
        name="vendor_course_document_add",
    ),
    path(
        "vendor/<int:vendor_id>/<int:course_id>/documents/<int:document_id>/remove/",
        views.course_document_remove,
        name="vendor_course_document_remove",
    ),
]
