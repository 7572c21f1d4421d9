"""The people of DESIGN.md §3 as one object, which the `people` fixture of conftest makes; its
labels are the permission table's wording, for parametrised tests."""

from dataclasses import dataclass

from partners.models import Organisation, User


@dataclass(frozen=True)
class People:
    """The people of DESIGN.md §3: the lead council's officer and manager, the partner's
    officer and manager, an outsider (an officer of an unrelated council) and an admin."""

    lead: Organisation
    partner: Organisation
    other: Organisation
    lead_officer: User
    lead_manager: User
    partner_officer: User
    partner_manager: User
    outsider: User
    admin: User

    # Parametrised tests name people as the permission table does: people["officer of lead"].
    LABELS = {
        "officer of lead": "lead_officer",
        "manager of lead": "lead_manager",
        "officer of partner": "partner_officer",
        "manager of partner": "partner_manager",
        "outsider": "outsider",
        "admin": "admin",
    }

    def __getitem__(self, label):
        return getattr(self, self.LABELS[label])
