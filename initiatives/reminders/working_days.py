"""Working days: Monday to Friday, less the bank holidays of England and Wales (the `holidays`
package keeps them, observed days and one-off ones such as a state funeral included)."""

from datetime import timedelta
from functools import cache

import holidays


@cache
def _bank_holidays(year):
    # England and Wales share their bank holidays; Scotland and Northern Ireland have others.
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day):
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def working_days_after(start, end):
    """How many working days there are after `start` up to and including `end`: how long
    something that arrived on `start` has waited by the end of `end`."""
    day, count = start + timedelta(days=1), 0
    while day <= end:
        count += is_working_day(day)
        day += timedelta(days=1)
    return count


def waited_more_than(days, *, today):
    """The first date on which something could arrive and not yet have waited more than `days`
    working days by `today`: whatever arrived before it has."""
    day, counted = today, 0
    while True:
        counted += is_working_day(day)
        if counted > days:
            return day
        day -= timedelta(days=1)
