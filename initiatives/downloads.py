"""What every download of initiatives starts with, so the initiatives list, the initiatives at
risk and the gaps name an initiative the same way in a spreadsheet."""

IDENTITY_COLUMNS = [
    "Reference",
    "Title",
    "Lead organisation",
    "Status",
    "Collaboration model",
    "Service area",
]


def identity_cells(initiative):
    """The cells under IDENTITY_COLUMNS (the lead is expected to be selected with it)."""
    return [
        initiative.reference,
        initiative.title,
        initiative.lead.name,
        initiative.get_status_display(),
        initiative.get_collaboration_model_display(),
        initiative.get_service_area_display(),
    ]
