from django.urls import path

from initiatives.progress import views

app_name = "dashboard"

urlpatterns = [
    path("", views.dashboard, name="show"),
    path("savings.csv", views.dashboard_csv, name="csv"),
    path("savings.xlsx", views.dashboard_xlsx, name="xlsx"),
    path("recompute/", views.recompute, name="recompute"),
    path("recompute/status/", views.recompute_status, name="recompute_status"),
]
