"""The API's register endpoints."""

urlpatterns = []
