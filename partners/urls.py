from django.urls import path

from partners.views import organisations as views

app_name = "partners"

urlpatterns = [
    path("", views.organisation_list, name="list"),
    path("organisations.csv", views.organisation_download, {"fmt": "csv"}, name="csv"),
    path("organisations.xlsx", views.organisation_download, {"fmt": "xlsx"}, name="xlsx"),
    path("new/", views.organisation_create, name="create"),
    path("<int:pk>/", views.organisation_detail, name="detail"),
    path("<int:pk>/edit/", views.organisation_edit, name="edit"),
    path("<int:pk>/history/", views.organisation_history, name="history"),
    path("<int:pk>/active/", views.organisation_set_active, name="set_active"),
    path("<int:pk>/merge/", views.organisation_merge_choose, name="merge"),
    path(
        "<int:pk>/merge/<int:duplicate_pk>/", views.organisation_merge_confirm, name="merge_confirm"
    ),
]
