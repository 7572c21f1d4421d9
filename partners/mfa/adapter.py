"""django-allauth's mfa, fitted to Collaborate: its messages in the product's words, and a person
whose role needs a second factor cannot remove their last one."""

from allauth.mfa.adapter import DefaultMFAAdapter

from partners import permissions
from partners.sso import secrets

LAST_FACTOR = (
    "Your role needs two-factor authentication, so you cannot remove your only authenticator "
    "app or security key. Add another one first, or ask an administrator to reset your "
    "two-factor authentication."
)


class MFAAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "cannot_delete_authenticator": LAST_FACTOR,
        "incorrect_code": "Enter the code your authenticator app shows now, or an unused "
        "recovery code",
        "cannot_generate_recovery_codes": "Set up an authenticator app or a security key "
        "before you make recovery codes",
    }

    def encrypt(self, text):
        """Authenticator apps' keys and recovery codes' seeds are kept encrypted, as client
        secrets are (partners.sso.secrets), never in the clear in the database."""
        return secrets.encrypt(text, purpose=secrets.SECOND_FACTORS)

    def decrypt(self, encrypted_text):
        return secrets.decrypt(encrypted_text, purpose=secrets.SECOND_FACTORS)

    def can_delete_authenticator(self, authenticator):
        return permissions.can_remove_second_factor(authenticator.user, authenticator)
