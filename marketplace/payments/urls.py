from django.urls import include, path

from marketplace.payments import views

app_name = "payments"

# Mounted at the site's root: a family's fee pages kept the addresses they had under fees/
# when they were pages of the fees app.
fee_pages = [
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
]
payment_pages = [
    path("webhook/", views.webhook, name="webhook"),
    path("households/<int:household_id>/", views.history, name="history"),
    path("households/<int:household_id>/children/<int:child_id>/start/", views.start, name="start"),
    path("households/<int:household_id>/<int:payment_id>/", views.pay, name="pay"),
    path("households/<int:household_id>/<int:payment_id>/confirm/", views.confirm, name="confirm"),
    path("households/<int:household_id>/<int:payment_id>/done/", views.done, name="done"),
]
urlpatterns = [
    path("fees/", include(fee_pages)),
    path("payments/", include(payment_pages)),
]
