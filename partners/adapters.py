"""How django-allauth fits Collaborate's accounts: nobody signs themselves up (accounts come from
invitations and single sign-on), the client's address is read as everywhere else, and its
messages are in the product's words."""

from allauth.account.adapter import DefaultAccountAdapter

from collaborate.kit import web

SIGN_IN_REFUSED = "Enter a correct email address and password."


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": SIGN_IN_REFUSED,
        "invalid_login": SIGN_IN_REFUSED,
        "account_inactive": SIGN_IN_REFUSED,
        "enter_current_password": "Enter your current password",
        "incorrect_password": "The password is not right: enter your current password",
    }

    def is_open_for_signup(self, request):
        """Password accounts are made only by invitation (partners.services.users)."""
        return False

    def authenticate(self, request, **credentials):
        """A deactivated account gets the same answer as a wrong password (allauth would send
        it to a page saying the account is inactive, telling that it exists)."""
        user = super().authenticate(request, **credentials)
        return user if user is not None and user.is_active else None

    def get_client_ip(self, request):
        return web.client_ip(request) or ""

    def send_mail(self, template_prefix, email, context):
        """allauth's own emails (notifications, codes) are not used: Collaborate's emails go
        through its own services and Celery, never with a live token in the broker."""
