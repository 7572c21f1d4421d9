from django.urls import path

from initiatives import views
from initiatives.insights import views as insights
from initiatives.opendata import views as opendata

app_name = "register"

urlpatterns = [
    path("", views.register_list, name="list"),
    path("register.csv", views.register_download, {"fmt": "csv"}, name="csv"),
    path("register.xlsx", views.register_download, {"fmt": "xlsx"}, name="xlsx"),
    # The open dataset: before the catch-all of an initiative's reference.
    path("data/", opendata.data_page, name="data"),
    path("data/register.csv", opendata.data_download, {"fmt": "csv"}, name="data_csv"),
    path("data/register.xlsx", opendata.data_download, {"fmt": "xlsx"}, name="data_xlsx"),
    path("data/register.json", opendata.data_download, {"fmt": "json"}, name="data_json"),
    path(
        "data/register.csv-metadata.json",
        opendata.data_download,
        {"fmt": "csvw"},
        name="data_csvw",
    ),
    # Collaboration compared with outsourcing, from published initiatives only.
    path("insights/", insights.register_insights, name="insights"),
    path("insights/insights.csv", insights.register_download, {"fmt": "csv"}, name="insights_csv"),
    path(
        "insights/insights.xlsx", insights.register_download, {"fmt": "xlsx"}, name="insights_xlsx"
    ),
    path("<str:reference>/", views.register_detail, name="detail"),
]
