from django.urls import path

from marketplace.enrolment import views

app_name = "enrolment"
# Withdrawing an enrolment (households/<id>/enrolments/<id>/withdraw/ under this prefix) is
# the ledger's page: it shows the money the withdrawal refunds.
urlpatterns = [
    path("schools/<int:school_id>/window/", views.window, name="window"),
    path("schools/<int:school_id>/enrolments/<int:enrolment_id>/move/", views.move, name="move"),
    path("households/<int:household_id>/", views.household, name="household"),
    path("households/<int:household_id>/children/<int:child_id>/", views.plan, name="plan"),
    path("households/<int:household_id>/children/<int:child_id>/join/", views.join, name="join"),
]
