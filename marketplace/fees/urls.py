from django.urls import path

from marketplace.fees import views

app_name = "fees"
urlpatterns = [
    path("households/<int:household_id>/children/<int:child_id>/", views.quote, name="quote"),
    path(
        "households/<int:household_id>/children/<int:child_id>/waiver/",
        views.waiver_request_view,
        name="waiver_request",
    ),
    path(
        "households/<int:household_id>/children/<int:child_id>/leave-study/",
        views.study_leave_view,
        name="study_leave",
    ),
    path("schools/<int:school_id>/waivers/", views.school_waivers, name="school_waivers"),
    path("schools/<int:school_id>/waivers/policy/", views.fee_policy_view, name="fee_policy"),
    path(
        "schools/<int:school_id>/waivers/<int:waiver_id>/decide/",
        views.waiver_decide_view,
        name="waiver_decide",
    ),
]
