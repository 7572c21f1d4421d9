from django.urls import path

from initiatives.partnering import views

app_name = "partnering"

urlpatterns = [
    path("", views.find_partners, name="find"),
    path("<int:pk>/contact/", views.interest, name="interest"),
]
