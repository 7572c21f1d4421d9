"""partners' endpoints under /api/v1/ (collaborate.api includes them in the "api" namespace)."""

urlpatterns = []
