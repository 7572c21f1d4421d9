"""The initiatives app's models, one module a subject: initiatives with their partners and
targets; savings claims with their evidence and attribution; the computed progress tables;
the reminder emails sent; spreadsheet imports; the collaboration health check; the insights
that compare collaboration models.

Django registers an app's models from `<app>.models`, so this package imports every module;
the modules import one another only downwards (claims and progress from initiatives), never
back through this package, so there is no import circle (docs/decisions.md)."""

from initiatives.models.assurance import AuditFrameRow, AuditOutcome, AuditSample
from initiatives.models.claims import (
    ClaimAttribution,
    ClaimEvidence,
    FinancialYearLock,
    SavingsClaim,
)
from initiatives.models.health import Dimension, HealthCheck
from initiatives.models.imports import ImportProblem, ImportRow, SpreadsheetImport
from initiatives.models.initiatives import (
    MAX_AMOUNT,
    Initiative,
    Partnership,
    ReferenceSequence,
    SavingsTarget,
)
from initiatives.models.insights import InitiativeOutcome, InsightFigure
from initiatives.models.library import PracticeDocument
from initiatives.models.progress import (
    InitiativeProgress,
    InitiativeShareYear,
    InitiativeYear,
    Measures,
    ProgressDirty,
    ProgressFact,
)
from initiatives.models.reminders import ReminderSent

__all__ = [
    "MAX_AMOUNT",
    "AuditFrameRow",
    "AuditOutcome",
    "AuditSample",
    "ClaimAttribution",
    "ClaimEvidence",
    "Dimension",
    "FinancialYearLock",
    "HealthCheck",
    "ImportProblem",
    "ImportRow",
    "Initiative",
    "InitiativeOutcome",
    "InitiativeProgress",
    "InitiativeShareYear",
    "InitiativeYear",
    "InsightFigure",
    "Measures",
    "Partnership",
    "PracticeDocument",
    "ProgressDirty",
    "ProgressFact",
    "ReferenceSequence",
    "ReminderSent",
    "SavingsClaim",
    "SavingsTarget",
    "SpreadsheetImport",
]
