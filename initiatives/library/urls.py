from django.urls import path

from initiatives.library import views

app_name = "library"

urlpatterns = [
    path("", views.document_list, name="list"),
    path("<int:pk>/download/", views.document_download, name="download"),
]
