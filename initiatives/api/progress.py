"""The API's progress endpoints."""

urlpatterns = []
