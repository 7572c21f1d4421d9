"""Partner organisations, the people who act for them, and the history of every change."""

import re
import unicodedata

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import timezone


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with their email address. Never deleted: deactivated."""

    # Stored in lower case (see save), so that unique means unique whatever the capitals.
    email = models.EmailField("email address", max_length=254, unique=True)
    full_name = models.CharField(max_length=150)
    is_staff = models.BooleanField(
        "admin", default=False, help_text="Admins manage organisations, users and memberships."
    )
    is_active = models.BooleanField("active", default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    # The emails a person may turn off on /accounts/ (emails about their own claims' decisions
    # always go). Each reminder says why it was sent and links to these settings.
    email_claims_submitted = models.BooleanField(
        "a claim is submitted for my decision", default=True
    )
    email_awaiting_decision = models.BooleanField(
        "weekly: claims waiting more than 5 working days for my decision", default=True
    )
    email_quiet_initiatives = models.BooleanField(
        "monthly: our initiatives with a target this year and no claim in 90 days", default=True
    )
    email_health_checks = models.BooleanField(
        "weekly: health checks our organisation has not answered yet", default=True
    )
    # Internal audit of every organisation (an admin's grant), beside any auditor memberships.
    audits_every_organisation = models.BooleanField("auditor of every organisation", default=False)
    # When retention replaced this person's name and email (history keeps the row, not them).
    anonymised_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def clean(self):
        super().clean()
        self.email = self.email.strip().lower()

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)


def normalise_name(name):
    """The form of a name that search compares: no accents, no punctuation, lower case,
    one space between words, '&' read as 'and'."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.lower().replace("&", " and ")
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(text.split())


class Organisation(models.Model):
    """A partner organisation from any sector. Deactivated, never deleted."""

    class Sector(models.TextChoices):
        PUBLIC = "public", "Public sector"
        SOCIAL = "social", "Social sector"
        BUSINESS = "business", "Business"

    class Kind(models.TextChoices):
        COUNTY_COUNCIL = "county_council", "County council"
        DISTRICT_COUNCIL = "district_council", "District council"
        UNITARY_AUTHORITY = "unitary_authority", "Unitary authority"
        METROPOLITAN_BOROUGH = "metropolitan_borough", "Metropolitan borough"
        LONDON_BOROUGH = "london_borough", "London borough"
        CITY_CORPORATION = "city_corporation", "City corporation"
        SCOTTISH_COUNCIL = "scottish_council", "Scottish council"
        WELSH_COUNCIL = "welsh_council", "Welsh council"
        NI_COUNCIL = "ni_council", "Northern Ireland council"
        COMBINED_AUTHORITY = "combined_authority", "Combined authority"
        STRATEGIC_AUTHORITY = "strategic_authority", "Strategic authority (GLA)"
        NHS_BODY = "nhs_body", "NHS body"
        POLICE = "police", "Police"
        FIRE_AND_RESCUE = "fire_and_rescue", "Fire and rescue"
        SCHOOL_OR_COLLEGE = "school_or_college", "School or college"
        UNIVERSITY = "university", "University"
        HOUSING_ASSOCIATION = "housing_association", "Housing association"
        CHARITY = "charity", "Charity"
        SOCIAL_ENTERPRISE = "social_enterprise", "Social enterprise"
        COOPERATIVE = "cooperative", "Co-operative or mutual"
        PRIVATE_COMPANY = "private_company", "Private company"
        OTHER = "other", "Other"

    class Nation(models.TextChoices):
        ENGLAND = "england", "England"
        SCOTLAND = "scotland", "Scotland"
        WALES = "wales", "Wales"
        NORTHERN_IRELAND = "northern_ireland", "Northern Ireland"

    class Region(models.TextChoices):
        NORTH_EAST = "north_east", "North East"
        NORTH_WEST = "north_west", "North West"
        YORKSHIRE = "yorkshire", "Yorkshire and The Humber"
        EAST_MIDLANDS = "east_midlands", "East Midlands"
        WEST_MIDLANDS = "west_midlands", "West Midlands"
        EAST = "east", "East of England"
        LONDON = "london", "London"
        SOUTH_EAST = "south_east", "South East"
        SOUTH_WEST = "south_west", "South West"
        SCOTLAND = "scotland", "Scotland"
        WALES = "wales", "Wales"
        NORTHERN_IRELAND = "northern_ireland", "Northern Ireland"

    COUNCIL_KINDS = frozenset(
        {
            Kind.COUNTY_COUNCIL,
            Kind.DISTRICT_COUNCIL,
            Kind.UNITARY_AUTHORITY,
            Kind.METROPOLITAN_BOROUGH,
            Kind.LONDON_BOROUGH,
            Kind.CITY_CORPORATION,
            Kind.SCOTTISH_COUNCIL,
            Kind.WELSH_COUNCIL,
            Kind.NI_COUNCIL,
            Kind.COMBINED_AUTHORITY,
            Kind.STRATEGIC_AUTHORITY,
        }
    )

    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=80, blank=True)
    slug = models.SlugField(max_length=220, unique=True)
    sector = models.CharField(max_length=20, choices=Sector.choices)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    gss_code = models.CharField(
        "GSS code",
        max_length=9,
        unique=True,
        null=True,
        blank=True,
        help_text="The nine-character ONS code, for example E08000035. Leave blank if it has none.",
    )
    nation = models.CharField(max_length=20, choices=Nation.choices, blank=True)
    region = models.CharField(max_length=20, choices=Region.choices, blank=True)
    website = models.URLField(max_length=300, blank=True)
    active = models.BooleanField(default=True)
    successors = models.ManyToManyField(
        "self", symmetrical=False, related_name="predecessors", blank=True
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_duplicates",
        help_text="Set when this record was a duplicate merged into another.",
    )
    # Where a row came from in the public data we load (for example "la:LDS"), so that loading
    # again updates it in place. Empty for organisations added by hand.
    source_ref = models.CharField(max_length=40, unique=True, null=True, blank=True)
    search_name = models.CharField(max_length=220, editable=False, db_index=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(merged_into=models.F("pk")),
                name="organisation_not_merged_into_self",
            ),
            models.CheckConstraint(
                condition=models.Q(merged_into__isnull=True) | models.Q(active=False),
                name="organisation_merged_is_inactive",
            ),
        ]
        indexes = [
            models.Index(fields=["sector", "kind"]),
            models.Index(fields=["nation", "region"]),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.search_name = normalise_name(self.name)
        if self.gss_code == "":
            self.gss_code = None
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "search_name"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("partners:detail", args=[self.pk])

    @property
    def is_council(self):
        return self.kind in self.COUNCIL_KINDS

    @property
    def display_name(self):
        return self.short_name or self.name


class OrganisationName(models.Model):
    """Another name an organisation is known by (a spelling in the council register, a former
    form of its name), so that imports and the directory search find it by that name too."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="alternative_names"
    )
    name = models.CharField(max_length=200)
    search_name = models.CharField(max_length=220, editable=False, db_index=True)
    # Where the name came from ("mySociety register", "merged record"): set by code, never typed.
    source = models.CharField(max_length=40, blank=True, editable=False)

    # The register's spellings include datasets' typos ("aberdeen cuty"): kept for matching and
    # search, never shown as a name the organisation is known by.
    REGISTER_SOURCE = "mySociety register"

    class Meta:
        verbose_name = "alternative name"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "search_name"], name="organisation_name_once"
            )
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.search_name = normalise_name(self.name)
        super().save(*args, **kwargs)


class Membership(models.Model):
    """A user acting for an organisation, as an officer or a manager, or auditing its claims."""

    class Role(models.TextChoices):
        OFFICER = "officer", "Officer"
        MANAGER = "manager", "Manager"
        AUDITOR = "auditor", "Auditor"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.OFFICER)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="membership_one_per_user_and_organisation"
            )
        ]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()} of {self.organisation}"

    @property
    def is_manager(self):
        return self.role == self.Role.MANAGER


class HistoryEntry(models.Model):
    """One recorded change: who, when, what, before → after.

    `owner` is the record whose History page shows the entry (an organisation, a user, an
    initiative, a claim); `subject` names what changed inside it (a partnership, a target…)."""

    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    owner_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    owner_id = models.PositiveBigIntegerField()
    action = models.CharField(max_length=60)
    subject = models.CharField(max_length=250, blank=True)
    changes = models.JSONField(default=list, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "history entries"
        indexes = [
            models.Index(
                fields=["owner_type", "owner_id", "-at", "-id"], name="history_owner_recent"
            )
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.subject}"


class Invitation(models.Model):
    """An invitation by email to join Collaborate: the person sets their own password through
    a single-use, expiring link (Django's token machinery, see partners.tokens)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="invitation"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="invitations"
    )
    role = models.CharField(max_length=10, choices=Membership.Role.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    times_sent = models.PositiveIntegerField(default=0)
    accepted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Invitation for {self.user}"

    @property
    def accepted(self):
        return self.accepted_at is not None


class AuditEventQuerySet(models.QuerySet):
    """Events are never changed in bulk either, and leave the log only by age, through the
    retention job's `delete_older_than`."""

    def update(self, **kwargs):
        raise ValueError("Audit events are append-only: they are never changed.")

    def delete(self):
        raise ValueError("Audit events are deleted only by age, by the retention job.")

    def delete_older_than(self, cutoff):
        """Delete the events recorded before `cutoff`: (count, {label: count}), as delete()."""
        return models.QuerySet.delete(self.filter(at__lt=cutoff))


class AuditEvent(models.Model):
    """One security-relevant event, append-only: who did what, when, from which address.

    The actor and the organisation are kept as plain ids with their names as they were, not as
    foreign keys, so that merging organisations, deactivating people and retention leave the
    trail exactly as it was written. Written only through `partners.services.audit`."""

    class Action(models.TextChoices):
        SIGNED_IN = "signed_in", "Signed in"
        SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
        SIGNED_OUT = "signed_out", "Signed out"
        SIGN_IN_LOCKED = "sign_in_locked", "Sign-in locked out"
        SIGN_IN_UNLOCKED = "sign_in_unlocked", "Sign-in unlocked"
        PASSWORD_CHANGED = "password_changed", "Password changed"
        PASSWORD_RESET_REQUESTED = "password_reset_requested", "Password reset requested"
        PASSWORD_RESET = "password_reset", "Password reset"
        INVITATION_SENT = "invitation_sent", "Invitation sent"
        INVITATION_ACCEPTED = "invitation_accepted", "Invitation accepted"
        MEMBERSHIP_ADDED = "membership_added", "Membership added"
        MEMBERSHIP_CHANGED = "membership_changed", "Membership role changed"
        MEMBERSHIP_ENDED = "membership_ended", "Membership ended"
        AUDIT_SCOPE_CHANGED = "audit_scope_changed", "Auditor of every organisation changed"
        USER_DEACTIVATED = "user_deactivated", "Account deactivated"
        USER_REACTIVATED = "user_reactivated", "Account reactivated"
        PERSON_ANONYMISED = "person_anonymised", "Person anonymised"
        ORGANISATIONS_MERGED = "organisations_merged", "Organisations merged"
        YEAR_LOCKED = "year_locked", "Financial year locked"
        YEAR_UNLOCKED = "year_unlocked", "Financial year unlocked"
        RECOMPUTE_STARTED = "recompute_started", "Full recompute started"
        EVIDENCE_DOWNLOADED = "evidence_downloaded", "Evidence downloaded"
        PERSONAL_DATA_EXPORTED = "personal_data_exported", "Personal data exported"
        AUDIT_LOG_EXPORTED = "audit_log_exported", "Audit log exported"
        SIGNED_OUT_IDLE = "signed_out_idle", "Signed out after inactivity"
        SECOND_FACTOR_ADDED = "second_factor_added", "Second factor added"
        SECOND_FACTOR_REMOVED = "second_factor_removed", "Second factor removed"
        SECOND_FACTOR_FAILED = "second_factor_failed", "Second factor code refused"
        SECOND_FACTOR_RESET = "second_factor_reset", "Second factor reset by an admin"
        RECOVERY_CODES_GENERATED = "recovery_codes_generated", "Recovery codes generated"
        RECOVERY_CODE_USED = "recovery_code_used", "Recovery code used"
        SSO_CONFIGURED = "sso_configured", "Single sign-on configured"
        SSO_REMOVED = "sso_removed", "Single sign-on removed"
        SSO_LINKED = "sso_linked", "Single sign-on linked to an account"
        SSO_ACCOUNT_CREATED = "sso_account_created", "Account created by single sign-on"
        SSO_ORGANISATION_CHOSEN = "sso_organisation_chosen", "Organisation chosen at sign-on"
        SSO_SIGN_IN_REFUSED = "sso_sign_in_refused", "Single sign-on refused"
        API_TOKEN_CREATED = "api_token_created", "API token created"
        API_TOKEN_NEW_ADDRESS = "api_token_new_address", "API token used from a new address"
        API_TOKEN_REVOKED = "api_token_revoked", "API token revoked"
        INTEREST_EXPRESSED = "interest_expressed", "Interest in an initiative sent to its lead"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    action = models.CharField(max_length=60, choices=Action.choices)
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_email = models.CharField(max_length=254, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    organisation_id = models.BigIntegerField(null=True, blank=True)
    organisation_name = models.CharField(max_length=250, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["action", "-at"], name="audit_action_recent")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()} by {self.actor_email}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Audit events are append-only: they are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit events are append-only: they are never deleted.")


# --- single sign-on ---------------------------------------------------------------------------

# An Entra ID issuer names its tenant: https://login.microsoftonline.com/<tenant id>/v2.0
TENANT_IN_ISSUER = re.compile(
    r"/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(/|$)", re.IGNORECASE
)


class IdentityProvider(models.Model):
    """An OpenID Connect provider (a council's Microsoft Entra ID tenant, say) that signs in the
    people of the organisations using it. One provider may serve several organisations.

    The client secret is kept encrypted (`partners.sso.secrets`) or named by the environment
    variable that holds it; it is never shown again once saved."""

    class SubjectClaim(models.TextChoices):
        SUB = "sub", "sub: the standard subject identifier"
        OID = "oid", "oid: Microsoft Entra ID's object id, the same in every application"

    class TokenAuthMethod(models.TextChoices):
        POST = "client_secret_post", "client_secret_post: the secret in the request body"
        BASIC = "client_secret_basic", "client_secret_basic: the secret in HTTP basic auth"

    name = models.CharField(max_length=150, unique=True)
    # In the provider's sign-in and redirect URLs: never changes once made.
    slug = models.SlugField(max_length=60, unique=True, editable=False)
    issuer = models.URLField("issuer URL", max_length=500)
    client_id = models.CharField("client ID", max_length=255)
    client_secret_encrypted = models.TextField(blank=True, editable=False)
    client_secret_env = models.CharField(
        "environment variable holding the client secret", max_length=100, blank=True
    )
    subject_claim = models.CharField(
        max_length=10, choices=SubjectClaim.choices, default=SubjectClaim.SUB
    )
    token_auth_method = models.CharField(
        "how the client authenticates to the token endpoint",
        max_length=30,
        choices=TokenAuthMethod.choices,
        default=TokenAuthMethod.POST,
    )
    enforces_mfa = models.BooleanField(
        "the provider enforces multi-factor authentication", default=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "client_id"], name="identity_provider_one_per_client"
            )
        ]

    def __str__(self):
        return self.name

    @property
    def tenant_id(self):
        """The tenant the issuer names (Entra ID), lower case, or ""."""
        found = TENANT_IN_ISSUER.search(self.issuer)
        return found.group(1).lower() if found else ""

    @property
    def has_secret(self):
        return bool(self.client_secret_encrypted or self.client_secret_env)


class OrganisationSignOn(models.Model):
    """An organisation's single sign-on: the identity provider its people sign in with, the
    email domains it vouches for, and whether someone unknown may get an account (an officer's)."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="sign_on"
    )
    identity_provider = models.ForeignKey(
        IdentityProvider, on_delete=models.PROTECT, related_name="sign_ons"
    )
    creates_accounts = models.BooleanField(
        "people without an account get one, as an officer", default=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organisation__name"]

    def __str__(self):
        return f"{self.organisation} through {self.identity_provider}"


class SignOnDomain(models.Model):
    """An email domain an organisation vouches for (lower case, the part after the last "@").
    Organisations on the same provider may share a domain; the services refuse one claimed by
    organisations on two different providers."""

    sign_on = models.ForeignKey(
        OrganisationSignOn, on_delete=models.CASCADE, related_name="domains"
    )
    domain = models.CharField(max_length=253, db_index=True)

    class Meta:
        ordering = ["domain"]
        constraints = [
            models.UniqueConstraint(fields=["sign_on", "domain"], name="sign_on_domain_once"),
            models.CheckConstraint(
                condition=models.Q(domain=models.functions.Lower("domain")),
                name="sign_on_domain_lower_case",
            ),
        ]

    def __str__(self):
        return self.domain


# --- API tokens and councils' places (partners.models.tokens, partners.models.places) ----------

from partners.models.places import Place, ResilienceForum  # noqa: E402, F401
from partners.models.tokens import ApiToken, ApiTokenAddress  # noqa: E402, F401
