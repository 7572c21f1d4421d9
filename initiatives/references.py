"""References that never collide and are never reused: INI-2026-0001, CLM-2026-0001."""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from initiatives.models import ReferenceSequence


def next_reference(prefix):
    """The next reference of this kind for the current year. Call inside the transaction that
    creates the record: the sequence row stays locked until it commits, so a concurrent caller
    waits and then takes the next number."""
    year = timezone.localdate().year
    with transaction.atomic():
        try:
            with transaction.atomic():
                ReferenceSequence.objects.get_or_create(prefix=prefix, year=year)
        except IntegrityError:
            pass  # created by a concurrent transaction meanwhile: it exists now
        sequence = ReferenceSequence.objects.filter(prefix=prefix, year=year)
        sequence.update(last=F("last") + 1)
        number = sequence.values_list("last", flat=True).get()
    return f"{prefix}-{year}-{number:04d}"
