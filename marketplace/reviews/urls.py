from django.urls import path

from marketplace.reviews import views

app_name = "reviews"

# Mounted at the site's root: the reviewer's home and the course documents kept the addresses
# they had under courses/ when they were pages of the courses app.
urlpatterns = [
    path("courses/", views.review_home, name="home"),
    path("courses/documents/<int:document_id>/", views.course_document_file, name="course_document"),
    path("review/rounds/<int:review_id>/", views.round_detail, name="round"),
    path("review/rounds/<int:review_id>/conflict/", views.conflict_declare, name="conflict_declare"),
    path("review/bureau/rounds/", views.officer_rounds, name="officer_rounds"),
    path("review/bureau/rounds/<int:review_id>/", views.officer_round, name="officer_round"),
    path("review/committees/", views.committee_list, name="committees"),
    path("review/committees/city/", views.committee_settings, name="committee_city"),
    path("review/committees/<int:district_id>/", views.committee_settings, name="committee_district"),
]
