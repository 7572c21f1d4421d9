from django.urls import path

from partners.views import audit as views

app_name = "audit"

urlpatterns = [
    path("", views.event_list, name="list"),
    path("events.csv", views.event_csv, name="csv"),
]
