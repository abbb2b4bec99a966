from django.urls import path

from marketplace.risk import views

app_name = "risk"
urlpatterns = [
    path("", views.risk_list, name="list"),
    path("policy/", views.policy, name="policy"),
    path("vendors/<int:vendor_id>/", views.risk_detail, name="detail"),
    path("vendors/<int:vendor_id>/regrade/", views.regrade, name="regrade"),
    path("vendors/<int:vendor_id>/complaints/", views.complaint_add, name="complaint_add"),
    path(
        "vendors/<int:vendor_id>/complaints/<int:complaint_id>/resolve/",
        views.complaint_resolve,
        name="complaint_resolve",
    ),
]
