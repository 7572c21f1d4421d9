"""Splitting a net amount between partners by their shares, to the penny.

Largest-remainder rounding: each partner gets the whole pennies of its exact part, and the
pennies left over go one each to the largest fractional parts, so the parts always sum to the
amount exactly."""

from decimal import ROUND_FLOOR, Decimal

PENNY = Decimal("0.01")


def split(amount, shares):
    """{key: amount} for {key: share}; shares are weights (percentages that sum to 100, or
    earlier amounts). Ties in the remainders go to the larger share, then the smaller key, so
    the same inputs always give the same split."""
    amount = Decimal(amount).quantize(PENNY)
    weights = {key: Decimal(share) for key, share in shares.items()}
    total_weight = sum(weights.values())
    if not weights or total_weight == 0:
        raise ValueError("Cannot split an amount with no shares")
    sign = -1 if amount < 0 else 1
    pennies = abs(amount) / PENNY
    exact = {key: pennies * weight / total_weight for key, weight in weights.items()}
    floors = {key: value.to_integral_value(rounding=ROUND_FLOOR) for key, value in exact.items()}
    left = int(pennies - sum(floors.values()))
    order = sorted(weights, key=lambda key: (-(exact[key] - floors[key]), -weights[key], key))

    for key in order[:left]:
        floors[key] += 1
    return {key: sign * floors[key] * PENNY for key in weights}
