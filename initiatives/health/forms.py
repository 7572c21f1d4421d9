"""The health-check form: a score from 1 to 5 for each dimension (GOV.UK radios, a fieldset
each) with an optional comment, and the version of the answer it was loaded with."""

from django import forms

from initiatives.models import Dimension, HealthCheck
from initiatives.models.health import SCORE_MAX, SCORE_MIN

SCORES = [(str(score), str(score)) for score in range(SCORE_MIN, SCORE_MAX + 1)]
COMMENT_LENGTH = HealthCheck._meta.get_field("shared_vision_comment").max_length


class HealthCheckForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, answer=None, **kwargs):
        """`answer`: the organisation's answer of this period, which the form starts from (and
        whose version it carries; 0 when there is none yet)."""
        initial = {"version": 0}
        if answer is not None:
            initial = {
                "version": answer.version,
                **{name: str(score) for name, score in answer.scores().items()},
                **{f"{d}_comment": getattr(answer, f"{d}_comment") for d in Dimension.values},
            }
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        for dimension in Dimension:
            name = dimension.value
            self.fields[name] = forms.ChoiceField(
                label=dimension.label,
                choices=SCORES,
                widget=forms.RadioSelect(
                    attrs={"class": "govuk-radios--inline govuk-radios--small"}
                ),
                error_messages={
                    "required": f"Choose a score from {SCORE_MIN} to {SCORE_MAX} for "
                    f"{dimension.label[:1].lower()}{dimension.label[1:]}",
                    "invalid_choice": f"Choose a score from {SCORE_MIN} to {SCORE_MAX}",
                },
            )
            self.fields[f"{name}_comment"] = forms.CharField(
                label=f"Comment on {dimension.label[:1].lower()}{dimension.label[1:]} (optional)",
                required=False,
                max_length=COMMENT_LENGTH,
                widget=forms.Textarea(attrs={"rows": 2}),
                error_messages={
                    "max_length": f"The comment must be {COMMENT_LENGTH} characters or fewer"
                },
            )

    def dimensions(self):
        """(score field, comment field) of each dimension, in order, for the template."""
        return [(self[d], self[f"{d}_comment"]) for d in Dimension.values]

    def scores(self):
        return {d: self.cleaned_data[d] for d in Dimension.values}

    def comments(self):
        return {d: self.cleaned_data[f"{d}_comment"] for d in Dimension.values}
