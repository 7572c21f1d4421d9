"""Secrets at rest: identity providers' client secrets (or the environment variable an admin
named instead; a secret is never shown again once saved) and, through the second factors'
adapter, authenticator apps' keys and recovery codes' seeds. Encrypted with Fernet under a key
derived (HKDF-SHA256, one per purpose) from `SSO_SECRETS_KEY`, or from `SECRET_KEY` when that
is not set."""

import base64
import os

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

HKDF_INFO = b"collaborate single sign-on client secrets"
SECOND_FACTORS = b"collaborate second factors"


def _fernet(purpose):
    master = (settings.SSO_SECRETS_KEY or settings.SECRET_KEY).encode()
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(master)
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(secret, purpose=HKDF_INFO):
    return _fernet(purpose).encrypt(secret.encode()).decode()


def decrypt(token, purpose=HKDF_INFO):
    """The secret, or "" when it cannot be read (the key changed): signing in then fails at the
    provider, and the configuration page asks for the secret again; an authenticator app's
    codes are refused, and an admin resets the person's second factor."""
    try:
        return _fernet(purpose).decrypt(token.encode()).decode()
    except (InvalidToken, ValueError):
        return ""


def client_secret(identity_provider):
    """The provider's client secret in plain text, for the token request only."""
    if identity_provider.client_secret_env:
        return os.environ.get(identity_provider.client_secret_env, "")
    if identity_provider.client_secret_encrypted:
        return decrypt(identity_provider.client_secret_encrypted)
    return ""
