"""The draw itself, a pure function of the frame, the seed and the parameters, so that a stored
sample can be drawn again from its stored frame and must select exactly the same claims.

Monetary-unit sampling, systematic: each claim of the frame is an interval of the cumulative
weighted amount (its net amount in pence times its risk weight); n points at a fixed interval
J = total / n from a random start in [0, J) select the claims whose intervals they fall in. A
claim's chance of selection is min(1, n × weighted amount / total): it grows with the amount,
and a claim whose weighted amount is at least J is always selected. Then a stratum of m claims
is drawn uniformly from the claims the points missed, so that small claims are looked at too.

Everything is integer arithmetic (pence × weight in ten-thousandths), and the randomness comes
from Python's Mersenne Twister seeded with the stored seed, which gives the same numbers for
the same seed on every platform and Python version."""

import dataclasses
import random
from decimal import Decimal
from fractions import Fraction

WEIGHT_SCALE = 10_000  # weights are stored with four decimal places

# The risk factors a claim of the frame is checked for: {code: (label, default multiplier)}.
# A claim's weight is the product of the multipliers of the factors it has.
RISK_FACTORS = {
    "first_claim": ("First claim of its initiative", Decimal("1.5")),
    "large_against_target": (
        "More than half of the initiative's target for the year",
        Decimal("2"),
    ),
    "quick_verification": ("Verified within a day of submission", Decimal("1.5")),
    "baseline_estimated": ("Baseline by estimate", Decimal("1.5")),
    "no_evidence": ("No evidence attached", Decimal("2")),
    "corrected_since": ("Corrected since", Decimal("1.5")),
    "decider_in_claimant": ("Decided by a member of the claimant organisation", Decimal("2")),
}
DEFAULT_WEIGHTS = {code: str(multiplier) for code, (_, multiplier) in RISK_FACTORS.items()}


def weight_of(factors, weights):
    """The product of the multipliers (`weights`: {code: "1.5"}) of the factors a claim has."""
    weight = Decimal(1)
    for code in factors:
        weight *= Decimal(weights.get(code, "1"))
    return weight.quantize(Decimal("0.0001"))


def risk_labels(factors):
    return [RISK_FACTORS[code][0] for code in factors if code in RISK_FACTORS]


@dataclasses.dataclass(frozen=True)
class FrameItem:
    position: int
    amount: Decimal  # net, in pounds, never negative
    weight: Decimal  # the product of the multipliers of the claim's risk factors


@dataclasses.dataclass(frozen=True)
class Draw:
    monetary: tuple  # positions selected by the monetary-unit points, in frame order
    stratum: tuple  # positions drawn at random from the rest, in frame order
    total: int  # the frame's total weighted amount, in pence × WEIGHT_SCALE
    interval: Fraction  # J, in the same unit

    @property
    def selected(self):
        return {
            **dict.fromkeys(self.monetary, "monetary"),
            **dict.fromkeys(self.stratum, "stratum"),
        }

    @property
    def interval_pounds(self):
        return (
            Decimal(self.interval.numerator)
            / Decimal(self.interval.denominator)
            / (100 * WEIGHT_SCALE)
        )


def weighted(item):
    """The claim's size for sampling: pence × weight (in ten-thousandths), an integer."""
    pence = int((item.amount * 100).to_integral_value())
    return max(pence, 0) * int((item.weight * WEIGHT_SCALE).to_integral_value())


def draw(items, *, seed, sample_size, stratum_size):
    """Select from `items` (FrameItems in frame order): `sample_size` monetary-unit points
    and `stratum_size` claims at random from those the points missed."""
    items = sorted(items, key=lambda item: item.position)
    # Reproducible by design (the seed is stored so anyone can redraw): not for secrets.
    rng = random.Random(seed)  # noqa: S311
    sizes = [weighted(item) for item in items]
    total = sum(sizes)
    monetary = []
    # Points at (u + k·total) / n for k = 0 … n−1, u uniform in [0, total): the start is
    # uniform in [0, J), J = total / n. Multiplying through by n keeps it in integers.
    start = rng.randrange(max(total, 1))
    if sample_size and total:
        n = sample_size
        below = 0
        for item, size in zip(items, sizes, strict=True):
            low, high = below * n, (below + size) * n  # this claim holds points in [low, high)
            below += size
            if size == 0:
                continue
            k = max(0, -(-(low - start) // total))  # the first point at or after `low`
            if k < n and start + k * total < high:
                monetary.append(item.position)
    chosen = set(monetary)
    rest = [item.position for item in items if item.position not in chosen]
    stratum = sorted(rng.sample(rest, min(stratum_size, len(rest))))
    interval = Fraction(total, sample_size) if sample_size else Fraction(total)
    return Draw(tuple(monetary), tuple(stratum), total, interval)


def chance(item, *, total, sample_size):
    """The probability that the monetary-unit points select `item`: min(1, n × size / total)."""
    if not total:
        return Fraction(0)
    return min(Fraction(1), Fraction(sample_size * weighted(item), total))
