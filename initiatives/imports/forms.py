"""The upload form of a spreadsheet import."""

from django import forms
from django.conf import settings

from collaborate.kit import uploads


def upload_hint():
    size = uploads.size_label(settings.IMPORT_UPLOAD_MAX_SIZE)
    return (
        f"An Excel workbook (.xlsx) or a CSV file (.csv), up to {size} and "
        f"{settings.IMPORT_MAX_ROWS:,} rows a sheet."
    )


class UploadForm(forms.Form):
    file = uploads.BoundedFileField(
        label="Upload a spreadsheet",
        max_length=200,
        widget=forms.FileInput(attrs={"accept": ".xlsx,.csv"}),
        error_messages={
            "required": "Choose a spreadsheet to upload",
            "empty": "The selected file is empty: choose the spreadsheet you filled in",
            "invalid": "The selected file could not be read: choose it again",
            "missing": "The selected file could not be read: choose it again",
            "max_length": "The name of the selected file must be 200 characters or fewer",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = upload_hint()
