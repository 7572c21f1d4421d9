"""Health-check periods: runs of 1, 3, 6 or 12 months aligned to the UK financial year, which
starts on 1 April (so quarters start on 1 April, 1 July, 1 October and 1 January). A period is
named by its first day."""

from datetime import date, timedelta

from django.utils import timezone

from initiatives import financial_years

FIRST_MONTH = 4  # April


def _shift(day, months):
    """The first of the month `months` after (or before) `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_of(day, months):
    """The first day of the period of `months` months that `day` falls in."""
    months_into_year = (day.month - FIRST_MONTH) % 12
    start = financial_years.start_of(financial_years.financial_year_of(day))
    return _shift(start, months_into_year - months_into_year % months)


def current_period(months, *, today=None):
    return period_of(today or timezone.localdate(), months)


def previous_period(start, months):
    return _shift(start, -months)


def end_of(start, months):
    """The last day of the period that starts on `start`."""
    return _shift(start, months) - timedelta(days=1)


def due_by(start, months):
    """The day a check-in is due by: the end of its period's first month (two weeks into a
    monthly period), so that the answers of one period are read while it still runs."""
    if months == 1:
        return start + timedelta(days=13)
    return end_of(start, 1)


def label(start, months):
    """The period as people read it: "2026/27", "April to June 2026", "October 2026 to March
    2027", "May 2026"."""
    if months == 12:
        return financial_years.label(financial_years.financial_year_of(start))
    if months == 1:
        return f"{start:%B %Y}"
    end = end_of(start, months)
    if end.year == start.year:
        return f"{start:%B} to {end:%B %Y}"
    return f"{start:%B %Y} to {end:%B %Y}"


def short_label(start, months):
    """The period in a few characters, for a chart's axis and a table's heading: "Apr 26",
    "2026/27"."""
    if months == 12:
        return label(start, months)
    return f"{start:%b %y}"
