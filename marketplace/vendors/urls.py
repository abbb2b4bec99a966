from django.urls import path

from marketplace.vendors import views

app_name = "vendors"
urlpatterns = [path("<int:vendor_id>/", views.vendor_home, name="vendor_home")]
