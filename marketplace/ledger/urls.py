from django.urls import include, path

from marketplace.ledger import views

app_name = "ledger"

# Mounted at the site's root: the money pages under money/, and withdrawing an enrolment at
# the address it had under enrolment/ when it was a page of the enrolment app.
money_pages = [
    path("vendors/<int:vendor_id>/", views.vendor_payouts, name="vendor_payouts"),
    path("vendors/<int:vendor_id>/payouts/<int:payout_id>/", views.vendor_payout, name="vendor_payout"),
    path("schools/<int:school_id>/", views.school_payouts, name="school_payouts"),
    path("schools/<int:school_id>/payouts/<int:payout_id>/", views.school_payout, name="school_payout"),
    path("household/", views.household, name="household"),
    path("bureau/", views.overview, name="overview"),
]
urlpatterns = [
    path("money/", include(money_pages)),
    path(
        "enrolment/households/<int:household_id>/enrolments/<int:enrolment_id>/withdraw/",
        views.withdraw,
        name="withdraw",
    ),
]
