"""Root URLs: each app's pages under its own prefix, plus site-wide pages and health checks."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from collaborate import views
from partners.forms import SignInForm

handler500 = "collaborate.views.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("privacy/", views.privacy, name="privacy"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            authentication_form=SignInForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("partners/", include("partners.urls")),
    path("admin/", admin.site.urls),
]
