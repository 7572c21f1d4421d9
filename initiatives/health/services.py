"""Writes of the health check: a partner organisation's answer for the current period (answering
again in the same period changes it, kept in the initiative's history), and the weekly run of
reminders of check-ins due."""

from collections import defaultdict
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from collaborate.kit import cache as kit_cache
from collaborate.kit import edits
from initiatives import permissions
from initiatives.health import periods, selectors
from initiatives.models import Dimension, HealthCheck, Initiative, ReminderSent
from initiatives.models.health import SCORE_MAX, SCORE_MIN
from initiatives.progress import services as progress
from initiatives.reminders import selectors as reminder_selectors
from initiatives.reminders import services as reminder_services
from partners import history
from partners.models import Membership
from partners.permissions import require

REFUSED = (
    "Only officers and managers of a partner organisation answer its health check, while the "
    "initiative is live."
)
CONFLICT = (
    "Someone else answered this check-in for your organisation while you were answering it. "
    "The form now shows their answer: check it and send yours again."
)
COMMENT_LENGTH = HealthCheck._meta.get_field("shared_vision_comment").max_length
# The email setting (on /accounts/) that turns the reminders off.
PREFERENCE = "email_health_checks"


def _cleaned(scores, comments):
    """{field: value} of every score and comment, or a ValidationError naming each field."""
    values, errors = {}, {}
    for dimension in Dimension:
        score = scores.get(dimension.value)
        try:
            score = int(score)
        except (TypeError, ValueError):
            score = None
        if score is None or not SCORE_MIN <= score <= SCORE_MAX:
            errors[dimension.value] = (
                f"Choose a score from {SCORE_MIN} to {SCORE_MAX} for "
                f"{dimension.label[:1].lower()}{dimension.label[1:]}"
            )
        values[dimension.value] = score
        comment = ((comments or {}).get(dimension.value) or "").strip()
        if len(comment) > COMMENT_LENGTH:
            errors[f"{dimension.value}_comment"] = (
                f"The comment must be {COMMENT_LENGTH} characters or fewer"
            )
        values[f"{dimension.value}_comment"] = comment
    if errors:
        raise ValidationError(errors, code="health_check")
    return values


def _changes(before, after):
    """History's [{field, before, after}] between two answers' values."""
    changes = []
    for dimension in Dimension:
        for name, label in (
            (dimension.value, dimension.label),
            (f"{dimension.value}_comment", f"{dimension.label}: comment"),
        ):
            if before.get(name) != after[name]:
                changes.append(
                    {
                        "field": label,
                        "before": history.display(before.get(name)),
                        "after": history.display(after[name]),
                    }
                )
    return changes


@transaction.atomic
def health_check_answer(
    *, actor, initiative, organisation, scores, comments=None, expected_version=None, today=None
):
    """Answer the initiative's check-in of the current period for `organisation` (the one the
    actor acts for): `scores` {dimension: 1–5}, `comments` {dimension: text}. Answering again in
    the same period changes the answer. `expected_version` is the version the actor's form was
    loaded with (0: no answer yet); an older one is refused (EditConflict), so that nobody
    overwrites a colleague's answer unseen."""
    current = Initiative.objects.get(pk=initiative.pk)
    require(permissions.can_answer_health_check(actor, current, organisation), REFUSED)
    values = _cleaned(scores, comments)
    period = periods.current_period(current.health_check_months, today=today)
    answer = (
        HealthCheck.objects.select_for_update()
        .filter(initiative=current, organisation=organisation, period_start=period)
        .first()
    )
    # No answer yet is version 0: a form loaded before a colleague's first answer is refused too.
    edits.require_version(answer or HealthCheck(version=0), expected_version, "check-in")
    before = {name: getattr(answer, name) for name in values} if answer else {}
    if answer:
        for name, value in values.items():
            setattr(answer, name, value)
        answer.answered_by = actor
        answer.answered_at = timezone.now()
        answer.version += 1
        answer.save()
    else:
        try:
            with transaction.atomic():
                answer = HealthCheck.objects.create(
                    initiative=current,
                    organisation=organisation,
                    period_start=period,
                    answered_by=actor,
                    answered_at=timezone.now(),
                    **values,
                )
        except IntegrityError:
            raise edits.EditConflict(CONFLICT, code="conflict") from None
    history.history_record(
        actor=actor,
        owner=current,
        action="Health check changed" if before else "Health check answered",
        subject=f"{organisation.name}, {periods.label(period, current.health_check_months)}",
        changes=_changes(before, values),
    )
    progress.progress_mark_dirty([current.pk])  # the insights' health medians, kept fresh
    answers_changed()
    return answer


def answers_changed():
    """The dashboards' panel of initiatives needing attention is cached until answers change."""
    transaction.on_commit(partial(kit_cache.version_bump, selectors.ANSWERS_VERSION_KEY))


# --- reminders --------------------------------------------------------------------------------


def _link(name, *args):
    return settings.SITE_URL + reverse(name, args=args)


def health_checks_remind(*, today=None):
    """The weekly run: every officer and manager of a partner organisation whose check-in on a
    live initiative is due (not answered this period) hears once, in one email listing every
    check-in due, if their email settings allow. Returns how many emails it sent."""
    today = today or timezone.localdate()
    week = today - timedelta(days=today.weekday())  # the Monday of this week
    kind = ReminderSent.Kind.HEALTH_CHECKS_DUE
    due = selectors.due_check_ins(today=today)
    by_organisation = defaultdict(list)
    for partnership in due:
        by_organisation[partnership.organisation_id].append(partnership)
    if not by_organisation:
        return 0
    memberships = (
        Membership.objects.filter(
            organisation_id__in=by_organisation,
            # Officers and managers answer; an auditor of the organisation does not.
            role__in=[Membership.Role.OFFICER, Membership.Role.MANAGER],
            user__in=reminder_selectors.people_to_remind(PREFERENCE, kind, week),
        )
        .select_related("user", "organisation")
        .order_by("user_id", "organisation__name", "organisation_id")
    )
    reminders = {}
    for membership in memberships:
        reminder = reminders.setdefault(
            membership.user_id, reminder_selectors.Reminder(membership.user)
        )
        reminder.organisations.append(membership.organisation)
        reminder.items.extend(by_organisation[membership.organisation_id])

    def compose(reminder):
        items = [
            {
                "initiative": partnership.initiative,
                "organisation": partnership.organisation,
                "period": periods.label(
                    partnership.period_start, partnership.initiative.health_check_months
                ),
                "due_by": periods.due_by(
                    partnership.period_start, partnership.initiative.health_check_months
                ),
                "link": _link("initiatives:health", partnership.initiative_id),
            }
            for partnership in reminder.items
        ]
        several = len(items) != 1
        return {
            "subject": f"{len(items)} collaboration health check{'s' if several else ''} due"
            if several
            else f"A collaboration health check is due: {items[0]['initiative'].reference}",
            "template": "emails/health_checks_reminder.txt",
            "context": {"items": items, "several": several},
        }

    return reminder_services.reminders_send(
        list(reminders.values()), kind=kind, period=week, compose=compose
    )
