from django.urls import path

from marketplace.reviews import views

app_name = "reviews"

urlpatterns = [
    path("rounds/<int:review_id>/", views.round_detail, name="round"),
    path("rounds/<int:review_id>/conflict/", views.conflict_declare, name="conflict_declare"),
    path("committees/", views.committee_list, name="committees"),
    path("committees/city/", views.committee_settings, name="committee_city"),
    path("committees/<int:district_id>/", views.committee_settings, name="committee_district"),
]
