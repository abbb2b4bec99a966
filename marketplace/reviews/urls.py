from django.urls import path

from marketplace.reviews import views

app_name = "reviews"

urlpatterns = [
    path("rounds/<int:review_id>/", views.round_detail, name="round"),
    path("rounds/<int:review_id>/conflict/", views.conflict_declare, name="conflict_declare"),
    path("bureau/rounds/", views.officer_rounds, name="officer_rounds"),
    path("bureau/rounds/<int:review_id>/", views.officer_round, name="officer_round"),
    path("committees/", views.committee_list, name="committees"),
    path("committees/city/", views.committee_settings, name="committee_city"),
    path("committees/<int:district_id>/", views.committee_settings, name="committee_district"),
]
