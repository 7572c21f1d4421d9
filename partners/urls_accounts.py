from django.urls import path

from partners.views import accounts as views
from partners.views import sso as sso_views

app_name = "accounts"

urlpatterns = [
    path("", views.account, name="account"),
    path("acting-for/", views.acting_for, name="acting_for"),
    path("emails/", views.emails, name="emails"),
    path("invitation/<str:reference>/<str:token>/", views.invitation_accept, name="invitation"),
    # Single sign-on's answer, at the path of allauth's callback (included after this), which it
    # replaces: the same flow with the ID token's signature always checked (partners.sso).
    path("oidc/<str:provider_id>/login/callback/", sso_views.callback, name="sso_callback"),
]
