"""How many emails anyone may cause to be sent an hour, per client address and per recipient:
password-reset emails (asked for by anyone, signed in or not) and invitation emails; and per
person, the messages they send other organisations (interest in an initiative). Counted in
the cache (Redis), a window of an hour from the first email counted."""

import hashlib

from django.conf import settings
from django.core.cache import cache

WINDOW = 60 * 60

# kind: (setting of the limit per client address, setting of the limit per recipient)
LIMITS = {
    "password-reset": ("PASSWORD_RESET_EMAILS_PER_ADDRESS", "PASSWORD_RESET_EMAILS_PER_RECIPIENT"),
    "invitation": ("INVITATION_EMAILS_PER_ADDRESS", "INVITATION_EMAILS_PER_RECIPIENT"),
}


def _count(key):
    """One more in this window's count of `key`; the count so far, this one included."""
    cache.add(key, 0, timeout=WINDOW)
    try:
        return cache.incr(key)
    except ValueError:  # the window ended between add and incr: a new one starts
        cache.add(key, 1, timeout=WINDOW)
        return 1


def email_allowed(kind, *, ip_address, recipient):
    """Count an email of `kind` asked for from `ip_address` to `recipient` and say whether it
    may go: neither count past its limit. An address is not counted when there is none (a
    shell, a task); the recipient's address is kept only as a hash."""
    per_address, per_recipient = (getattr(settings, name) for name in LIMITS[kind])
    digest = hashlib.sha256(recipient.strip().lower().encode()).hexdigest()
    allowed = _count(f"email-limit:{kind}:to:{digest}") <= per_recipient
    if ip_address:
        allowed = _count(f"email-limit:{kind}:from:{ip_address}") <= per_address and allowed
    return allowed


# kind: the setting of the limit per person sending
SENDER_LIMITS = {"interest": "INTEREST_MESSAGES_PER_HOUR"}


def sender_allowed(kind, *, user_id):
    """Count a message of `kind` sent by the person `user_id` and say whether it may go."""
    return _count(f"email-limit:{kind}:by:{user_id}") <= getattr(settings, SENDER_LIMITS[kind])
