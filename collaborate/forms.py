"""The form renderer that gives every Django form GOV.UK Frontend markup."""

from django.forms.renderers import TemplatesSetting


class GovUKFormRenderer(TemplatesSetting):
    """Renders forms, fields and widgets from templates/django/forms/ (GOV.UK markup)."""

    form_template_name = "django/forms/div.html"
    field_template_name = "django/forms/field.html"
