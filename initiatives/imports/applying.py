"""The second half of checking an import, and the import itself: the rows of each initiative
applied through the same services as the pages (permissions, history, references), in one
transaction per initiative.

Checking (`dry_run=True`) applies each initiative's rows and rolls the transaction back, so the
report says exactly what importing would do, by the same rules, and nothing is written but the
report: whether each row is new, changed or unchanged, and every error. Importing applies them
again for real (data may have changed since the check; a row that fails now is skipped and
reported), marks what changed for recomputing, and queues one recompute for the whole batch.

Each row is applied in its own savepoint, so a row that fails leaves its initiative's other
rows to be applied. Rows are read from the database a group at a time: memory does not grow
with the file."""

from collections import deque
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count

from initiatives import financial_years, permissions
from initiatives import services as initiative_services
from initiatives.claims import services as claim_services
from initiatives.imports import reading, sheets
from initiatives.models import ImportProblem, ImportRow, Initiative, SavingsClaim
from initiatives.progress import services as progress
from partners.models import Organisation

Action, Outcome = ImportRow.Action, ImportRow.Outcome
KEYS_AT_A_TIME = 200
EXAMPLE = "is the template's example: delete the example rows, or replace them with your own"
MANAGERS_PARTNERS = (
    "is a change only a manager of the lead organisation can make: ask one to import the partners"
)
NO_INITIATIVE = "is about an initiative whose row on the Initiatives sheet has errors"
NOT_IMPORTED = "is about an initiative whose row on the Initiatives sheet was not imported"
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
}


class _RolledBack(Exception):
    """Ends a checking transaction: nothing it did is kept."""


class RowError(Exception):
    def __init__(self, column, message):
        super().__init__(message)
        self.column, self.message = column, message


@dataclass
class _Run:
    spreadsheet_import: object
    dry_run: bool
    reason: str
    problems: object
    created: list = field(default_factory=list)  # [reference, title, url] of initiatives
    updated: list = field(default_factory=list)
    outcomes: dict = field(default_factory=dict)

    organisations: dict = field(default_factory=dict)  # the few a file names, by id

    @property
    def actor(self):
        return self.spreadsheet_import.uploaded_by

    def organisation(self, pk):
        if pk not in self.organisations:
            self.organisations[pk] = Organisation.objects.get(pk=pk)
        return self.organisations[pk]


def rows_apply(spreadsheet_import, *, dry_run, report):
    """Apply every row with an initiative (see the module's docstring). Returns, when not a dry
    run, what was done: {"created": [[reference, title, url], …] (the first LISTED
    initiatives), "updated": […] (the same), and rows by outcome: "created_count",
    "updated_count", "unchanged_count", "skipped_count"}."""
    rows = ImportRow.objects.filter(spreadsheet_import=spreadsheet_import)
    everything = rows
    if not dry_run:  # rows already imported, by a run that was cut off, are done
        rows = rows.filter(outcome="")
    run = _Run(
        spreadsheet_import=spreadsheet_import,
        dry_run=dry_run,
        reason=f"Imported from {spreadsheet_import.original_name}",
        problems=reading._Problems(spreadsheet_import),
    )
    total = everything.count()
    done = total - rows.exclude(key="").count()
    report(done, total)
    with progress.progress_batch(queue=not dry_run):
        last = ""
        while True:
            keys = list(
                rows.filter(key__gt=last)
                .order_by("key")
                .values_list("key", flat=True)
                .distinct()[:KEYS_AT_A_TIME]
            )
            if not keys:
                break
            for key in keys:
                group = list(rows.filter(key=key).order_by("pk"))
                _group_apply(run, key, group)
                done += len(group)
            last = keys[-1]
            run.problems.flush()
            _outcomes_save(run)
            report(done, total)
    run.problems.flush()
    _outcomes_save(run)
    if dry_run:
        return None
    counted = dict(
        everything.exclude(outcome="").values_list("outcome").annotate(n=Count("pk")).order_by()
    )
    return {
        "created": run.created,
        "updated": run.updated,
        "created_count": counted.get(Outcome.CREATED, 0),
        "updated_count": counted.get(Outcome.UPDATED, 0),
        "unchanged_count": counted.get(Outcome.UNCHANGED, 0),
        "skipped_count": counted.get(Outcome.SKIPPED, 0),
    }


def _outcomes_save(run):
    """Write what happened to each row of the groups just applied: by checking, the action;
    by importing, the outcome."""
    by_value = {}
    for pk, value in run.outcomes.items():
        by_value.setdefault(value, []).append(pk)
    name = "action" if run.dry_run else "outcome"
    for value, pks in by_value.items():
        ImportRow.objects.filter(pk__in=pks).update(**{name: value})
    run.outcomes = {}


def counts_of(spreadsheet_import):
    """{sheet: {"new": n, "changed": n, "unchanged": n, "invalid": n}, "total": {…}}."""
    counts = {"total": dict.fromkeys(Action.values, 0)}
    grouped = (
        ImportRow.objects.filter(spreadsheet_import=spreadsheet_import)
        .values_list("sheet", "action")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for sheet, action, n in grouped:
        action = action or Action.UNCHANGED
        counts.setdefault(sheet, dict.fromkeys(Action.values, 0))[action] += n
        counts["total"][action] += n
    return counts


# --- one initiative's rows ----------------------------------------------------------------------


def _group_apply(run, key, group):
    if run.dry_run:
        try:
            with transaction.atomic():
                _group_write(run, key, group)
                raise _RolledBack
        except _RolledBack:
            pass
    else:
        with transaction.atomic():  # what was done with the rows is kept with what they did
            _group_write(run, key, group)
            _outcomes_save(run)
            run.problems.flush()


def _group_write(run, key, group):
    by_sheet = {name: [] for name in sheets.BY_NAME}
    for row in group:
        by_sheet[row.sheet].append(row)
    initiative = reading.initiative_of(key)
    if initiative is not None:
        initiative = Initiative.objects.select_for_update().get(pk=initiative.pk)
    for row in by_sheet[sheets.INITIATIVES]:
        initiative = _row_apply(run, row, _initiative_row, initiative) or initiative
    if initiative is None:  # a new initiative whose row failed: nothing else can be applied
        for name in (sheets.TARGETS, sheets.PARTNERS, sheets.CLAIMS):
            for row in by_sheet[name]:
                if row.action != Action.INVALID:
                    _failed(run, row, "", NO_INITIATIVE if run.dry_run else NOT_IMPORTED)
        return
    _rows_apply_together(run, by_sheet[sheets.TARGETS], _targets_rows, initiative)
    _rows_apply_together(run, by_sheet[sheets.PARTNERS], _partners_rows, initiative)
    for row in by_sheet[sheets.CLAIMS]:
        _row_apply(run, row, _claim_row, initiative)


def _to_apply(run, rows):
    """The rows to apply: by checking, those reading found no error in; by importing, those
    checking found new or changed (the others' outcome is said here)."""
    if run.dry_run:
        return [row for row in rows if row.action != Action.INVALID]
    for row in rows:
        if row.action == Action.UNCHANGED:
            run.outcomes[row.pk] = Outcome.UNCHANGED
    return [row for row in rows if row.action in (Action.NEW, Action.CHANGED)]


def _row_apply(run, row, apply, initiative):
    """Apply one row in a savepoint; returns what `apply` returns, or None if it failed or
    was not applied."""
    if not _to_apply(run, [row]):
        return None
    try:
        with transaction.atomic():
            result, action = apply(run, row, _values(row), initiative)
    except RowError as error:
        _failed(run, row, error.column, error.message)
        return None
    except ValidationError as error:
        for column, message in _messages(error, row.sheet):
            _failed(run, row, column, message)
        return None
    except PermissionDenied as error:
        _failed(run, row, "", str(error) or "You may not make this change.")
        return None
    _done(run, row, action)
    return result


def _rows_apply_together(run, rows, apply, initiative):
    """Rows that one service call applies together (an initiative's targets, its partners).
    `apply` returns {row pk: action} for the rows it applied, and {row pk: (column, message)}
    for those it left out as wrong in themselves; an error it raises is the group's."""
    usable = _to_apply(run, rows)
    if not usable:
        return
    wrong = {}
    try:
        with transaction.atomic():
            actions = apply(run, usable, initiative, wrong)
    except RowError as error:
        failures = [(error.column, error.message)]
    except ValidationError as error:
        failures = None
        messages = error
    except PermissionDenied as error:
        failures = [("", str(error))]
    else:
        failures = []
    for row in usable:
        if row.pk in wrong:
            _failed(run, row, *wrong[row.pk])
        elif failures is None:
            for column, message in _messages(messages, row.sheet):
                _failed(run, row, column, message)
        elif failures:
            for column, message in failures:
                _failed(run, row, column, message)
        elif row.pk in actions:
            _done(run, row, actions[row.pk])


def _done(run, row, action):
    if run.dry_run:
        run.outcomes[row.pk] = action
    else:
        run.outcomes[row.pk] = {
            Action.NEW: Outcome.CREATED,
            Action.CHANGED: Outcome.UPDATED,
            Action.UNCHANGED: Outcome.UNCHANGED,
        }[action]


def _failed(run, row, column, message):
    """A row that cannot be applied: an error of the report, or a row skipped by the import."""
    if run.dry_run:
        run.problems.add(row, column, message)
        run.outcomes[row.pk] = Action.INVALID
    else:
        run.problems.add(row, column, message, when=ImportProblem.When.IMPORTING)
        run.outcomes[row.pk] = Outcome.SKIPPED


def _values(row):
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


def _messages(error, sheet):
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


def _initiative_row(run, row, values, initiative):
    if sheets.EXAMPLE_REFERENCE in (values.get("Your reference"), values.get("Reference")):
        raise RowError("Your reference", EXAMPLE)
    fields = {
        name: values[header] if values[header] is not None else BLANK_AS.get(name)
        for header, name in INITIATIVE_FIELDS.items()
        if header in values
    }
    if fields.get("governance") is None:
        fields.pop("governance", None)
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
        _status_move(run, initiative, status)
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
    moved = _status_move(run, initiative, status)
    if moved:
        initiative.refresh_from_db()
    if changed or moved:
        _listed(run, run.updated, initiative)
    return initiative, Action.CHANGED if changed or moved else Action.UNCHANGED


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


def _status_move(run, initiative, wanted):
    if wanted is None or wanted == initiative.status:
        return False
    path = _status_path(initiative, wanted)
    if path is None:
        raise RowError(
            "Status",
            f"cannot become {Initiative.Status(wanted).label.lower()}: the initiative is "
            f"{initiative.get_status_display().lower()}, and no allowed step leads there",
        )
    for status in path:
        initiative = initiative_services.initiative_change_status(
            actor=run.actor, initiative=initiative, status=status, reason=run.reason
        )
    return True


# --- targets and partners -------------------------------------------------------------------


def _targets_rows(run, rows, initiative, wrong):
    """An initiative's targets, with the rows' years set and the others kept."""
    years = set(initiative.savings_years())
    existing = {t.financial_year: t.amount for t in initiative.targets.all()}
    wanted, actions, seen = dict(existing), {}, set()
    for row in rows:
        values = _values(row)
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


def _partners_rows(run, rows, initiative, wrong):
    """An initiative's partners and shares: the rows' partners added and their shares set, the
    other partners' shares kept; the shares must then add up to 100%."""
    partnerships = {
        p.organisation_id: p.savings_share
        for p in initiative.partnerships.filter(removed_on__isnull=True)
    }
    shares, actions, joining, seen = dict(partnerships), {}, [], set()
    for row in rows:
        values = _values(row)
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


def _claim_row(run, row, values, initiative):
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
