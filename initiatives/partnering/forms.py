"""The find-partners search: a service area, optionally a collaboration model, and which
ranking to show."""

from django import forms

from initiatives.models import Initiative
from initiatives.partnering.selectors import ALIKE, NEAREST
from initiatives.partnering.services import MESSAGE_LENGTH


class FindPartnersForm(forms.Form):
    area = forms.ChoiceField(
        label="Service area",
        choices=[("", "Choose a service area"), *Initiative.ServiceArea.choices],
        error_messages={"required": "Choose the service area you want partners for"},
    )
    model = forms.ChoiceField(
        label="Collaboration model (optional)",
        choices=[("", "Any model"), *Initiative.CollaborationModel.choices],
        required=False,
    )
    view = forms.ChoiceField(
        label="Show",
        choices=[
            (NEAREST, "Nearest first, sharing your area first"),
            (ALIKE, "Councils like mine (type and population)"),
        ],
        widget=forms.RadioSelect,
        required=False,
    )

    def clean_view(self):
        return self.cleaned_data.get("view") or NEAREST


class InterestForm(forms.Form):
    message = forms.CharField(
        label="Your message",
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=MESSAGE_LENGTH,
        help_text="Say who you are, what you would like to know (how they set it up, what it "
        "saves, whether they would take on another partner) and how best to reach you.",
        error_messages={
            "required": "Write your message to the lead",
            "max_length": f"Your message must be {MESSAGE_LENGTH:,} characters or fewer",
        },
    )
    next = forms.CharField(widget=forms.HiddenInput, required=False)
