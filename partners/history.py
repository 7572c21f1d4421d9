"""Recording history: who changed what, when, from which value to which (DESIGN.md §2)."""

from datetime import date, datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.utils import formats, timezone

from partners.models import HistoryEntry


def display(value):
    """A value as people read it in a history table."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "j M Y H:i")
    if isinstance(value, date):
        return formats.date_format(value, "j M Y")
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    return str(value)


def snapshot(instance, fields):
    """{field label: displayed value} for the named fields of a model instance: choices by
    their label, foreign keys by their name."""
    values = {}
    for name in fields:
        field = instance._meta.get_field(name)
        if field.choices:
            value = getattr(instance, f"get_{name}_display")()
        else:
            value = getattr(instance, name)  # a foreign key shows as its object's str()
        label = str(field.verbose_name)
        values[label[:1].upper() + label[1:]] = display(value)
    return values


def changes_between(before, after):
    """[{field, before, after}] for every field whose displayed value changed."""
    return [
        {"field": field, "before": before.get(field, ""), "after": value}
        for field, value in after.items()
        if before.get(field, "") != value
    ]


def history_record(*, actor, owner, action, subject="", changes=(), reason=""):
    """Keep one history entry on `owner`'s History page."""
    return HistoryEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        owner_type=ContentType.objects.get_for_model(owner),
        owner_id=owner.pk,
        action=action,
        subject=subject[:250],
        changes=list(changes),
        reason=reason,
    )


def history_record_created(*, actor, owner, fields, action="Created", reason=""):
    """The first entry on a new record's History page: each of `fields` with its value."""
    return history_record(
        actor=actor,
        owner=owner,
        action=action,
        changes=changes_between({}, snapshot(owner, fields)),
        reason=reason,
    )


def history_of(owner):
    """The entries of one owner's History page, newest first, with who made them."""
    return HistoryEntry.objects.filter(
        owner_type=ContentType.objects.get_for_model(owner), owner_id=owner.pk
    ).select_related("actor")
