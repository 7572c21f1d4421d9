"""The rules the stored data must keep, checked on any database (`manage.py check_data`).

Each check only reads, and returns a list of failures as sentences a person can act on (an
empty list: the rule holds). The data generator runs the same checks on what it made before
keeping it. Checks that look at initiatives and claims take `initiatives`, a queryset to limit
them to; by default they look at all of them. Every check is called as `check(initiatives)`."""

from decimal import Decimal

from django.db.models import Count, DecimalField, Exists, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from initiatives.models import (
    ClaimAttribution,
    Initiative,
    ReferenceSequence,
    SavingsClaim,
)
from initiatives.progress.reconcile import progress_differences

HUNDRED = Decimal("100")
EXAMPLES = 5  # how many offending records a failure names
AMOUNT = DecimalField(max_digits=16, decimal_places=2)


def _named(count, what, references):
    """'3 initiatives …: INI-2024-0001, INI-2024-0007, …' (a few of them, by reference)."""
    shown = ", ".join(references[:EXAMPLES])
    more = ", …" if count > EXAMPLES else ""
    return f"{count} {what}: {shown}{more}"


def _initiatives(initiatives):
    return Initiative.objects.all() if initiatives is None else initiatives


def _claims(initiatives):
    if initiatives is None:
        return SavingsClaim.objects.all()
    return SavingsClaim.objects.filter(initiative__in=initiatives)


def share_failures(initiatives=None):
    """On every initiative the active partners' savings shares sum to exactly 100."""
    active_total = Coalesce(
        Sum("partnerships__savings_share", filter=Q(partnerships__removed_on__isnull=True)),
        Value(Decimal("0")),
        output_field=AMOUNT,
    )
    off = (
        _initiatives(initiatives)
        .annotate(total=active_total)
        .exclude(total=HUNDRED)
        .order_by("reference")
    )
    found = [f"{reference} ({total})" for reference, total in off.values_list("reference", "total")]
    if not found:
        return []
    return [_named(len(found), "initiatives' active shares do not sum to 100", found)]


def lead_failures(initiatives=None):
    """Every initiative's lead organisation is an active partner in it, exactly once."""
    lead_partnerships = Count(
        "partnerships",
        filter=Q(partnerships__organisation=F("lead"), partnerships__removed_on__isnull=True),
    )
    off = (
        _initiatives(initiatives)
        .annotate(lead_partnerships=lead_partnerships)
        .exclude(lead_partnerships=1)
        .order_by("reference")
    )
    found = list(off.values_list("reference", flat=True))
    if not found:
        return []
    return [_named(len(found), "initiatives' leads are not active partners exactly once", found)]


def highest_reference_numbers(references):
    """{(prefix, year): highest number} of references like CLM-2024-0123."""
    highest = {}
    for reference in references:
        prefix, year, number = reference.split("-")
        key = (prefix, int(year))
        highest[key] = max(highest.get(key, 0), int(number))
    return highest


def reference_failures(initiatives=None):
    """Initiative and claim references are unique, and no reference sequence is behind the
    references in use (the next number it hands out would be taken). Always over the whole
    database, whatever `initiatives` says: one reference may collide with any other."""
    failures = []
    sequences = {(s.prefix, s.year): s.last for s in ReferenceSequence.objects.all()}
    for model in (Initiative, SavingsClaim):
        repeated = (
            model.objects.values("reference")
            .annotate(n=Count("pk"))
            .filter(n__gt=1)
            .order_by("reference")
        )
        if found := list(repeated.values_list("reference", flat=True)):
            what = f"{model._meta.verbose_name} references are used more than once"
            failures.append(_named(len(found), what, found))
        references = model.objects.order_by().values_list("reference", flat=True)
        behind = sorted(
            f"{prefix}-{year} at {sequences.get((prefix, year), 0)}, in use up to {top}"
            for (prefix, year), top in highest_reference_numbers(references).items()
            if sequences.get((prefix, year), 0) < top
        )
        if behind:
            failures.append(_named(len(behind), "reference sequences are behind", behind))
    return failures


def attribution_failures(initiatives=None):
    """Each verified claim's attributions sum to its net amount, to the penny."""
    attributed = Subquery(
        ClaimAttribution.objects.filter(claim=OuterRef("pk"))
        .order_by()
        .values("claim")
        .annotate(total=Sum("amount"))
        .values("total"),
        output_field=AMOUNT,
    )
    off = (
        _claims(initiatives)
        .filter(status=SavingsClaim.Status.VERIFIED)
        .annotate(attributed=Coalesce(attributed, Value(Decimal("0")), output_field=AMOUNT))
        .exclude(attributed=F("net_amount"))
        .order_by("reference")
    )
    found = [
        f"{reference} (net {net}, attributed {total})"
        for reference, net, total in off.values_list("reference", "net_amount", "attributed")
    ]
    if not found:
        return []
    return [_named(len(found), "verified claims' attributions do not sum to their net", found)]


def decision_failures(initiatives=None):
    """No verified claim says outputs fell (that is a cut, which verifying refuses), and no
    claim was decided by someone who created, edited or submitted it."""
    failures = []
    claims = _claims(initiatives).order_by("reference")
    cuts = claims.filter(
        status=SavingsClaim.Status.VERIFIED, service_quality=SavingsClaim.ServiceQuality.FELL
    )
    if found := list(cuts.values_list("reference", flat=True)):
        failures.append(_named(len(found), "verified claims say outputs fell", found))
    took_part = SavingsClaim.participants.through.objects.filter(
        savingsclaim_id=OuterRef("pk"), user_id=OuterRef("reviewed_by_id")
    )
    own = claims.filter(
        Q(reviewed_by=F("submitted_by")) | Q(reviewed_by=F("created_by")) | Exists(took_part)
    )
    if found := list(own.values_list("reference", flat=True)):
        what = "claims were decided by someone who created, edited or submitted them"
        failures.append(_named(len(found), what, found))
    return failures


def computed_table_failures(initiatives=None):
    """The progress tables behind the dashboards equal a fresh computation from the source
    tables, over the whole database (the totals of all organisations depend on every
    initiative). A recompute still queued shows as a difference until it runs."""
    return [
        f"{n} rows of the computed progress table '{table}' differ from a fresh computation"
        for table, n in progress_differences().items()
        if n
    ]


# The rules of the source data, by the name `manage.py check_data` reports.
SOURCE_CHECKS = {
    "shares": share_failures,
    "leads": lead_failures,
    "references": reference_failures,
    "attributions": attribution_failures,
    "decisions": decision_failures,
}
# Every check: the source data, then the tables computed from it.
CHECKS = {**SOURCE_CHECKS, "computed tables": computed_table_failures}


def source_failures(initiatives=None):
    """The failures of every check of the source data, in one list: what the generator runs on
    what it made, before the progress tables are recomputed."""
    return [failure for check in SOURCE_CHECKS.values() for failure in check(initiatives)]
