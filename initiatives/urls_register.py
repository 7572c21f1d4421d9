from django.urls import path

from initiatives import views

app_name = "register"

urlpatterns = [
    path("", views.register_list, name="list"),
    path("<str:reference>/", views.register_detail, name="detail"),
]
