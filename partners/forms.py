"""Forms for signing in, organisations, users and memberships: input validation only."""

import re

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.forms.models import model_to_dict

from partners.models import Organisation

GSS_CODE = re.compile(r"[EWSNK]\d{8}")


class SignInForm(AuthenticationForm):
    """Django's sign-in form, labelled for an email address. Its one error message says nothing
    about whether an account exists."""

    username = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Enter a correct email address and password.",
    }


class OrganisationForm(forms.ModelForm):
    """Create or edit an organisation. `version` carries the version the person loaded, so
    that a save over someone else's change is refused rather than lost."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Organisation
        fields = ["name", "short_name", "sector", "kind", "gss_code", "nation", "region", "website"]
        labels = {"short_name": "Short name", "gss_code": "GSS code"}
        help_texts = {
            "short_name": "The name people use day to day, for example Leeds.",
            "website": "The full address, starting https://",
        }
        widgets = {
            "sector": forms.RadioSelect,
            "gss_code": forms.TextInput(
                attrs={"class": "govuk-input--width-10", "spellcheck": "false"}
            ),
            "short_name": forms.TextInput(attrs={"class": "govuk-!-width-one-half"}),
            "website": forms.URLInput(attrs={"spellcheck": "false", "autocomplete": "url"}),
        }
        error_messages = {
            "name": {"required": "Enter the organisation's name"},
            "sector": {"required": "Select the sector"},
            "kind": {"required": "Select the kind of organisation"},
            "website": {
                "invalid": "Enter the website address in the right format, like https://www.example.gov.uk"
            },
            "gss_code": {"unique": "Another organisation already has this GSS code"},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sector"].choices = Organisation.Sector.choices
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version

    @classmethod
    def showing_conflict(cls, current, conflict):
        """The form filled with the values stored now, carrying the conflict as its error."""
        data = {name: value for name, value in model_to_dict(current).items() if value is not None}
        form = cls(data={**data, "version": current.version}, instance=current)
        form.is_valid()
        form.add_error(None, conflict)
        return form

    def clean_gss_code(self):
        code = (self.cleaned_data.get("gss_code") or "").strip().upper()
        if code and not GSS_CODE.fullmatch(code):
            raise forms.ValidationError(
                "Enter a GSS code of a letter (E, W, S, N or K) followed by 8 digits, "
                "like E08000035"
            )
        return code or None

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())


class MergeSearchForm(forms.Form):
    q = forms.CharField(label="Name of the duplicate organisation", max_length=200)
