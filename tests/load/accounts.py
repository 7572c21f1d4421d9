"""The load test's accounts, one per signed-in virtual user (tests/load/run.py runs `make` in a
Django process on the load database): officers spread over the organisations in most
initiatives, and one manager of each, with an authenticator app of their own as a manager's
role needs. Written to a JSON file the locustfile reads."""

import json
import secrets

import pyotp
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Count

from partners.models import Membership, Organisation, User

EMAIL_DOMAIN = "load.collaborate.local"


@transaction.atomic
def make(path, officers, managers):
    organisations = list(
        Organisation.objects.filter(active=True)
        .annotate(initiatives=Count("partnerships"))
        .order_by("-initiatives", "pk")[:managers]
    )
    if len(organisations) < managers:
        raise RuntimeError(f"{managers} managers need as many organisations to manage")
    password = secrets.token_urlsafe(18)
    password_hash = make_password(password)  # once: every load account has the same password
    made = {"password": password, "officers": [], "managers": []}
    for n in range(officers):
        organisation = organisations[n % len(organisations)]
        user = User.objects.create(
            email=f"officer{n}@{EMAIL_DOMAIN}",
            full_name=f"Load Officer {n}",
            password=password_hash,
        )
        Membership.objects.create(
            user=user, organisation=organisation, role=Membership.Role.OFFICER
        )
        made["officers"].append({"email": user.email, "organisation": organisation.pk})
    for n, organisation in enumerate(organisations):
        user = User.objects.create(
            email=f"manager{n}@{EMAIL_DOMAIN}",
            full_name=f"Load Manager {n}",
            password=password_hash,
        )
        Membership.objects.create(
            user=user, organisation=organisation, role=Membership.Role.MANAGER
        )
        secret = pyotp.random_base32()
        TOTP.activate(user, secret)
        made["managers"].append(
            {"email": user.email, "organisation": organisation.pk, "totp_secret": secret}
        )
    with open(path, "w", encoding="utf-8") as file:
        json.dump(made, file)
