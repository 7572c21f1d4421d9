"""Forms for single sign-on: an identity provider, an organisation's single sign-on, and the
choice of organisation at a first sign-on. Input validation only."""

from django import forms

from partners.models import IdentityProvider
from partners.sso import services

ISSUER_HELP = (
    "For Microsoft Entra ID: https://login.microsoftonline.com/<tenant ID>/v2.0 "
    "(the tenant ID, not a domain name)."
)


class IdentityProviderForm(forms.ModelForm):
    """An identity provider. The client secret is never shown again: the box is empty, and left
    empty it keeps the secret saved."""

    client_secret = forms.CharField(
        label="Client secret",
        required=False,
        strip=True,
        widget=forms.PasswordInput(
            render_value=False, attrs={"autocomplete": "off", "spellcheck": "false"}
        ),
    )

    class Meta:
        model = IdentityProvider
        fields = services.PROVIDER_FIELDS
        labels = {
            "name": "Name",
            "issuer": "Issuer URL",
            "client_id": "Client ID (application ID)",
            "client_secret_env": "Or: the environment variable holding the client secret",
            "subject_claim": "Claim that identifies a person",
            "token_auth_method": "How Collaborate sends the secret",
            "enforces_mfa": "This provider enforces multi-factor authentication",
        }
        help_texts = {
            "name": "What admins see, for example Leeds City Council Entra ID.",
            "issuer": ISSUER_HELP,
            "client_secret_env": (
                "Instead of typing the secret here, name a variable set on the server, "
                "for example SSO_LEEDS_SECRET. Leave empty to keep the secret encrypted here."
            ),
            "subject_claim": "Microsoft Entra ID: choose oid.",
            "enforces_mfa": (
                "Tick only if every sign-in at this provider asks for a second factor (a "
                "conditional access policy, say): its people will not be asked to add one here."
            ),
        }
        widgets = {
            "name": forms.TextInput(attrs={"spellcheck": "false"}),
            "issuer": forms.URLInput(attrs={"spellcheck": "false"}),
            "client_id": forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
            "client_secret_env": forms.TextInput(
                attrs={"spellcheck": "false", "class": "govuk-!-width-one-half"}
            ),
            "subject_claim": forms.RadioSelect,
            "token_auth_method": forms.RadioSelect,
        }
        error_messages = {
            "name": {
                "required": "Enter a name for the identity provider",
                "unique": "Another identity provider already has this name",
            },
            "issuer": {
                "required": "Enter the issuer URL",
                "invalid": "Enter the issuer URL in the right format, like https://login.example.com/",
            },
            "client_id": {"required": "Enter the client ID"},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        saved = self.instance.pk and self.instance.client_secret_encrypted
        self.fields["client_secret"].help_text = (
            "A secret is saved. Leave this empty to keep it, or enter a new one to replace it."
            if saved
            else "The secret value (not its ID) from the app registration."
        )

    def clean_client_secret_env(self):
        name = self.cleaned_data.get("client_secret_env", "").strip()
        if name and not name.replace("_", "").isalnum():
            raise forms.ValidationError(
                "Enter an environment variable's name: letters, digits and underscores"
            )
        return name

    def clean_issuer(self):
        issuer = self.cleaned_data.get("issuer", "").strip()
        if issuer and not issuer.startswith("https://") and not issuer.startswith("http://"):
            raise forms.ValidationError("Enter the issuer URL, starting https://")
        return issuer

    def clean(self):
        cleaned = super().clean()
        if (
            not cleaned.get("client_secret")
            and not cleaned.get("client_secret_env")
            and not (self.instance.pk and self.instance.client_secret_encrypted)
        ):
            self.add_error(
                "client_secret",
                "Enter the client secret, or the name of the environment variable holding it",
            )
        return cleaned

    def fields_for_service(self):
        return {
            name: self.cleaned_data[name]
            for name in [*self.Meta.fields, "client_secret"]
            if name in self.cleaned_data
        }


class SignOnForm(forms.Form):
    """An organisation's single sign-on: its provider, domains, and newcomers."""

    identity_provider = forms.ModelChoiceField(
        label="Identity provider",
        queryset=IdentityProvider.objects.none(),
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the identity provider"},
    )
    domains = forms.CharField(
        label="Email domains this organisation vouches for",
        help_text=(
            "One a line, for example leeds.gov.uk. People whose email address ends in one of "
            "these are sent to the identity provider to sign in."
        ),
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
        error_messages={"required": "Enter the email domains this organisation vouches for"},
    )
    creates_accounts = forms.BooleanField(
        label="People without a Collaborate account get one when they sign in, as an officer",
        help_text=(
            "Otherwise only people already invited can sign in. Managers are always invited."
        ),
        required=False,
    )

    def __init__(self, *args, identity_providers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["identity_provider"].queryset = identity_providers

    def clean_domains(self):
        try:
            return services.domains_clean(self.cleaned_data.get("domains", ""))
        except forms.ValidationError as error:
            raise forms.ValidationError(error.message_dict["domains"]) from error


class OrganisationChoiceForm(forms.Form):
    """At a first single sign-on, the organisation to join when several share the domain."""

    organisation = forms.TypedChoiceField(
        label="Which organisation do you work for?",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the organisation you work for"},
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [(o.pk, o.name) for o in organisations]
