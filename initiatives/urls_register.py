from django.urls import path

from initiatives import views

app_name = "register"

urlpatterns = [
    path("", views.register_list, name="list"),
    path("register.csv", views.register_download, {"fmt": "csv"}, name="csv"),
    path("register.xlsx", views.register_download, {"fmt": "xlsx"}, name="xlsx"),
    path("<str:reference>/", views.register_detail, name="detail"),
]
