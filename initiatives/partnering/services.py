"""Expressing interest: a short message from a council to the managers of the organisation
that leads an initiative it found, sent by email through Celery with the sender's name,
organisation and address to reply to (the recipients' addresses are never shown to the
sender). Rate-limited per person and recorded in the audit log."""

from django.core.exceptions import ValidationError
from django.db import transaction

from initiatives import permissions
from partners.models import AuditEvent, Membership, User
from partners.permissions import require
from partners.services import audit, email_limits

MESSAGE_LENGTH = 2000
REFUSED = "You cannot send a message about this initiative."


def lead_managers(initiative):
    """The active managers of the initiative's lead organisation: who hears of an interest."""
    return User.objects.filter(
        is_active=True,
        memberships__organisation_id=initiative.lead_id,
        memberships__role=Membership.Role.MANAGER,
    ).order_by("pk")


@transaction.atomic
def interest_express(*, actor, organisation, initiative, message, ip_address=None):
    """Send the lead's managers `message` from `actor`, acting for `organisation`: one email
    each, queued on commit. Returns the AuditEvent that records it."""
    require(permissions.can_express_interest(actor, organisation, initiative), REFUSED)
    text = (message or "").strip()
    if not text:
        raise ValidationError({"message": "Write your message to the lead"}, code="required")
    if len(text) > MESSAGE_LENGTH:
        raise ValidationError(
            {"message": f"Your message must be {MESSAGE_LENGTH:,} characters or fewer"},
            code="max_length",
        )
    managers = list(lead_managers(initiative).values_list("pk", flat=True))
    if not managers:
        raise ValidationError(
            f"Nobody at {initiative.lead.name} can receive messages about it yet: try again "
            "later, or contact them another way.",
            code="no_managers",
        )
    if not email_limits.sender_allowed("interest", user_id=actor.pk):
        raise ValidationError(
            "You have sent as many messages as you may in an hour: try again later.",
            code="limit",
        )
    event = audit.audit_record(
        action=AuditEvent.Action.INTEREST_EXPRESSED,
        actor=actor,
        ip_address=ip_address,
        organisation=organisation,
        detail={
            "initiative_id": initiative.pk,
            "initiative": initiative.reference,
            "lead": initiative.lead.name,
            "recipients": len(managers),
            "message": audit.typed(text),
        },
    )
    from initiatives.partnering import tasks  # the tasks call the notifications module

    for manager in managers:
        transaction.on_commit(
            lambda manager=manager: tasks.interest_notify.delay(event_id=event.pk, user_id=manager)
        )
    return event
