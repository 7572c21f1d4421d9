"""Password rules in GOV.UK's words (the rules themselves are Django's, in
settings.AUTH_PASSWORD_VALIDATORS)."""

from django.contrib.auth import password_validation


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self):
        return f"Password must be {self.min_length} characters or more"

    def get_help_text(self):
        return f"Your password must be {self.min_length} characters or more."
