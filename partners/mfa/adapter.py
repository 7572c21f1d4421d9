"""django-allauth's mfa, fitted to Collaborate."""

from allauth.mfa.adapter import DefaultMFAAdapter


class MFAAdapter(DefaultMFAAdapter):
    pass
