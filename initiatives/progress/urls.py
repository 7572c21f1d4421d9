from django.urls import path

from initiatives.progress import views

app_name = "dashboard"

urlpatterns = [
    path("", views.dashboard, name="show"),
    path("savings.csv", views.dashboard_csv, name="csv"),
    path("savings.xlsx", views.dashboard_xlsx, name="xlsx"),
    path("at-risk/", views.at_risk, name="at_risk"),
    path("at-risk.csv", views.at_risk_csv, name="at_risk_csv"),
    path("gaps/", views.gaps, name="gaps"),
    path("gaps.csv", views.gaps_csv, name="gaps_csv"),
    path("recompute/", views.recompute, name="recompute"),
    path("recompute/status/", views.recompute_status, name="recompute_status"),
]
