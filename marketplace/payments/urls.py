from django.urls import path

from marketplace.payments import views

app_name = "payments"
urlpatterns = [
    path("webhook/", views.webhook, name="webhook"),
    path("households/<int:household_id>/", views.history, name="history"),
    path("households/<int:household_id>/children/<int:child_id>/start/", views.start, name="start"),
    path("households/<int:household_id>/<int:payment_id>/", views.pay, name="pay"),
    path("households/<int:household_id>/<int:payment_id>/confirm/", views.confirm, name="confirm"),
    path("households/<int:household_id>/<int:payment_id>/done/", views.done, name="done"),
]
