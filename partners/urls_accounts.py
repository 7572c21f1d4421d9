from django.urls import path

from partners.views import accounts as views

app_name = "accounts"

urlpatterns = [
    path("", views.account, name="account"),
    path("acting-for/", views.acting_for, name="acting_for"),
    path("emails/", views.emails, name="emails"),
    path("invitation/<str:reference>/<str:token>/", views.invitation_accept, name="invitation"),
]
