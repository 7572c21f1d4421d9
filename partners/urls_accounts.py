from django.urls import path

from partners.views import accounts as views
from partners.views import tokens

app_name = "accounts"

urlpatterns = [
    path("", views.account, name="account"),
    path("acting-for/", views.acting_for, name="acting_for"),
    path("emails/", views.emails, name="emails"),
    path("tokens/", tokens.token_list, name="tokens"),
    path("tokens/new/", tokens.token_create, name="token_create"),
    path("tokens/<int:pk>/revoke/", tokens.token_revoke, name="token_revoke"),
    path("invitation/<str:reference>/<str:token>/", views.invitation_accept, name="invitation"),
]
