"""Lost updates: a form carries the version it was loaded with, a service refuses an older one,
and the page shows what is stored now with the reason (409)."""

from django.core.exceptions import ValidationError


class EditConflict(ValidationError):
    """The record changed since the person editing it loaded it."""


def require_version(current, expected_version, noun):
    """Refuse an edit made on an older version than the one stored (someone saved meanwhile).
    `current` is the row the service locked; `noun` names it for the person ("initiative")."""
    if expected_version is not None and current.version != expected_version:
        raise EditConflict(
            f"This {noun} was changed by someone else while you were editing it. The form now "
            "shows the current details: check them and make your changes again.",
            code="conflict",
        )


class VersionedFormMixin:
    """A model form that carries, in its hidden `version` field, the version it was loaded
    with (declare `version = forms.IntegerField(widget=forms.HiddenInput, required=False)`)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version

    @classmethod
    def showing_conflict(cls, current, conflict, **kwargs):
        """The form filled with the values stored now, carrying the conflict as its error."""
        stored = cls(instance=current, **kwargs)
        data = {}
        for name, field in stored.fields.items():
            value = stored.initial.get(name)
            if hasattr(field.widget, "decompress"):
                for index, part in enumerate(field.widget.decompress(value)):
                    data[f"{name}_{index}"] = "" if part is None else part
            elif value is not None:
                data[name] = value
        data["version"] = current.version
        form = cls(data=data, instance=current, **kwargs)
        form.is_valid()
        form.add_error(None, conflict)
        return form
