from django.urls import path

from marketplace.ledger import views

app_name = "ledger"
urlpatterns = [
    path("vendors/<int:vendor_id>/", views.vendor_payouts, name="vendor_payouts"),
    path("vendors/<int:vendor_id>/payouts/<int:payout_id>/", views.vendor_payout, name="vendor_payout"),
    path("schools/<int:school_id>/", views.school_payouts, name="school_payouts"),
    path("schools/<int:school_id>/payouts/<int:payout_id>/", views.school_payout, name="school_payout"),
    path("household/", views.household, name="household"),
    path("bureau/", views.overview, name="overview"),
]
