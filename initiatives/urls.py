from django.urls import path

from initiatives import views
from initiatives.claims import views as claim_views
from initiatives.health import views as health_views
from initiatives.library import views as library_views

app_name = "initiatives"

urlpatterns = [
    path("", views.initiative_list, name="list"),
    path("initiatives.csv", views.initiative_download, {"fmt": "csv"}, name="csv"),
    path("initiatives.xlsx", views.initiative_download, {"fmt": "xlsx"}, name="xlsx"),
    path("new/", views.initiative_create, name="create"),
    path("<int:pk>/", views.initiative_detail, name="detail"),
    path("<int:pk>/edit/", views.initiative_edit, name="edit"),
    path("<int:pk>/partners/", views.initiative_partners, name="partners"),
    path("<int:pk>/partners/add/", views.initiative_partner_add, name="partner_add"),
    path(
        "<int:pk>/partners/<int:partnership_pk>/remove/",
        views.initiative_partner_remove,
        name="partner_remove",
    ),
    path("<int:pk>/targets/", views.initiative_targets, name="targets"),
    path("<int:pk>/claims/", claim_views.initiative_claims, name="claims"),
    path("<int:pk>/claims/new/", claim_views.claim_create, name="claim_create"),
    path("<int:pk>/health/", health_views.initiative_health, name="health"),
    path("<int:pk>/documents/", library_views.initiative_documents, name="documents"),
    path(
        "<int:pk>/documents/<int:document_pk>/remove/",
        library_views.document_remove,
        name="document_remove",
    ),
    path("<int:pk>/history/", views.initiative_history, name="history"),
    path(
        "<int:pk>/history.csv",
        views.initiative_history_download,
        {"fmt": "csv"},
        name="history_csv",
    ),
    path(
        "<int:pk>/history.xlsx",
        views.initiative_history_download,
        {"fmt": "xlsx"},
        name="history_xlsx",
    ),
    path("<int:pk>/status/", views.initiative_status, name="status"),
    path("<int:pk>/publish/", views.initiative_publish, name="publish"),
]
