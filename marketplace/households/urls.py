from django.urls import path

from marketplace.households import views

app_name = "households"
urlpatterns = [path("<int:household_id>/", views.household_home, name="household_home")]
