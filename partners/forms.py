"""Forms for signing in, organisations, users and memberships: input validation only."""

import re

from allauth.account.forms import LoginForm
from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.utils.text import capfirst

from collaborate.kit import web
from collaborate.kit.edits import VersionedFormMixin
from partners import permissions
from partners.models import Membership, Organisation, User
from partners.services import email_limits
from partners.services import users as user_services

GSS_CODE = re.compile(r"[EWSNK]\d{8}")


def email_field(autocomplete, required_message=None):
    """An email address box: not spell-checked, as long as the model allows. With
    `required_message`, the message for an empty box and ours for a malformed address."""
    error_messages = None
    if required_message:
        error_messages = {
            "required": required_message,
            "invalid": "Enter an email address in the right format, like name@example.gov.uk",
        }
    return forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": autocomplete, "spellcheck": "false"}),
        error_messages=error_messages,
    )


class EmailStepForm(forms.Form):
    """The first step of signing in: the email address, which says whether the person's
    organisation signs them in (single sign-on) or they give a password."""

    login = email_field("username", "Enter your email address")


class SignInForm(LoginForm):
    """django-allauth's sign-in form for the second step, the password, with the email address
    from the first step carried in a hidden field. Its one error message says nothing about
    whether an account exists."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"] = forms.EmailField(
            max_length=254,
            widget=forms.HiddenInput,
            error_messages={"required": "Enter your email address"},
        )
        self.fields["password"] = forms.CharField(
            label="Password",
            strip=False,
            widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
            error_messages={"required": "Enter your password"},
        )

    def clean(self):
        """Refuse, before any password is checked, an email address that has failed too often
        from any addresses (partners.permissions.sign_in_paused_for_account): the same answer
        whether or not it has an account."""
        username = axes_username(None, {"email": self.cleaned_data.get("login")})
        if permissions.sign_in_paused_for_account(username):
            raise forms.ValidationError(
                "There have been too many failed attempts to sign in with this email address. "
                f"Signing in with it is paused: try again in {cooloff_minutes()} minutes.",
                code="paused",
            )
        return super().clean()


def cooloff_minutes():
    return max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))


class OrganisationForm(VersionedFormMixin, forms.ModelForm):
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


class InviteForm(forms.Form):
    """Invite someone by email into an organisation. The organisations and roles offered are
    those the inviting person may use; anything else posted is refused."""

    full_name = forms.CharField(
        label="Full name",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"required": "Enter the person's full name"},
    )
    email = email_field("off", "Enter the person's email address")
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        empty_label="Choose an organisation",
        error_messages={
            "required": "Choose the organisation they will act for",
            "invalid_choice": "You can only invite people into an organisation you manage",
        },
    )
    role = forms.ChoiceField(
        choices=Membership.Role.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose a role",
            "invalid_choice": "Managers can invite officers only",
        },
    )
    send = forms.BooleanField(
        label="Send the invitation email now",
        required=False,
        initial=True,
        help_text="Leave this unticked to create the account and send the invitation later.",
    )

    def __init__(self, *args, organisations, roles, can_defer=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["role"].choices = roles
        if len(roles) == 1:
            self.fields["role"].initial = roles[0][0]
        if not can_defer:
            del self.fields["send"]

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class MembershipAddForm(forms.Form):
    """Add a person to an organisation; the view offers the organisations one may join."""

    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        empty_label="Choose an organisation",
        error_messages={"required": "Choose an organisation"},
    )
    role = forms.ChoiceField(choices=Membership.Role.choices, widget=forms.RadioSelect)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Membership.Role.choices, widget=forms.RadioSelect)


class ActingForForm(forms.Form):
    organisation = forms.TypedChoiceField(label="Acting for", coerce=int, choices=())

    def __init__(self, *args, memberships, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [
            (m.organisation_id, m.organisation.name) for m in memberships
        ]
        self.fields["organisation"].error_messages["invalid_choice"] = (
            "Choose one of the organisations you are a member of"
        )


class EmailPreferencesForm(forms.Form):
    """The optional emails a person gets: the boxes ticked, of the User fields `names`."""

    emails = forms.MultipleChoiceField(
        label="Emails you get",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=(
            "Select all that you want. Managers of an organisation that leads initiatives get "
            "the first two; officers of a lead organisation get the monthly one; officers and "
            "managers of every partner get the health-check reminders of live initiatives."
        ),
    )

    def __init__(self, *args, user, names, **kwargs):
        kwargs.setdefault("initial", {"emails": [name for name in names if getattr(user, name)]})
        super().__init__(*args, **kwargs)
        self.fields["emails"].choices = [
            (name, capfirst(User._meta.get_field(name).verbose_name)) for name in names
        ]
        self.fields["emails"].error_messages["invalid_choice"] = "Choose from the emails listed"


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's password-reset form, with the email sent by a Celery worker after commit."""

    email = email_field("email", "Enter your email address")

    def save(self, *args, request=None, **kwargs):
        """Queue one email for each account with this address, each recorded in the audit log.
        Only the user's id goes through the broker: the worker makes the reset link and renders
        the email (no live token in the broker or the result backend). Past the hourly limits
        for the client's address or for this email address nothing is sent, and the page says
        the same as ever, so that it shows no more whether an account exists."""
        email = self.cleaned_data["email"]
        ip_address = web.client_ip(request)
        if not email_limits.email_allowed("password-reset", ip_address=ip_address, recipient=email):
            return
        for user in self.get_users(email):
            user_services.password_reset_request(user=user, ip_address=ip_address)


def axes_username(request, credentials=None):
    """The email address sign-in throttling counts failures against, in one case, so that
    changing capitals does not earn more attempts: allauth authenticates with `email`, the
    sign-in form posts it as `login`."""
    source = credentials if credentials else getattr(request, "POST", {})
    typed = source.get("email") or source.get("login") or source.get("username") or ""
    return typed.strip().lower() or None


class ApiTokenForm(forms.Form):
    """A new API token: its name, what it may do and until when."""

    name = forms.CharField(
        max_length=100,
        help_text="So you know what it is for, for example 'Finance reporting'.",
    )
    writable = forms.TypedChoiceField(
        label="Access",
        choices=[("false", "Read only"), ("true", "Read and write")],
        coerce=lambda value: value == "true",
        widget=forms.RadioSelect,
        initial="false",
    )
    expires_on = forms.DateField(
        label="Expiry date",
        help_text="At most one year from today.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
