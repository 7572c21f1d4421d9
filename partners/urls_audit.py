from django.urls import path

from partners.views import audit as views

app_name = "audit"

urlpatterns = [
    path("", views.event_list, name="list"),
    path("events.csv", views.event_download, {"fmt": "csv"}, name="csv"),
    path("events.xlsx", views.event_download, {"fmt": "xlsx"}, name="xlsx"),
]
