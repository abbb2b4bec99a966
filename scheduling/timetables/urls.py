from django.urls import path

from scheduling.timetables import views

app_name = "timetables"
urlpatterns = [
    path("", views.home, name="home"),
    path("solve/", views.solve, name="solve"),
    path("import/", views.import_problem, name="import"),
    path("runs/<int:run_id>/", views.run_detail, name="run"),
    path("runs/<int:run_id>/progress.json", views.progress, name="progress"),
    path("runs/<int:run_id>/cancel/", views.cancel, name="cancel"),
    path("runs/<int:run_id>/pin/", views.pin, name="pin"),
    path("runs/<int:run_id>/unpin/", views.unpin, name="unpin"),
    path("runs/<int:run_id>/resolve/", views.resolve, name="resolve"),
    path("runs/<int:run_id>/publish/", views.publish, name="publish"),
    path("runs/<int:run_id>/problem.json", views.problem_download, name="problem"),
    path("runs/<int:run_id>/solution.json", views.solution_download, name="solution"),
]
