"""/assurance/: audit samples of verified claims and their outcomes."""

from django.urls import path

from initiatives.assurance import views

app_name = "assurance"

urlpatterns = [
    path("", views.sample_list, name="list"),
    path("new/", views.sample_new, name="new"),
    path("<int:pk>/", views.sample_detail, name="detail"),
    path("<int:pk>/check/", views.sample_check, name="check"),
    path("<int:pk>/download.csv", views.sample_download, name="download"),
    path("<int:pk>/claims/<int:row>/", views.outcome_record, name="outcome"),
]
