"""The sheets an import reads, in the order it reads them, with their columns: the same headings
the downloads write (initiatives.columns), so a download can be edited and uploaded again.

Columns a download writes but an import does not read (computed figures, who decided a claim)
are accepted and ignored: `IGNORED` says which, and the template leaves them out."""

from functools import partial

from collaborate.kit.spreadsheets import (
    Column,
    Sheet,
    parse_amount,
    parse_choice,
    parse_date,
    parse_financial_year,
    parse_text,
)
from initiatives.models import Initiative, SavingsClaim

INITIATIVES = "Initiatives"
TARGETS = "Targets"
PARTNERS = "Partners"
CLAIMS = "Claims"


def choice(choices):
    return partial(parse_choice, choices=choices)


CLAIM_STATUSES = [
    (SavingsClaim.Status.DRAFT.value, SavingsClaim.Status.DRAFT.label),
    (SavingsClaim.Status.SUBMITTED.value, SavingsClaim.Status.SUBMITTED.label),
    (SavingsClaim.Status.SUBMITTED.value, "Submitted"),
    (SavingsClaim.Status.RETURNED.value, SavingsClaim.Status.RETURNED.label),
    (SavingsClaim.Status.VERIFIED.value, SavingsClaim.Status.VERIFIED.label),
    (SavingsClaim.Status.REJECTED.value, SavingsClaim.Status.REJECTED.label),
]
# What a person may choose in the template's Status list of claims: an import makes drafts and
# submits them, never decides them (a download's other statuses are read for round trips).
CLAIM_STATUSES_CHOSEN = [SavingsClaim.Status.DRAFT.label, SavingsClaim.Status.SUBMITTED.label]


ERRORS = "Errors"  # the column a report's download of the rows with errors adds


def _ignored(*headers):
    return [Column(header, optional=True) for header in (*headers, ERRORS)]


# Each column: the heading, how its cell is read, whether the heading may be missing. A
# missing optional column leaves what it would set as it is.
SHEETS = [
    Sheet(
        INITIATIVES,
        [
            Column("Reference", parse_text, optional=True),
            Column("Your reference", parse_text, optional=True),
            Column("Title", parse_text),
            Column("Summary", parse_text, optional=True),
            Column("Lead organisation", parse_text, optional=True),
            Column("Status", choice(Initiative.Status), optional=True),
            Column("Collaboration model", choice(Initiative.CollaborationModel)),
            Column("Service area", choice(Initiative.ServiceArea)),
            Column("Governance model", choice(Initiative.Governance), optional=True),
            Column("Start date", parse_date),
            Column("Planned end date", parse_date, optional=True),
            # What comparing collaboration with outsourcing needs; the contract term is read
            # by the edit page's own input (initiatives.inputs), which says what it accepts.
            Column("One-off set-up cost (£)", parse_amount, optional=True),
            Column("Contract term (months)", parse_text, optional=True),
            Column("Break points", parse_text, optional=True),
            Column("Procurement started", parse_date, optional=True),
            Column("Contract awarded", parse_date, optional=True),
            Column("Live since", parse_date, optional=True),
            *_ignored(
                "Published",
                "RAG status",
                "Target to date",
                "Verified to date",
                "Verified as % of target to date",
                "Figures updated at",
                "Partners",
                "Targets by financial year",
            ),
        ],
    ),
    Sheet(
        TARGETS,
        [
            Column("Reference", parse_text),
            Column("Financial year", parse_financial_year),
            Column("Target (£)", parse_amount),
            *_ignored(),
        ],
    ),
    Sheet(
        PARTNERS,
        [
            Column("Reference", parse_text),
            Column("Partner", parse_text),
            Column("ONS/GSS code", parse_text, optional=True),
            Column("Share of savings (%)", parse_amount),
            *_ignored("Joined on"),
        ],
    ),
    Sheet(
        CLAIMS,
        [
            Column("Reference", parse_text, optional=True),
            Column("Your reference", parse_text, optional=True),
            Column("Initiative reference", parse_text),
            Column("Claimant organisation", parse_text, optional=True),
            Column("Financial year", parse_financial_year),
            Column("Category", choice(SavingsClaim.Category)),
            Column("Kind", choice(SavingsClaim.Kind)),
            Column("Recurrence", choice(SavingsClaim.Recurrence)),
            Column("Gross saving (£)", parse_amount),
            Column("Implementation cost (£)", parse_amount, optional=True),
            Column("Description", parse_text),
            Column("Service quality", choice(SavingsClaim.ServiceQuality)),
            Column("Service quality statement", parse_text),
            Column("Evidence", parse_text, optional=True),
            Column("Status", choice(CLAIM_STATUSES), optional=True),
            *_ignored(
                "Initiative",
                "Net saving (£)",
                "Corrects claim",
                "Submitted at",
                "Submitted by",
                "Decided at",
                "Decided by",
            ),
        ],
    ),
]
BY_NAME = {sheet.name: sheet for sheet in SHEETS}
IGNORED = {
    sheet.name: {column.header for column in sheet.columns if column.parse is None}
    for sheet in SHEETS
}

# The template's example rows carry it (Your reference, or the initiative's reference): an
# import says to delete them rather than import them.
EXAMPLE_REFERENCE = "EXAMPLE-1"

# Which cells say which initiative (or claim) a row is about.
REFERENCE = "Reference"
YOUR_REFERENCE = "Your reference"
INITIATIVE_OF = {TARGETS: "Reference", PARTNERS: "Reference", CLAIMS: "Initiative reference"}


def read_columns(name):
    """The columns of sheet `name` an import reads (the template's columns)."""
    return [column for column in BY_NAME[name].columns if column.parse is not None]
