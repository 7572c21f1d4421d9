"""Root URLs: each app's pages under its own prefix, plus site-wide pages and health checks."""

from allauth.account import views as allauth_views
from allauth.socialaccount import views as social_views
from allauth.socialaccount.providers.openid_connect import views as oidc_views
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.generic import RedirectView

from collaborate import views
from initiatives.claims import views as claim_views
from partners.forms import QueuedPasswordResetForm
from partners.views import accounts as account_views
from partners.views import sso as sso_views
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
]

# The parts of django-allauth Collaborate uses, and no others (its email, sign-up, sign-in by
# code, password and account-connection pages are not used): re-authentication, second factors,
# single sign-on's OpenID Connect start and its answer (partners.sso's callback, under the name
# allauth reverses), and the names allauth's pages link to, which lead to Collaborate's pages.
allauth = [
    path("login/", SignInView.as_view(), name="account_login"),
    path("logout/", auth_views.LogoutView.as_view(), name="account_logout"),
    path("signup/", allauth_views.signup, name="account_signup"),  # says sign-up is closed
    path("reauthenticate/", allauth_views.reauthenticate, name="account_reauthenticate"),
    path(
        "password/reset/",
        login_not_required(RedirectView.as_view(pattern_name="password_reset")),
        name="account_reset_password",
    ),
    path("2fa/", include("allauth.mfa.urls")),
    path("oidc/<str:provider_id>/login/", oidc_views.login, name="openid_connect_login"),
    path(
        "oidc/<str:provider_id>/login/callback/", sso_views.callback, name="openid_connect_callback"
    ),
    path(
        "3rdparty/login/cancelled/",
        social_views.login_cancelled,
        name="socialaccount_login_cancelled",
    ),
    path(
        "3rdparty/login/error/",
        login_not_required(social_views.login_error),
        name="socialaccount_login_error",
    ),
    path("3rdparty/signup/", social_views.signup, name="socialaccount_signup"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", views.metrics, name="metrics"),
    path(".well-known/security.txt", views.security_txt, name="security_txt"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("privacy/", views.privacy, name="privacy"),
    path("accounts/", include(accounts)),
    path("accounts/", include(allauth)),
    path("partners/", include("partners.urls")),
    path("users/", include("partners.urls_users")),
    path("audit/", include("partners.urls_audit")),
    path("initiatives/", include("initiatives.urls")),
    path("register/", include("initiatives.urls_register")),
    path("claims/", include("initiatives.claims.urls")),
    path("imports/", include("initiatives.imports.urls")),
    path("dashboard/", include("initiatives.progress.urls")),
    path("insights/", include("initiatives.insights.urls")),
    path("find-partners/", include("initiatives.partnering.urls")),
    path("assurance/", include("initiatives.assurance.urls")),
    path("library/", include("initiatives.library.urls")),
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
    path("api/", include("collaborate.api")),
    path("admin/", admin.site.urls),
]
