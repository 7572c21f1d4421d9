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

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count

from initiatives.imports import kinds, reading, sheets
from initiatives.models import ImportProblem, ImportRow, Initiative
from initiatives.progress import services as progress
from partners.models import Organisation

Action, Outcome = ImportRow.Action, ImportRow.Outcome
KEYS_AT_A_TIME = 200
NO_INITIATIVE = "is about an initiative whose row on the Initiatives sheet has errors"
NOT_IMPORTED = "is about an initiative whose row on the Initiatives sheet was not imported"


class _RolledBack(Exception):
    """Ends a checking transaction: nothing it did is kept."""


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
    run, what was done: {"created": [[reference, title, url], …] (the first kinds.LISTED
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
        problems=reading.Problems(spreadsheet_import),
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
        # no key update, as initiatives.services._locked: other transactions' foreign-key checks
        # on the initiative (a claim verified meanwhile) need not wait for the whole import
        initiative = Initiative.objects.select_for_update(no_key=True).get(pk=initiative.pk)
    for row in by_sheet[sheets.INITIATIVES]:
        initiative = _row_apply(run, row, kinds.initiative_row, initiative) or initiative
    if initiative is None:  # a new initiative whose row failed: nothing else can be applied
        for name in (sheets.TARGETS, sheets.PARTNERS, sheets.CLAIMS):
            for row in by_sheet[name]:
                if row.action != Action.INVALID:
                    _failed(run, row, "", NO_INITIATIVE if run.dry_run else NOT_IMPORTED)
        return
    _rows_apply_together(run, by_sheet[sheets.TARGETS], kinds.targets_rows, initiative)
    _rows_apply_together(run, by_sheet[sheets.PARTNERS], kinds.partners_rows, initiative)
    for row in by_sheet[sheets.CLAIMS]:
        _row_apply(run, row, kinds.claim_row, initiative)


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
            result, action = apply(run, row, kinds.values_of(row), initiative)
    except kinds.RowError as error:
        _failed(run, row, error.column, error.message)
        return None
    except ValidationError as error:
        for column, message in kinds.messages_of(error, row.sheet):
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
    except kinds.RowError as error:
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
            for column, message in kinds.messages_of(messages, row.sheet):
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
