from django.urls import path

from marketplace.vendors import views

app_name = "vendors"
urlpatterns = [
    path("register/", views.register, name="register"),
    path("<int:vendor_id>/", views.vendor_home, name="vendor_home"),
    path("<int:vendor_id>/edit/", views.edit, name="edit"),
    path("<int:vendor_id>/submit/", views.submit, name="submit"),
    path("<int:vendor_id>/instructors/", views.instructors, name="instructors"),
    path("<int:vendor_id>/instructors/add/", views.instructor_add, name="instructor_add"),
    path("<int:vendor_id>/instructors/<int:instructor_id>/", views.instructor_edit, name="instructor_edit"),
    path(
        "<int:vendor_id>/instructors/<int:instructor_id>/delete/",
        views.instructor_delete,
        name="instructor_delete",
    ),
    path("<int:vendor_id>/documents/", views.documents, name="documents"),
    path(
        "<int:vendor_id>/documents/<int:document_id>/delete/",
        views.document_delete,
        name="document_delete",
    ),
    path(
        "<int:vendor_id>/documents/<int:document_id>/download/",
        views.document_download,
        name="document_download",
    ),
    path("review/", views.officer_queue, name="officer_queue"),
    path("review/settings/", views.policy_settings, name="policy_settings"),
    path("review/<int:vendor_id>/", views.officer_detail, name="officer_detail"),
    path("review/<int:vendor_id>/decide/", views.officer_decide, name="officer_decide"),
    path("<int:vendor_id>/reapply/", views.reapply, name="reapply"),
    path("<int:vendor_id>/contact/", views.contact_change, name="contact_change"),
    path(
        "review/<int:vendor_id>/amendments/<int:amendment_id>/",
        views.amendment_decide,
        name="amendment_decide",
    ),
    path("approved/", views.approved_list, name="approved_list"),
]
