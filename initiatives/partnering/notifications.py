"""The email a lead's manager gets when another council expresses interest in an initiative."""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from collaborate.kit import mail
from initiatives.models import Initiative
from initiatives.partnering.services import lead_managers
from partners.models import AuditEvent, User


def interest_notify(*, event_id, user_id):
    """Email one manager the message the event records, with the sender's address to reply
    to; nothing if they are no longer a manager of the lead. Returns how many were sent."""
    event = AuditEvent.objects.filter(
        pk=event_id, action=AuditEvent.Action.INTEREST_EXPRESSED
    ).first()
    if event is None:
        return 0
    initiative = Initiative.objects.select_related("lead").get(pk=event.detail["initiative_id"])
    manager = lead_managers(initiative).filter(pk=user_id).first()
    if manager is None:
        return 0
    sender = User.objects.filter(pk=event.actor_id).first()
    context = {
        "person": manager,
        "sender_name": sender.full_name if sender else event.actor_email,
        "sender_email": event.actor_email,
        "organisation": event.organisation_name,
        "initiative": initiative,
        "message": event.detail["message"],
        "link": settings.SITE_URL + reverse("initiatives:detail", args=[initiative.pk]),
    }
    mail.email_deliver(
        to=manager.email,
        subject=f"{event.organisation_name} is interested in {initiative.title}",
        body=render_to_string("emails/interest_expressed.txt", context),
        reply_to=event.actor_email,
    )
    return 1
