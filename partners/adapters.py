"""How django-allauth fits Collaborate's accounts: nobody signs themselves up (accounts come from
invitations and single sign-on), the client's address is read as everywhere else, and its
messages are in the product's words."""

import time

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.account.internal.flows.reauthentication import get_reauthentication_flows
from allauth.core import context
from django.conf import settings

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

    def get_login_stages(self):
        return [
            "partners.mfa.stages.SecondFactorStage"
            if stage == "allauth.mfa.stages.AuthenticateStage"
            else stage
            for stage in super().get_login_stages()
        ]

    def is_reauthentication_required(self, *, app, **kwargs):
        """A person who signs in only through single sign-on has no password nor second factor
        to confirm a sensitive change with (setting up a second factor, say): their sign-on
        within ACCOUNT_REAUTHENTICATION_TIMEOUT counts as the recent confirmation instead."""
        request = context.request
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not get_reauthentication_flows(user):
            since = time.time() - settings.ACCOUNT_REAUTHENTICATION_TIMEOUT
            if any(
                record.get("method") == "socialaccount" and record.get("at", 0) >= since
                for record in get_authentication_records(request, user)
            ):
                return False
        return super().is_reauthentication_required(app=app, **kwargs)

    def get_client_ip(self, request):
        return web.client_ip(request) or ""

    def send_mail(self, template_prefix, email, context):
        """allauth's own emails (notifications, codes) are not used: Collaborate's emails go
        through its own services and Celery, never with a live token in the broker."""
