"""How each kind of row is applied through the services, for `applying`: an initiative (made,
or its details changed, and its status moved one allowed step at a time), its targets and its
partners (each set together, as the pages set them), and a claim (made as a draft, or
submitted). Each returns what it did to the row (an ImportRow.Action) or says what is wrong:
a RowError for the row, a service's ValidationError or PermissionDenied."""

from collections import deque

from django.core.exceptions import PermissionDenied, ValidationError

from initiatives import financial_years, inputs, permissions
from initiatives import services as initiative_services
from initiatives.claims import services as claim_services
from initiatives.imports import reading, sheets
from initiatives.models import ImportRow, Initiative, SavingsClaim

Action = ImportRow.Action

EXAMPLE = "is the template's example: delete the example rows, or replace them with your own"
MANAGERS_PARTNERS = (
    "is a change only a manager of the lead organisation can make: ask one to import the partners"
)
UNSET = object()  # a column the sheet does not have: what it would set is left as it is
LISTED = 500  # initiatives created, and updated, linked from the result page

INITIATIVE_FIELDS = {  # header -> Initiative field
    "Your reference": "external_reference",
    "Title": "title",
    "Summary": "summary",
    "Collaboration model": "collaboration_model",
    "Service area": "service_area",
    "Governance model": "governance",
    "Start date": "start_date",
    "Planned end date": "planned_end_date",
    "One-off set-up cost (£)": "setup_cost",
    "Contract term (months)": "contract_months",
    "Break points": "contract_break_points",
    "Procurement started": "procurement_started_on",
    "Contract awarded": "contract_awarded_on",
    "Live since": "live_since",
}
CLAIM_FIELDS = {  # header -> SavingsClaim field
    "Your reference": "external_reference",
    "Financial year": "financial_year",
    "Category": "category",
    "Kind": "kind",
    "Recurrence": "recurrence",
    "Gross saving (£)": "gross_amount",
    "Implementation cost (£)": "implementation_cost",
    "Description": "description",
    "Service quality": "service_quality",
    "Service quality statement": "service_quality_statement",
    "Evidence": "evidence_text",
}
BLANK_AS = {  # what a blank cell of an optional column sets
    "summary": "",
    "external_reference": "",
    "evidence_text": "",
    "implementation_cost": 0,
    "contract_break_points": "",
}


class RowError(Exception):
    def __init__(self, column, message):
        super().__init__(message)
        self.column, self.message = column, message


def values_of(row):
    """The row's typed values, read back through its sheet's parsers."""
    sheet = sheets.BY_NAME[row.sheet]
    values = {}
    for header, value in row.values.items():
        column = sheet.column(header)
        if column is None or value is None or column.parse is None:
            values[header] = value
        else:
            values[header] = column.parse(value)
    return values


FIELD_COLUMNS = {
    sheets.INITIATIVES: {field: header for header, field in INITIATIVE_FIELDS.items()}
    | {"status": "Status", "lead": "Lead organisation"},
    sheets.CLAIMS: {field: header for header, field in CLAIM_FIELDS.items()}
    | {"status": "Status", "net_amount": "Gross saving (£)"},
    sheets.TARGETS: {"savings_expected_from": "Financial year"},
    sheets.PARTNERS: {},
}


def messages_of(error, sheet):
    """(column, message) pairs of a service's ValidationError, on the sheet's columns."""
    if not hasattr(error, "error_dict"):
        return [("", message) for message in error.messages]
    columns = FIELD_COLUMNS[sheet]
    pairs = []
    for name, messages in error.message_dict.items():
        column = columns.get(name, "")
        if name.startswith("target_"):
            column = "Target (£)"
        elif name.startswith("share_"):
            column = "Share of savings (%)"
        pairs.extend((column, message) for message in messages)
    return pairs


# --- initiatives --------------------------------------------------------------------------------


def initiative_row(run, row, values, initiative):
    if sheets.EXAMPLE_REFERENCE in (values.get("Your reference"), values.get("Reference")):
        raise RowError("Your reference", EXAMPLE)
    fields = {
        name: values[header] if values[header] is not None else BLANK_AS.get(name)
        for header, name in INITIATIVE_FIELDS.items()
        if header in values
    }
    if fields.get("governance") is None:
        fields.pop("governance", None)
    _form_check(fields)
    # Typed only for an arrangement live before it was recorded: set on the way to its status,
    # before it becomes live (a new initiative is proposed, which cannot have been live).
    live_since = fields.pop("live_since", UNSET)
    status = values.get("Status")
    lead_id = values.get(reading.LEAD)
    if initiative is None:
        lead = run.organisation(lead_id or run.spreadsheet_import.organisation_id)
        try:
            initiative = initiative_services.initiative_create(actor=run.actor, lead=lead, **fields)
        except PermissionDenied:
            raise RowError(
                "Lead organisation",
                f"is {lead.name}: you can create initiatives only for an organisation you "
                "belong to",
            ) from None
        if live_since is None:
            live_since = UNSET
        _status_move(run, initiative, status, live_since)
        _listed(run, run.created, initiative)
        return initiative, Action.NEW
    if lead_id is not None and lead_id != initiative.lead_id:
        raise RowError(
            "Lead organisation",
            f"is {initiative.lead.name} for {initiative.reference}: an import cannot change "
            "the lead organisation",
        )
    if not permissions.can_edit_initiative(run.actor, initiative):
        raise RowError(
            "Reference",
            f"is {initiative.reference}, which only the lead organisation "
            f"({initiative.lead.name}) can change",
        )
    changed = {name: value for name, value in fields.items() if getattr(initiative, name) != value}
    if changed:
        initiative = initiative_services.initiative_update(
            actor=run.actor, initiative=initiative, **changed
        )
    if live_since == initiative.live_since:
        live_since = UNSET
    moved = _status_move(run, initiative, status, live_since)
    if moved:
        initiative.refresh_from_db()
    if changed or moved:
        _listed(run, run.updated, initiative)
    return initiative, Action.CHANGED if changed or moved else Action.UNCHANGED


def _form_check(fields):
    """The comparison's amount, term and break points read by the edit page's own inputs, so
    that an import says what the page would."""
    for name in inputs.COMPARISON_INPUTS:
        if fields.get(name) in (None, ""):
            continue
        try:
            fields[name] = inputs.COMPARISON_INPUTS[name].clean(fields[name])
        except ValidationError as error:
            raise RowError(FIELD_COLUMNS[sheets.INITIATIVES][name], error.messages[0]) from None


def _listed(run, listing, initiative):
    """Name an initiative the import created or changed, for the result page's links."""
    if not run.dry_run and len(listing) < LISTED:
        listing.append([initiative.reference, initiative.title, initiative.get_absolute_url()])


def _status_path(initiative, wanted):
    """The statuses to go through, one allowed step at a time, from the initiative's status to
    `wanted` (the shortest way), or None when the table cannot reach it."""
    start = initiative.status
    if wanted == start:
        return []
    queue, came_from = deque([start]), {start: None}
    while queue:
        status = queue.popleft()
        if status == start:
            following = initiative.allowed_statuses()
        else:
            following = Initiative.TRANSITIONS[Initiative.Status(status)]
        for step in following:
            if step not in came_from:
                came_from[step] = status
                if step == wanted:
                    path = [step]
                    while came_from[path[-1]] != start:
                        path.append(came_from[path[-1]])
                    return list(reversed(path))
                if step != Initiative.Status.PAUSED:
                    queue.append(step)
    return None


def _status_move(run, initiative, wanted, live_since=UNSET):
    """Move to the `wanted` status one allowed step at a time, setting `live_since` (when
    given) just before the step to live, or after the last step when there is none."""
    path = []
    if wanted is not None and wanted != initiative.status:
        path = _status_path(initiative, wanted)
        if path is None:
            raise RowError(
                "Status",
                f"cannot become {Initiative.Status(wanted).label.lower()}: the initiative is "
                f"{initiative.get_status_display().lower()}, and no allowed step leads there",
            )
    live = path.index(Initiative.Status.LIVE) if Initiative.Status.LIVE in path else len(path)
    for index, status in enumerate([*path, None]):
        if index == live and live_since is not UNSET:
            initiative = initiative_services.initiative_update(
                actor=run.actor, initiative=initiative, live_since=live_since
            )
        if status is not None:
            initiative = initiative_services.initiative_change_status(
                actor=run.actor, initiative=initiative, status=status, reason=run.reason
            )
    return bool(path) or live_since is not UNSET


# --- targets and partners -------------------------------------------------------------------


def targets_rows(run, rows, initiative, wrong):
    """An initiative's targets, with the rows' years set and the others kept."""
    years = set(initiative.savings_years())
    existing = {t.financial_year: t.amount for t in initiative.targets.all()}
    wanted, actions, seen = dict(existing), {}, set()
    for row in rows:
        values = values_of(row)
        year, amount = values["Financial year"], values["Target (£)"]
        if year not in years:
            wrong[row.pk] = (
                "Financial year",
                f"is {financial_years.label(year)}: {initiative.reference} has targets from "
                f"{financial_years.label(min(years))} to {financial_years.label(max(years))}",
            )
            continue
        if year in seen:
            wrong[row.pk] = ("Financial year", f"has two rows for {financial_years.label(year)}")
            continue
        seen.add(year)
        wanted[year] = amount
        if year not in existing:
            actions[row.pk] = Action.NEW
        else:
            actions[row.pk] = Action.CHANGED if existing[year] != amount else Action.UNCHANGED
    if wanted != existing:
        initiative_services.targets_set(
            actor=run.actor,
            initiative=initiative,
            targets=wanted,
            not_for_savings=initiative.not_for_savings,
            reason=initiative.not_for_savings_reason,
        )
    return actions


def partners_rows(run, rows, initiative, wrong):
    """An initiative's partners and shares: the rows' partners added and their shares set, the
    other partners' shares kept; the shares must then add up to 100%."""
    partnerships = {
        p.organisation_id: p.savings_share
        for p in initiative.partnerships.filter(removed_on__isnull=True)
    }
    shares, actions, joining, seen = dict(partnerships), {}, [], set()
    for row in rows:
        values = values_of(row)
        organisation_id, share = values[reading.PARTNER], values["Share of savings (%)"]
        if organisation_id in seen:
            wrong[row.pk] = ("Partner", "is on two rows for the same initiative")
            continue
        seen.add(organisation_id)
        if organisation_id not in partnerships:
            joining.append(organisation_id)
            actions[row.pk] = Action.NEW
        else:
            actions[row.pk] = (
                Action.CHANGED if partnerships[organisation_id] != share else Action.UNCHANGED
            )
        shares[organisation_id] = share
    if shares == partnerships:
        return actions
    if not permissions.can_manage_partners(run.actor, initiative):
        for pk, action in actions.items():  # the rows that would change something
            if action != Action.UNCHANGED:
                wrong[pk] = ("Partner", MANAGERS_PARTNERS)
        return actions
    total = sum(shares.values())
    if total != initiative_services.HUNDRED:
        raise RowError(
            "Share of savings (%)",
            f"would make the shares of {initiative.reference}'s partners add up to {total}%: "
            "they must add up to 100%",
        )
    for organisation_id in joining:
        initiative_services.partnership_add(
            actor=run.actor,
            initiative=initiative,
            organisation=run.organisation(organisation_id),
        )
    initiative_services.shares_set(actor=run.actor, initiative=initiative, shares=shares)
    return actions


# --- claims ------------------------------------------------------------------------------------

ARRIVES_AS = (SavingsClaim.Status.DRAFT, SavingsClaim.Status.SUBMITTED)


def claim_row(run, row, values, initiative):
    if sheets.EXAMPLE_REFERENCE in (
        values.get("Your reference"),
        values.get("Initiative reference"),
    ):
        raise RowError("Your reference", EXAMPLE)
    claimant = run.organisation(
        values.get(reading.CLAIMANT) or run.spreadsheet_import.organisation_id
    )
    fields = {
        name: values[header] if values[header] is not None else BLANK_AS.get(name)
        for header, name in CLAIM_FIELDS.items()
        if header in values
    }
    status = values.get("Status")
    claim = _claim_named(run, values, initiative, claimant)
    if claim is None:
        if status not in (None, *ARRIVES_AS):
            raise RowError(
                "Status",
                "must be Draft or Awaiting decision: claims arrive as drafts or submitted, and "
                "a manager of the lead organisation decides them",
            )
        claim = claim_services.claim_create(
            actor=run.actor, initiative=initiative, claimant=claimant, **fields
        )
        if status == SavingsClaim.Status.SUBMITTED:
            claim_services.claim_submit(actor=run.actor, claim=claim)
        return claim, Action.NEW
    changed = {name: value for name, value in fields.items() if getattr(claim, name) != value}
    submit = status == SavingsClaim.Status.SUBMITTED and claim.status in SavingsClaim.EDITABLE
    if status not in (None, claim.status) and not submit:
        raise RowError(
            "Status",
            f"cannot change: {claim.reference} is {claim.get_status_display().lower()}, and an "
            "import can only submit a draft or returned claim",
        )
    if changed:
        if not claim.editable:
            raise RowError(
                "Reference",
                f"is {claim.reference}, which is {claim.get_status_display().lower()}: only a "
                "draft or returned claim can be changed",
            )
        claim = claim_services.claim_update(actor=run.actor, claim=claim, **changed)
    if submit:
        claim_services.claim_submit(actor=run.actor, claim=claim)
    return claim, Action.CHANGED if changed or submit else Action.UNCHANGED


def _claim_named(run, values, initiative, claimant):
    """The existing claim a row is about, by our reference or the claimant's own, or None."""
    visible = permissions.claims_visible_to(user=run.actor).select_related("claimant")
    reference, own = values.get("Reference"), values.get("Your reference")
    if reference is not None:
        claim = visible.filter(reference=reference).first()
        if claim is None:
            raise RowError(
                "Reference",
                f"names no claim you can see: '{reference}'. Leave Reference empty to make a "
                "new claim",
            )
    elif own is not None:
        claim = visible.filter(claimant=claimant, external_reference=own).first()
    else:
        return None
    if claim is not None and claim.initiative_id != initiative.pk:
        raise RowError(
            "Initiative reference",
            f"is not the initiative of {claim.reference} ({claim.initiative.reference})",
        )
    return claim
