"""Input fields that the pages' forms and the spreadsheet import share, so that both read a
value the same way and say the same thing about a wrong one (the rules themselves are the
services' and the models')."""

from decimal import Decimal

from django import forms

from initiatives.models import MAX_AMOUNT


def money_field(label, *, required=True, allow_negative=False, help_text="", required_message=""):
    """An amount in pounds and pence, up to £1bn, with messages that name the field."""
    what = label.removesuffix(" (£)").lower()
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=12,
        decimal_places=2,
        min_value=None if allow_negative else Decimal("0"),
        max_value=MAX_AMOUNT,
        help_text=help_text,
        widget=forms.TextInput(
            attrs={"class": "govuk-input--width-10", "inputmode": "decimal", "spellcheck": "false"}
        ),
        error_messages={
            "required": required_message or f"Enter the {what}",
            "invalid": f"Enter the {what} as a number of pounds, like 15000.50",
            "max_decimal_places": f"Enter the {what} with no more than 2 decimal places (pence)",
            "max_digits": f"Enter the {what} as £1bn or less",
            "max_whole_digits": f"Enter the {what} as £1bn or less",
            "max_value": f"Enter the {what} as £1bn or less",
            "min_value": f"Enter the {what} as £0 or more",
        },
    )


def setup_cost_field():
    return money_field(
        "One-off set-up cost (£)",
        required=False,
        help_text="Including procurement, legal and transition costs.",
    )


def contract_months_field():
    return forms.IntegerField(
        label="Contract term in months",
        required=False,
        min_value=1,
        max_value=600,
        widget=forms.TextInput(
            attrs={"class": "govuk-input--width-3", "inputmode": "numeric", "spellcheck": "false"}
        ),
        error_messages={
            "invalid": "Enter the contract term as a whole number of months, like 60",
            "min_value": "Enter a contract term of at least 1 month",
            "max_value": "Enter a contract term of 600 months (50 years) or less",
        },
    )


def break_points_field():
    return forms.CharField(
        label="Break points",
        required=False,
        max_length=200,
        help_text="When either side may end the contract early, for example “after 3 and 5 years”.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20"}),
        error_messages={"max_length": "Enter the break points in 200 characters or fewer"},
    )


# {Initiative field: its input}, for the import's cells of the comparison's amount, term and
# break points (its dates are read as every date of a spreadsheet is).
COMPARISON_INPUTS = {
    "setup_cost": setup_cost_field(),
    "contract_months": contract_months_field(),
    "contract_break_points": break_points_field(),
}
