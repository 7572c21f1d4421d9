"""Single-use, expiring links for invitations, from Django's password-reset token machinery.

A token hashes the user's password and last sign-in, so setting the password spends it; it
expires after PASSWORD_RESET_TIMEOUT. Its own salt keeps it apart from password-reset links."""

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "collaborate.partners.tokens.InvitationTokenGenerator"


invitation_tokens = InvitationTokenGenerator()


def user_reference(user):
    return urlsafe_base64_encode(force_bytes(user.pk))


def user_pk_from(reference):
    try:
        return int(urlsafe_base64_decode(reference).decode())
    except (TypeError, ValueError, OverflowError, UnicodeDecodeError):
        return None
