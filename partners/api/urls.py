"""partners' endpoints under /api/v1/ (collaborate.api includes them in the "api" namespace)."""

from django.urls import path

from partners.api import organisations

urlpatterns = [
    path(
        "organisations/",
        organisations.OrganisationList.as_view(),
        name="organisation-list",
    ),
    path(
        "organisations/<int:pk>/",
        organisations.OrganisationDetail.as_view(),
        name="organisation-detail",
    ),
]
