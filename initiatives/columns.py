"""The columns of every spreadsheet of initiatives, targets, partners and claims: each
heading declared once with how to read its cell from a row, for the downloads and for the
import, which reads the same headings.

Targets by financial year. A finance team reconciles a year's targets against its ledger
one year at a time, summing or pivoting over initiatives. So the workbook gives them a
"Targets" sheet with one row per initiative and financial year (reference, year, amount as a
number), which a pivot table or SUMIFS reads as it is, whatever years the initiatives span,
and which has the same shape however the list is filtered (a column per year would change the
headings with the data, and an import could not rely on them). The CSV, one table only, keeps
the year-by-year targets in a compact cell ("2025/26: 1000.00; 2026/27: 2000.00") beside
the initiative. Partners are treated the same way: a "Partners" sheet (one row per initiative
and active partner: name, ONS/GSS code, share of savings as a number) and a compact cell.
"""

from operator import attrgetter

from collaborate.kit.exports import DATE, MINUTE, MONEY, Column
from initiatives import financial_years, selectors
from initiatives.downloads import IDENTITY_COLUMNS, identity_cells
from initiatives.progress.selectors import DOWNLOAD_COLUMNS

PERCENT = "0.00"


def _identity(initiative_of=lambda row: row):
    """The columns that name an initiative the same way in every download."""
    return [
        Column(name, lambda row, index=index: identity_cells(initiative_of(row))[index])
        for index, name in enumerate(IDENTITY_COLUMNS)
    ]


def _progress(initiative):
    return getattr(initiative, "progress", None)


def _figure(attribute):
    """A computed figure, left empty (not zero) for an initiative never computed."""

    def cell(initiative):
        progress = _progress(initiative)
        return getattr(progress, attribute) if progress else None

    return cell


def _rag(initiative):
    progress = _progress(initiative)
    return progress.get_rag_display() if progress else selectors.NOT_COMPUTED


def _partners_cell(initiative):
    return "; ".join(
        f"{p.organisation.name} [{p.organisation.gss_code or 'no code'}] {p.savings_share}%"
        for p in initiative.active_partnerships
    )


def _targets_cell(initiative):
    return "; ".join(f"{t.year_label}: {t.amount}" for t in initiative.download_targets)


INITIATIVES = [
    *_identity(),
    Column("Your reference", lambda i: i.external_reference),
    Column("Summary", lambda i: i.summary),
    Column("Governance model", lambda i: i.get_governance_display()),
    Column("Start date", lambda i: i.start_date, DATE),
    Column("Planned end date", lambda i: i.planned_end_date, DATE),
    # What comparing collaboration with outsourcing needs (/insights/), read back by the import.
    Column("One-off set-up cost (£)", lambda i: i.setup_cost, MONEY),
    Column("Contract term (months)", lambda i: i.contract_months),
    Column("Break points", lambda i: i.contract_break_points),
    Column("Procurement started", lambda i: i.procurement_started_on, DATE),
    Column("Contract awarded", lambda i: i.contract_awarded_on, DATE),
    Column("Live since", lambda i: i.live_since, DATE),
    Column("Published", lambda i: i.is_published),
    Column("RAG status", _rag),
    Column("Target to date", _figure("target_to_date"), MONEY),
    Column("Verified to date", _figure("verified"), MONEY),
    Column("Verified as % of target to date", _figure("percent_verified"), PERCENT),
    Column("Figures updated at", lambda i: _progress(i) and _progress(i).computed_at, MINUTE),
    Column("Partners", _partners_cell),
    Column("Targets by financial year", _targets_cell),
]

# One row per initiative and active partner (rows: Partnership with initiative, organisation).
PARTNERS = [
    Column("Reference", lambda p: p.initiative.reference),
    Column("Partner", lambda p: p.organisation.name),
    Column("ONS/GSS code", lambda p: p.organisation.gss_code),
    Column("Share of savings (%)", lambda p: p.savings_share, PERCENT),
    Column("Joined on", lambda p: p.joined_on, DATE),
]

# One row per initiative and financial year (rows: SavingsTarget with initiative).
TARGETS = [
    Column("Reference", lambda t: t.initiative.reference),
    Column("Financial year", lambda t: t.year_label),
    Column("Target (£)", lambda t: t.amount, MONEY),
]

# The public register: what the register's pages show, never a private field.
REGISTER = [
    Column("Reference", lambda i: i.reference),
    Column("Title", lambda i: i.title),
    Column("Lead organisation", lambda i: i.lead.name),
    Column("Status", lambda i: i.get_status_display()),
    Column("Collaboration model", lambda i: i.get_collaboration_model_display()),
    Column("Service area", lambda i: i.get_service_area_display()),
    Column("Start date", lambda i: i.start_date, DATE),
    Column("Partners", lambda i: "; ".join(p.organisation.name for p in i.active_partnerships)),
    Column("Verified savings (£)", _figure("verified"), MONEY),
    Column("Of which cash-releasing (£)", _figure("verified_cash"), MONEY),
]


def _person(user):
    return str(user) if user else ""


CLAIMS = [
    Column("Reference", lambda c: c.reference),
    Column("Your reference", lambda c: c.external_reference),
    Column("Initiative reference", lambda c: c.initiative.reference),
    Column("Initiative", lambda c: c.initiative.title),
    Column("Claimant organisation", lambda c: c.claimant.name),
    Column("Financial year", lambda c: c.year_label),
    Column("Category", lambda c: c.get_category_display()),
    Column("Kind", lambda c: c.get_kind_display()),
    Column("Recurrence", lambda c: c.get_recurrence_display()),
    Column("Gross saving (£)", lambda c: c.gross_amount, MONEY),
    Column("Implementation cost (£)", lambda c: c.implementation_cost, MONEY),
    Column("Net saving (£)", lambda c: c.net_amount, MONEY),
    Column("Description", lambda c: c.description),
    Column("Service quality", lambda c: c.get_service_quality_display()),
    Column("Service quality statement", lambda c: c.service_quality_statement),
    Column("Evidence", lambda c: c.evidence_text),
    Column("Status", lambda c: c.get_status_display()),
    Column("Corrects claim", lambda c: c.corrects.reference if c.corrects else ""),
    Column("Submitted at", lambda c: c.submitted_at, MINUTE),
    Column("Submitted by", lambda c: _person(c.submitted_by)),
    Column("Decided at", lambda c: c.reviewed_at, MINUTE),
    Column("Decided by", lambda c: _person(c.reviewed_by)),
]

# The review queue: claims waiting for a manager's decision, under the claims' headings.
REVIEW = [
    column
    for column in CLAIMS
    if column.name
    not in {"Category", "Recurrence", "Status", "Corrects claim", "Decided at", "Decided by"}
]

# An initiative's history (rows: partners.HistoryEntry with actor).
HISTORY = [
    Column("When", lambda e: e.at, MINUTE),
    Column("Who", lambda e: str(e.actor) if e.actor else "Collaborate"),
    Column("What", lambda e: e.action),
    Column("Subject", lambda e: e.subject),
    Column(
        "Changes",
        lambda e: "; ".join(
            f"{c.get('field')}: {c.get('before') or '(empty)'} → {c.get('after') or '(empty)'}"
            for c in e.changes
        ),
    ),
    Column("Reason", lambda e: e.reason),
]


MEASURES = ["target", "target_to_date", "claimed", "verified", "verified_cash"]
MEASURES += ["verified_non_cash", "percent_verified"]  # in the order of DOWNLOAD_COLUMNS


def _measures():
    return [
        Column(name, attrgetter(attribute), PERCENT if attribute.startswith("percent") else MONEY)
        for name, attribute in zip(DOWNLOAD_COLUMNS, MEASURES, strict=True)
    ]


AT_RISK = [
    *_identity(lambda r: r.initiative),
    Column("RAG status", lambda r: r.get_rag_display()),
    *_measures(),
    Column("Behind target to date by", lambda r: r.shortfall, MONEY),
    Column("Claims awaiting a decision", lambda r: r.claims_awaiting),
    Column("Awaiting a decision", lambda r: r.awaiting_decision, MONEY),
    Column("Last activity", attrgetter("last_activity"), DATE),
    Column("Figures updated at", lambda r: r.computed_at, MINUTE),
]

GAPS = [
    Column(
        "List",
        lambda i: "Savings expected later" if i.expects_later else "No targets and no reason",
    ),
    Column("Reference", lambda i: i.reference),
    Column("Title", lambda i: i.title),
    Column("Lead organisation", lambda i: i.lead.name),
    Column("Collaboration model", lambda i: i.get_collaboration_model_display()),
    Column("Service area", lambda i: i.get_service_area_display()),
    Column("Start date", lambda i: i.start_date, DATE),
    Column(
        "Savings expected from",
        lambda i: financial_years.label(i.savings_expected_from) if i.savings_expected_from else "",
    ),
]
