"""initiatives' endpoints under /api/v1/ (collaborate.api includes them in the "api" namespace),
one module per part of the app."""

from initiatives.api import claims, initiatives, progress, register

urlpatterns = [
    *initiatives.urlpatterns,
    *claims.urlpatterns,
    *progress.urlpatterns,
    *register.urlpatterns,
]
