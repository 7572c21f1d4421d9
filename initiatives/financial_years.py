"""UK financial years: 1 April to 31 March, stored as the starting year, shown as 2025/26."""

from datetime import date

from django.utils import timezone


def financial_year_of(day):
    return day.year if day.month >= 4 else day.year - 1


def current_financial_year():
    return financial_year_of(timezone.localdate())


def label(year):
    return f"{year}/{(year + 1) % 100:02d}"


def start_of(year):
    return date(year, 4, 1)


def end_of(year):
    return date(year + 1, 3, 31)


def choices(years):
    return [(year, label(year)) for year in years]
