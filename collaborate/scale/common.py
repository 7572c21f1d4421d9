"""What the generator's parts share: the scale, the marks generated records carry, the
calendar every date is placed on, and the helpers for drawing and storing."""

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cached_property

from django.utils import timezone

from initiatives import financial_years
from initiatives.models import Initiative, SavingsClaim
from partners.models import Membership, Organisation

# What scale 1.0 means: the whole country.
NATIONAL_ORGANISATIONS = 4000
NATIONAL_INITIATIVES = 20_000
NATIONAL_CLAIMS = 200_000
YEARS = 10
ADJUSTMENTS_PER_CLAIM = 0.005
BATCH_SIZE = 5000

# How generated records are recognised again, to refuse a second run and to delete them.
SOURCE_PREFIX = "gen:"
EMAIL_DOMAIN = "generated.collaborate.local"
PASSWORD = "collaborate-generated"  # noqa: S105 - printed: generated people sign in with it
# Generated managers and the administrator have an authenticator app with this setup key (their
# role needs a second factor): load tests and `bench` compute their codes from it.
TOTP_SECRET = "GENERATEDCOLLABORATEKEY234567ABC"  # noqa: S105 - printed, as the password is

HUNDRED = Decimal("100")
Kind = Organisation.Kind
Sector = Organisation.Sector
Status = Initiative.Status
ClaimStatus = SavingsClaim.Status
Quality = SavingsClaim.ServiceQuality
OFFICER, MANAGER = Membership.Role.OFFICER, Membership.Role.MANAGER

# --- words ------------------------------------------------------------------------------------

FIRST_NAMES = [
    "Aisha",
    "Alan",
    "Amir",
    "Anna",
    "Ben",
    "Bethan",
    "Callum",
    "Chloe",
    "Daniel",
    "Deepa",
    "Eilidh",
    "Emma",
    "Fiona",
    "Gareth",
    "Grace",
    "Hannah",
    "Harry",
    "Imran",
    "Isla",
    "James",
    "Jasmine",
    "Kieran",
    "Laura",
    "Liam",
    "Megan",
    "Mohammed",
    "Niamh",
    "Oliver",
    "Olivia",
    "Priya",
    "Rhys",
    "Rachel",
    "Ruth",
    "Sam",
    "Sarah",
    "Sean",
    "Sophie",
    "Tom",
    "Yasmin",
    "Zoe",
]
SURNAMES = [
    "Ahmed",
    "Ali",
    "Baker",
    "Campbell",
    "Clarke",
    "Davies",
    "Edwards",
    "Evans",
    "Green",
    "Hall",
    "Harris",
    "Hughes",
    "Jackson",
    "Jones",
    "Kaur",
    "Khan",
    "Lewis",
    "Martin",
    "Morgan",
    "Murphy",
    "Patel",
    "Price",
    "Roberts",
    "Robinson",
    "Scott",
    "Shah",
    "Singh",
    "Smith",
    "Stewart",
    "Taylor",
    "Thomas",
    "Thompson",
    "Walker",
    "Watson",
    "White",
    "Williams",
    "Wilson",
    "Wood",
    "Wright",
    "Young",
]


# --- dates ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Calendar:
    """Every generated date is placed relative to one day, fixed when the run starts; all
    that happened, happened before it."""

    today: date

    @property
    def current_year(self):
        return financial_years.financial_year_of(self.today)

    @property
    def first_year(self):
        return self.current_year - YEARS + 1

    @property
    def first_day(self):
        return financial_years.start_of(self.first_year)

    @cached_property
    def last_day(self):
        return self.today - timedelta(days=1)

    @cached_property
    def zone(self):
        return timezone.get_current_timezone()

    def moment(self, rng, day):
        """A time in office hours on `day`, or on the last day when `day` is later."""
        at = time(rng.randint(8, 17), rng.randint(0, 59))
        return datetime.combine(min(day, self.last_day), at, self.zone)

    def before_start(self, rng):
        """A moment well before the first initiative: when organisations and people joined."""
        return self.moment(rng, self.first_day - timedelta(days=rng.randint(200, 600)))

    def locked(self, year):
        """Whether a year is signed off: about six months after it ends."""
        return financial_years.end_of(year) + timedelta(days=183) < self.today

    def claim_years(self, initiative):
        """The years an initiative may have claims in: its savings years, up to this one."""
        return range(initiative.first_year, min(initiative.last_year, self.current_year) + 1)


def day_between(rng, low, high):
    return low + timedelta(days=rng.randint(0, max(0, (high - low).days)))


def later(rng, calendar, after, days):
    """A moment up to `days` days after `after`, and at least an hour after it."""
    moment = calendar.moment(rng, after.date() + timedelta(days=rng.randint(0, days)))
    return max(moment, after + timedelta(hours=1))


# --- helpers ----------------------------------------------------------------------------------


def pick(rng, weights):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def apportion(total, weights):
    """`total` items shared by weight to whole items, the remainders going to the largest
    fractions: every status with a weight gets its part even in a small run."""
    whole = sum(weights.values())
    exact = {key: total * weight / whole for key, weight in weights.items()}
    counts = {key: int(value) for key, value in exact.items()}
    left = total - sum(counts.values())
    for key in sorted(exact, key=lambda k: counts[k] - exact[k])[:left]:
        counts[key] += 1
    return counts


def money(pounds, round_figure=False):
    """Pounds as money, more than nothing: to the £100 when people claim a round figure."""
    pennies = max(1, round(pounds * 100))
    if round_figure:
        pennies = max(10_000, round(pennies, -4))
    return Decimal(pennies).scaleb(-2)


def lowered(label):
    """A label inside a sentence: 'Waste' reads 'waste', but 'ICT' and 'HR and payroll' stay."""
    return label[:1].lower() + label[1:] if label[1:2].islower() else label


@contextmanager
def own_timestamps(*models):
    """bulk_create stamps auto_now and auto_now_add fields with the moment of the insert;
    generated records carry the dates they were made on, so stamping is off meanwhile."""
    fields = [
        (f, f.auto_now, f.auto_now_add)
        for model in models
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    for f, _, _ in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in fields:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add
