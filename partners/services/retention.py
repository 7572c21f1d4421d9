"""Retention: what the privacy notice promises to delete or anonymise, done by nightly jobs.

Each job is one promise, runs in one transaction, is safe to run twice, and costs the same
queries however many rows the tables hold (bulk DELETE and UPDATE), plus two for each person
it anonymises (their history entry and their audit event). The privacy notice reads the
periods below, so that what it says and what the jobs do cannot drift apart.

People are anonymised, not deleted: history entries, claims, locks and invitations keep
pointing at them, so the record of who did what stays whole, with a name that is no one's."""

from datetime import timedelta

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from partners import history, permissions
from partners.models import AuditEvent, HistoryEntry, Membership, User
from partners.services import audit

SIGN_IN_RECORDS_DAYS = 30
UNACCEPTED_INVITATION_DAYS = 90
ACCOUNT_YEARS = 7
# `.invalid` is reserved (RFC 2606): an anonymised address can never reach anyone.
ANONYMISED_DOMAIN = "anonymised.invalid"
# Fields of a person's own history whose values are the person's name or address.
PERSONAL_FIELDS = {"Name": "full_name", "Email address": "email"}


class Rule:
    """Why a person was anonymised, as the audit event records it (no personal data)."""

    DEACTIVATED_ACCOUNT = "deactivated_account"
    UNACCEPTED_INVITATION = "unaccepted_invitation"
    ON_REQUEST = "on_request"


# The reason each person's history gives.
RULE_REASONS = {
    Rule.DEACTIVATED_ACCOUNT: f"{ACCOUNT_YEARS} years after the account and the records that "
    "needed the name were closed.",
    Rule.UNACCEPTED_INVITATION: "the invitation was not accepted within "
    f"{UNACCEPTED_INVITATION_DAYS} days.",
    Rule.ON_REQUEST: "at the person's request.",
}


def years_before(moment, years):
    """The same moment `years` earlier (28 February for a 29 February)."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


def anonymised_name(pk):
    return f"Former user {pk}"


def anonymised_email(pk):
    return f"former-user-{pk}@{ANONYMISED_DOMAIN}"


def _email_choices():
    """Every email a person may choose to get (the model's `email_*` switches)."""
    return [f.name for f in User._meta.concrete_fields if f.name.startswith("email_")]


def audit_log_days():
    """How long the audit log keeps an event: the AUDIT_RETENTION_DAYS setting."""
    return settings.AUDIT_RETENTION_DAYS


def audit_log_period():
    """The audit log's retention as the privacy notice says it: in years when it is whole
    years (730 days: "2 years"), in days otherwise."""
    days = audit_log_days()
    years, rest = divmod(days, 365)
    if years and not rest:
        return f"{years} year{'s' if years > 1 else ''}"
    return f"{days} day{'s' if days > 1 else ''}"


# --- sign-in records, sessions, the audit log -------------------------------------------------


@transaction.atomic
def sign_in_records_delete_old(*, now=None):
    """Delete django-axes' records of sign-ins, failed and successful, older than
    SIGN_IN_RECORDS_DAYS. A lock-out lasts minutes (AXES_COOLOFF_TIME), so none is lifted."""
    cutoff = (now or timezone.now()) - timedelta(days=SIGN_IN_RECORDS_DAYS)
    return {
        model._meta.model_name: model.objects.filter(attempt_time__lt=cutoff)
        .delete()[1]
        .get(model._meta.label, 0)
        for model in (AccessAttempt, AccessFailureLog, AccessLog)
    }


def sessions_clear_expired():
    """Delete the server's record of every session that has expired (what `clearsessions`
    does, for whichever session engine is configured)."""
    engine = import_string(f"{settings.SESSION_ENGINE}.SessionStore")
    engine.clear_expired()


@transaction.atomic
def audit_events_delete_old(*, now=None):
    """Delete audit events older than AUDIT_RETENTION_DAYS. No event is ever changed, or
    deleted on its own (the model refuses both); the log as a whole is kept for that long, by
    age, and this is the one deletion the model allows."""
    cutoff = (now or timezone.now()) - timedelta(days=audit_log_days())
    return AuditEvent.objects.delete_older_than(cutoff)[0]


# --- people -----------------------------------------------------------------------------------


def people_quiet_since(cutoff):
    """Deactivated people, not yet anonymised, whose accounts have seen nothing since `cutoff`:
    no sign-in, no change they made, no change to the account (deactivation, memberships…).
    Records other apps keep (claims in unlocked years) may still hold them: they narrow this."""
    user_type = ContentType.objects.get_for_model(User)
    return User.objects.filter(
        Q(last_login__isnull=True) | Q(last_login__lt=cutoff),
        ~Exists(HistoryEntry.objects.filter(actor=OuterRef("pk"), at__gte=cutoff)),
        ~Exists(
            HistoryEntry.objects.filter(
                owner_type=user_type, owner_id=OuterRef("pk"), at__gte=cutoff
            )
        ),
        is_active=False,
        anonymised_at__isnull=True,
        date_joined__lt=cutoff,
    )


def people_never_accepting_since(cutoff):
    """People invited who never accepted, whose invitation was last sent (or, never sent, made)
    before `cutoff`, whether or not their account was deactivated since."""
    return User.objects.filter(
        Q(invitation__last_sent_at__lt=cutoff)
        | Q(invitation__last_sent_at__isnull=True, invitation__created_at__lt=cutoff),
        invitation__isnull=False,
        invitation__accepted_at__isnull=True,
        last_login__isnull=True,
        anonymised_at__isnull=True,
    )


@transaction.atomic
def people_anonymise(*, people, rule, actor=None, ip_address=None):
    """Replace the personal data of `people` (a queryset of users) for good, keeping the rows
    that history, claims and invitations point at: the name becomes "Former user <id>", the
    address a unique one on the reserved `.invalid` domain, the password unusable; the account
    is deactivated, loses admin rights, memberships and email choices; the values of the name
    and address in the person's own history are replaced; their sign-in records are deleted.
    Each person's history says so, and an audit event records it by id only. Returns the ids."""
    persons = list(
        User.objects.select_for_update()
        .filter(pk__in=people.values("pk"), anonymised_at__isnull=True)
        .order_by("pk")
    )
    if not persons:
        return []
    ids = [person.pk for person in persons]
    replaced = {}
    now = timezone.now()
    for person in persons:
        new = {"full_name": anonymised_name(person.pk), "email": anonymised_email(person.pk)}
        replaced[person.pk] = {
            "old": {person.full_name: "full_name", person.email: "email"},
            "new": new,
        }
        person.full_name, person.email = new["full_name"], new["email"]
        person.set_unusable_password()
        person.is_active = person.is_staff = person.is_superuser = False
        person.anonymised_at = now
        for choice in _email_choices():
            setattr(person, choice, False)
    User.objects.bulk_update(
        persons,
        [
            "full_name",
            "email",
            "password",
            "is_active",
            "is_staff",
            "is_superuser",
            "anonymised_at",
            *_email_choices(),
        ],
    )
    ended = _memberships_end(ids)
    _own_history_scrub(replaced)
    old_addresses = [
        value
        for person in replaced.values()
        for value, attribute in person["old"].items()
        if attribute == "email"
    ]
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username__in=old_addresses).delete()
    User.groups.through.objects.filter(user_id__in=ids).delete()
    User.user_permissions.through.objects.filter(user_id__in=ids).delete()
    for person in persons:
        history.history_record(
            actor=actor,
            owner=person,
            action="Anonymised",
            changes=[
                {"field": f"Member of {name}", "before": role, "after": ""}
                for name, role in ended.get(person.pk, ())
            ],
            reason=f"Name and email address replaced, sign-in disabled: {RULE_REASONS[rule]}",
        )
        audit.audit_record(
            action=AuditEvent.Action.PERSON_ANONYMISED,
            actor=actor,
            ip_address=ip_address,
            detail={"user_id": person.pk, "rule": rule},
        )
    return ids


def _memberships_end(ids):
    """End the memberships of these people: {user id: [(organisation name, role label)]}."""
    memberships = Membership.objects.filter(user_id__in=ids).select_related("organisation")
    ended = {}
    for membership in memberships:
        ended.setdefault(membership.user_id, []).append(
            (membership.organisation.name, membership.get_role_display())
        )
    Membership.objects.filter(user_id__in=ids).delete()
    return ended


def _own_history_scrub(replaced):
    """In the history pages of these people, their old name and address become the new ones."""
    entries = list(
        HistoryEntry.objects.filter(
            owner_type=ContentType.objects.get_for_model(User), owner_id__in=list(replaced)
        )
    )
    for entry in entries:
        person = replaced[entry.owner_id]
        for change in entry.changes:
            for side in ("before", "after"):
                value = change.get(side)
                attribute = PERSONAL_FIELDS.get(change.get("field")) or person["old"].get(value)
                if value and attribute:
                    change[side] = person["new"][attribute]
    HistoryEntry.objects.bulk_update(entries, ["changes"])


@transaction.atomic
def person_anonymise(*, actor, person, ip_address=None):
    """An admin anonymises a deactivated person who asked for their data to be erased."""
    permissions.require(permissions.can_anonymise(actor, person))
    done = people_anonymise(
        people=User.objects.filter(pk=person.pk, is_active=False),
        rule=Rule.ON_REQUEST,
        actor=actor,
        ip_address=ip_address,
    )
    if not done:
        raise ValidationError(
            "The account was reactivated or anonymised meanwhile: nothing was changed.",
            code="changed",
        )
    return done


@transaction.atomic
def invitations_unaccepted_anonymise(*, now=None):
    """Anonymise the people invited who never accepted within UNACCEPTED_INVITATION_DAYS of the
    invitation's last sending."""
    cutoff = (now or timezone.now()) - timedelta(days=UNACCEPTED_INVITATION_DAYS)
    return people_anonymise(
        people=people_never_accepting_since(cutoff), rule=Rule.UNACCEPTED_INVITATION
    )
