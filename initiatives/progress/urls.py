from django.urls import path

from initiatives.progress import views

app_name = "dashboard"

urlpatterns = [
    path("", views.dashboard, name="show"),
    path("savings.csv", views.dashboard_csv, name="csv"),
    path("savings.xlsx", views.dashboard_xlsx, name="xlsx"),
    path("at-risk/", views.at_risk, name="at_risk"),
    path("at-risk.csv", views.at_risk_download, {"fmt": "csv"}, name="at_risk_csv"),
    path("at-risk.xlsx", views.at_risk_download, {"fmt": "xlsx"}, name="at_risk_xlsx"),
    path("gaps/", views.gaps, name="gaps"),
    path("gaps.csv", views.gaps_download, {"fmt": "csv"}, name="gaps_csv"),
    path("gaps.xlsx", views.gaps_download, {"fmt": "xlsx"}, name="gaps_xlsx"),
    path("recompute/", views.recompute, name="recompute"),
    path("recompute/status/", views.recompute_status, name="recompute_status"),
]
