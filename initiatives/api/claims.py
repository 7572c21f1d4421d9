"""The API's claims endpoints."""

urlpatterns = []
