"""Identity providers' client secrets at rest: encrypted with Fernet under a key derived
(HKDF-SHA256) from `SSO_SECRETS_KEY`, or from `SECRET_KEY` when that is not set, or read from
the environment variable an admin named instead. A secret is never shown again once saved."""

import base64
import os

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

HKDF_INFO = b"collaborate single sign-on client secrets"


def _fernet():
    master = (settings.SSO_SECRETS_KEY or settings.SECRET_KEY).encode()
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=HKDF_INFO).derive(master)
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(secret):
    return _fernet().encrypt(secret.encode()).decode()


def decrypt(token):
    """The secret, or "" when it cannot be read (the key changed): signing in then fails at the
    provider, and the configuration page asks for the secret again."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except (InvalidToken, ValueError):
        return ""


def client_secret(identity_provider):
    """The provider's client secret in plain text, for the token request only."""
    if identity_provider.client_secret_env:
        return os.environ.get(identity_provider.client_secret_env, "")
    if identity_provider.client_secret_encrypted:
        return decrypt(identity_provider.client_secret_encrypted)
    return ""
