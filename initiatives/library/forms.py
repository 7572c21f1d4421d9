"""The form that adds a document to an initiative's library."""

from django import forms
from django.conf import settings

from collaborate.kit import uploads
from initiatives.claims import evidence
from initiatives.models import PracticeDocument


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind of document",
        choices=PracticeDocument.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of document"},
    )
    title = forms.CharField(
        label="Title", max_length=200, error_messages={"required": "Enter a title"}
    )
    description = forms.CharField(
        label="Description",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What it is and what another council could reuse from it.",
    )
    visibility = forms.ChoiceField(
        label="Who can see it",
        choices=PracticeDocument.Visibility.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who can see the document"},
    )
    file = uploads.BoundedFileField(
        label="File",
        error_messages={"required": "Choose a file to upload"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = uploads.size_label(min(evidence.MAX_SIZE, settings.EVIDENCE_UPLOAD_MAX_SIZE))
        self.fields["file"].help_text = f"{evidence.ACCEPTED_LIST}, up to {limit}."
