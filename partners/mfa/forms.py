"""allauth's second-factor forms with GOV.UK labels and hints (settings.MFA_FORMS)."""

from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from allauth.mfa.totp.forms import ActivateTOTPForm

CODE_LABEL = "Code from your authenticator app"


class CodeFieldMixin:
    """The code field labelled for people, with a hint, for one-time codes on phones."""

    hint = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["code"]
        field.label = CODE_LABEL
        field.help_text = self.hint
        field.widget.attrs.pop("placeholder", None)
        field.widget.attrs.update(
            {"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        )


class CodeForm(CodeFieldMixin, AuthenticateForm):
    hint = (
        "The 6-digit code the app shows now. Lost your phone? Enter one of your 8-digit "
        "recovery codes instead."
    )


class ReauthenticateCodeForm(CodeFieldMixin, ReauthenticateForm):
    hint = "The 6-digit code the app shows now, or an unused recovery code."


class ActivateForm(CodeFieldMixin, ActivateTOTPForm):
    hint = "After you have added Collaborate to the app, enter the 6-digit code it shows."
