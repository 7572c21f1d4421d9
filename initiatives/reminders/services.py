"""Sending a run of reminder emails: one email per person, listing everything they are
reminded of, each recorded (ReminderSent) in the same transaction as its sending, so that a
retried or repeated run sends nobody the same reminder twice."""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import get_text_list

from collaborate.kit import mail
from initiatives import financial_years
from initiatives.models import ReminderSent
from initiatives.reminders import selectors, working_days
from partners.services import users as user_services


def _link(name, *args):
    return settings.SITE_URL + reverse(name, args=args)


def reminders_send(reminders, *, kind, period, compose):
    """Send each reminder of a run once (`compose` makes its subject, template and context);
    returns how many were sent."""
    return sum(_send_once(r, kind=kind, period=period, **compose(r)) for r in reminders)


def _send_once(reminder, *, kind, period, subject, template, context):
    """Send one reminder unless it was already sent for this period; 1 if sent, else 0. The
    record is written first and kept only if the email left: an email that fails rolls it
    back, so the retried run sends it then."""
    person = reminder.person
    context = {
        **context,
        "person": person,
        "organisations": get_text_list([o.name for o in reminder.organisations], "and"),
        "preferences_link": user_services.email_preferences_link(),
    }
    try:
        with transaction.atomic():
            ReminderSent.objects.create(
                user=person, kind=kind, period=period, items=len(reminder.items)
            )
            mail.email_deliver(
                to=person.email, subject=subject, body=render_to_string(template, context)
            )
    except IntegrityError:
        return 0  # a run at the same time sent it first
    return 1


def _count(number, one, many):
    return f"{number} {one if number == 1 else many}"


def awaiting_decision_remind(*, today=None):
    """The weekly run: each manager hears once of every claim that has awaited their decision
    for more than WAITING_WORKING_DAYS working days. Returns how many emails it sent."""
    today = today or timezone.localdate()
    period = today - timedelta(days=today.weekday())  # the Monday of this week
    days = selectors.WAITING_WORKING_DAYS
    waited_since = working_days.waited_more_than(days, today=today)

    def compose(reminder):
        items = [
            {
                "claim": claim,
                "waited": working_days.working_days_after(
                    timezone.localdate(claim.submitted_at), today
                ),
                "link": _link("claims:detail", claim.pk),
            }
            for claim in reminder.items
        ]
        claims = _count(len(items), "claim has", "claims have")
        return {
            "subject": f"{claims} waited more than {days} working days for your decision",
            "template": "emails/awaiting_decision_reminder.txt",
            "context": {"items": items, "days": days, "queue_link": _link("claims:review")},
        }

    reminders = selectors.awaiting_decision(
        submitted_before=selectors.start_of_day(waited_since), period=period
    )
    return reminders_send(
        reminders, kind=ReminderSent.Kind.AWAITING_DECISION, period=period, compose=compose
    )


def quiet_initiatives_remind(*, today=None):
    """The monthly run: each officer of a lead organisation hears once of the live initiatives
    it leads that have a target this financial year and no claim in QUIET_DAYS days. Returns
    how many emails it sent."""
    today = today or timezone.localdate()
    period = today.replace(day=1)
    days = selectors.QUIET_DAYS
    year_label = financial_years.label(financial_years.financial_year_of(today))

    def compose(reminder):
        items = [
            {"initiative": initiative, "link": _link("initiatives:claims", initiative.pk)}
            for initiative in reminder.items
        ]
        initiatives = _count(len(items), "initiative", "initiatives")
        return {
            "subject": f"{initiatives} with no savings claim in {days} days",
            "template": "emails/quiet_initiatives_reminder.txt",
            "context": {
                "items": items,
                "days": days,
                "year_label": year_label,
                "several_leads": len(reminder.organisations) > 1,
            },
        }

    reminders = selectors.quiet_initiatives(today=today, period=period)
    return reminders_send(
        reminders, kind=ReminderSent.Kind.QUIET_INITIATIVES, period=period, compose=compose
    )
