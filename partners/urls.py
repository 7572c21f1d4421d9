from django.urls import path

from partners.views import organisations as views
from partners.views import sso as sso_views

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
    path("<int:pk>/single-sign-on/", sso_views.sign_on, name="sso"),
    path(
        "<int:pk>/single-sign-on/provider/new/",
        sso_views.identity_provider_create,
        name="sso_provider_create",
    ),
    path(
        "<int:pk>/single-sign-on/provider/",
        sso_views.identity_provider_edit,
        name="sso_provider_edit",
    ),
    path("<int:pk>/single-sign-on/remove/", sso_views.sign_on_remove, name="sso_remove"),
    path("single-sign-on/organisation/", sso_views.organisation_choose, name="sso_choose"),
]
