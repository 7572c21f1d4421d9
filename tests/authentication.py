"""A session's record of how and when its person last proved who they are, as allauth keeps it:
what partners.mfa.recency reads before a sensitive step (making an API token)."""

import time

from allauth.account.internal.flows.login import record_authentication
from django.test import RequestFactory


def proved(client, user, method, minutes_ago):
    """Put an authentication record `minutes_ago` in the client's session, as allauth does."""
    session = client.session
    request = RequestFactory().get("/")
    request.session = session
    record_authentication(request, user, method)
    records = session["account_authentication_methods"]
    records[-1]["at"] = time.time() - minutes_ago * 60
    session.save()
