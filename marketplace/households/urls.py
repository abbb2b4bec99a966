from django.urls import path

from marketplace.households import views

app_name = "households"
urlpatterns = [
    path("new/", views.household_create, name="household_create"),
    path("schools/<int:school_id>/pupils/", views.school_pupils, name="school_pupils"),
    path("schools/<int:school_id>/pupils/import/", views.pupils_import_view, name="pupils_import"),
    path("schools/<int:school_id>/pupils/template.csv", views.pupils_template, name="pupils_template"),
    path("schools/<int:school_id>/classes/<int:class_id>/", views.class_pupils, name="class_pupils"),
    path(
        "schools/<int:school_id>/classes/<int:class_id>/codes/",
        views.link_codes_issue,
        name="link_codes_issue",
    ),
    path("schools/<int:school_id>/classes/<int:class_id>/slips/", views.link_slips, name="link_slips"),
]
