"""The API's initiatives endpoints."""

urlpatterns = []
