"""The generator's records of the past: references in the order things were made, the history
entries the workflow writes, and the locks on signed-off years."""

from datetime import timedelta

from collaborate.scale.claims import DECISIONS
from collaborate.scale.common import ClaimStatus, Status
from collaborate.scale.store import Record
from initiatives import financial_years
from initiatives.models import FinancialYearLock, ReferenceSequence
from partners.models import HistoryEntry


def references_assign(records, prefix):
    """Number records in the order given (the order they were made), per calendar year, after
    the numbers the product has used already: returns {year: last number used}."""
    last = dict(ReferenceSequence.objects.filter(prefix=prefix).values_list("year", "last"))
    for record in records:
        year = record.created_at.year
        last[year] = last.get(year, 0) + 1
        record.reference = f"{prefix}-{year}-{last[year]:04d}"
    return last


def external_references_assign(rng, records, prefix, share):
    """What imports leave behind: about `share` of the records carry their organisation's own
    reference for them (a project code, a ledger line), unique as the product requires."""
    for record in records:
        if rng.random() < share:
            record.external_reference = f"{prefix}-{record.reference.split('-', 1)[1]}"


def sequences_advance(prefix, last_by_year):
    """The product's next reference in each year comes after the generated ones."""
    for year, last in sorted(last_by_year.items()):
        ReferenceSequence.objects.get_or_create(prefix=prefix, year=year)
        ReferenceSequence.objects.filter(prefix=prefix, year=year, last__lt=last).update(last=last)


def status_change(before, after):
    return [{"field": "Status", "before": before, "after": after}]


def _entry(owner_type, owner, at, actor, action, **details):
    return Record(
        HistoryEntry,
        owner_type=owner_type,
        owner_id=owner.pk,
        at=at,
        actor=actor,
        action=action,
        **details,
    )


def initiative_history(initiatives, owner_type):
    return [
        _entry(
            owner_type,
            initiative,
            initiative.created_at,
            initiative.created_by,
            "Created",
            changes=[
                {"field": "Title", "before": "", "after": initiative.title},
                {"field": "Lead organisation", "before": "", "after": initiative.lead.name},
                *status_change("", Status.PROPOSED.label),
            ],
        )
        for initiative in initiatives
    ]


def claim_history(claims, owner_type):
    """What the workflow records: drafted (an adjustment also on the claim it corrects),
    submitted, decided."""
    entries = []
    for claim in claims:
        drafted = (claim.created_at, claim.created_by)
        if claim.corrects is None:
            changes = [
                {
                    "field": "Financial year",
                    "before": "",
                    "after": financial_years.label(claim.financial_year),
                },
                {"field": "Gross saving", "before": "", "after": f"{claim.gross_amount:,.2f}"},
                *status_change("", ClaimStatus.DRAFT.label),
            ]
            entries.append(_entry(owner_type, claim, *drafted, "Drafted", changes=changes))
        else:
            corrected = claim.corrects
            entries += [
                _entry(
                    owner_type,
                    claim,
                    *drafted,
                    "Drafted as an adjustment",
                    subject=corrected.reference,
                ),
                _entry(
                    owner_type, corrected, *drafted, "Adjustment drafted", subject=claim.reference
                ),
            ]
        if claim.submitted_at:
            changes = status_change(ClaimStatus.DRAFT.label, ClaimStatus.SUBMITTED.label)
            entries.append(
                _entry(
                    owner_type,
                    claim,
                    claim.submitted_at,
                    claim.submitted_by,
                    "Submitted",
                    changes=changes,
                )
            )
        if claim.reviewed_at:
            changes = status_change(ClaimStatus.SUBMITTED.label, ClaimStatus(claim.status).label)
            entries.append(
                _entry(
                    owner_type,
                    claim,
                    claim.reviewed_at,
                    claim.reviewed_by,
                    DECISIONS[claim.status],
                    reason=claim.review_note,
                    changes=changes,
                )
            )
    return entries


def locks_build(rng, calendar, admin):
    """Signed-off years are locked, as an administrator does once the accounts close."""
    already = set(FinancialYearLock.objects.values_list("year", flat=True))
    return [
        FinancialYearLock(
            year=year,
            locked_by=admin,
            locked_at=calendar.moment(
                rng, financial_years.end_of(year) + timedelta(days=rng.randint(150, 183))
            ),
        )
        for year in range(calendar.first_year, calendar.current_year + 1)
        if calendar.locked(year) and year not in already
    ]
