"""API tokens: a person's named secrets for the REST API (/api/v1/), read-only or read-write,
until an expiry date or until revoked. Only a hash of the secret is stored, with its first
characters for people to recognise it; the secret itself is shown once, when made."""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

DEFAULT_LIFETIME = datetime.timedelta(days=90)
LONGEST_LIFETIME = datetime.timedelta(days=366)


def default_expiry():
    return timezone.localdate() + DEFAULT_LIFETIME


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, today=None):
        """Tokens that may authenticate: not revoked, not expired, of an active person."""
        today = today or timezone.localdate()
        return self.filter(revoked_at__isnull=True, expires_on__gte=today, user__is_active=True)


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    writable = models.BooleanField(
        "read-write", default=False, help_text="A read-only token may only read."
    )
    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=12, editable=False)
    expires_on = models.DateField(default=default_expiry)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_used_ip = models.GenericIPAddressField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "API token"

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self):
        return self.revoked_at is not None

    @property
    def is_expired(self):
        return self.expires_on < timezone.localdate()


class ApiTokenAddress(models.Model):
    """An address a token has been used from: the first use from a new one is audited."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="addresses")
    ip_address = models.GenericIPAddressField()
    first_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["token", "ip_address"], name="api_token_address_once")
        ]

    def __str__(self):
        return f"{self.ip_address} since {self.first_seen_at:%Y-%m-%d %H:%M}"
