from django.urls import path

from initiatives.insights import views

app_name = "insights"

urlpatterns = [
    path("", views.index, name="index"),
    path("insights.csv", views.download, {"fmt": "csv"}, name="csv"),
    path("insights.xlsx", views.download, {"fmt": "xlsx"}, name="xlsx"),
]
