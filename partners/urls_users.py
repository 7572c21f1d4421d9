from django.urls import path

from partners.views import users as views

app_name = "users"

urlpatterns = [
    path("", views.user_list, name="list"),
    path("users.csv", views.user_download, {"fmt": "csv"}, name="csv"),
    path("users.xlsx", views.user_download, {"fmt": "xlsx"}, name="xlsx"),
    path("invite/", views.user_invite, name="invite"),
    path("locked/", views.locked_sign_ins, name="locked"),
    path("<int:pk>/", views.user_detail, name="detail"),
    path("<int:pk>/active/", views.user_set_active, name="set_active"),
    path("<int:pk>/anonymise/", views.user_anonymise, name="anonymise"),
    path("<int:pk>/audit-scope/", views.user_audit_scope, name="audit_scope"),
    path("<int:pk>/resend/", views.invitation_resend, name="resend"),
    path(
        "<int:pk>/second-factor/reset/",
        views.user_second_factor_reset,
        name="second_factor_reset",
    ),
    path("<int:pk>/memberships/", views.membership_add, name="membership_add"),
    path("memberships/<int:pk>/", views.membership_change, name="membership_change"),
]
