from django.urls import path

from marketplace.fees import views

app_name = "fees"
# A family's fee pages (the quote, asking for a waiver, leaving supervised study) are served
# by the payments app under this same fees/ prefix (they show what is due and refund).
urlpatterns = [
    path("schools/<int:school_id>/waivers/", views.school_waivers, name="school_waivers"),
    path("schools/<int:school_id>/waivers/policy/", views.fee_policy_view, name="fee_policy"),
    path(
        "schools/<int:school_id>/waivers/<int:waiver_id>/decide/",
        views.waiver_decide_view,
        name="waiver_decide",
    ),
]
