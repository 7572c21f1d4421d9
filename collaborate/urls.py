"""Root URLs: each app's pages under its own prefix, plus site-wide pages and health checks."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from collaborate import views
from initiatives.claims import views as claim_views
from partners.forms import QueuedPasswordResetForm
from partners.views import accounts as account_views
from partners.views.sign_in import SignInView

handler500 = "collaborate.views.server_error"

accounts = [
    path("login/", SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", account_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"
    ),
    path(
        "password_reset/",
        auth_views.PasswordResetView.as_view(
            form_class=QueuedPasswordResetForm,
        ),
        name="password_reset",
    ),
    path(
        "password_reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        account_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("", include("partners.urls_accounts")),
    # django-allauth's pages Collaborate does not use go to its own: passwords are changed and
    # reset on the pages above, and the email address is the account's, changed by an admin.
    path("password/change/", RedirectView.as_view(pattern_name="password_change")),
    path("password/set/", RedirectView.as_view(pattern_name="password_change")),
    path("password/reset/", RedirectView.as_view(pattern_name="password_reset")),
    path("email/", RedirectView.as_view(pattern_name="accounts:account")),
    # Second factors (/accounts/2fa/), single sign-on (/accounts/oidc/…), re-authentication.
    path("", include("allauth.urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path(".well-known/security.txt", views.security_txt, name="security_txt"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("privacy/", views.privacy, name="privacy"),
    path("accounts/", include(accounts)),
    path("partners/", include("partners.urls")),
    path("users/", include("partners.urls_users")),
    path("audit/", include("partners.urls_audit")),
    path("initiatives/", include("initiatives.urls")),
    path("register/", include("initiatives.urls_register")),
    path("claims/", include("initiatives.claims.urls")),
    path("imports/", include("initiatives.imports.urls")),
    path("dashboard/", include("initiatives.progress.urls")),
    path("financial-years/", claim_views.financial_year_locks, name="financial_years"),
    path(
        "financial-years/<int:year>/lock/",
        claim_views.financial_year_lock,
        name="financial_year_lock",
    ),
    path(
        "financial-years/<int:year>/unlock/",
        claim_views.financial_year_unlock,
        name="financial_year_unlock",
    ),
    path("admin/", admin.site.urls),
]
