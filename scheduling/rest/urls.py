from django.urls import path

from scheduling.rest import views

app_name = "rest"
urlpatterns = [
    path("teachers/<int:staff_id>/", views.mine, name="mine"),
    path("claims/<int:claim_id>/cancel/", views.cancel, name="cancel"),
    path("claims/<int:claim_id>/decide/", views.decide, name="decide"),
    path("schools/<int:school_id>/", views.school, name="school"),
]
