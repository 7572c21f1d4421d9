"""Attribution to the penny, for any amount and any set of shares (hypothesis)."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from initiatives.claims.attribution import split

PENNY = Decimal("0.01")


@st.composite
def shares_summing_to_100(draw):
    """Two-decimal percentages for 1–12 partners that add up to exactly 100.00."""
    count = draw(st.integers(min_value=1, max_value=12))
    cuts = sorted(draw(st.lists(st.integers(0, 10000), min_size=count - 1, max_size=count - 1)))
    bounds = [0, *cuts, 10000]
    return {n: Decimal(bounds[n + 1] - bounds[n]) / 100 for n in range(count)}


amounts = st.decimals(
    min_value=Decimal("-1000000000"), max_value=Decimal("1000000000"), places=2, allow_nan=False
)


@settings(max_examples=600, deadline=None)
@given(amount=amounts, shares=shares_summing_to_100())
def test_the_parts_always_sum_to_the_amount_to_the_penny(amount, shares):
    parts = split(amount, shares)
    assert sum(parts.values()) == amount
    assert set(parts) == set(shares)
    for key, part in parts.items():
        assert part == part.quantize(PENNY)
        exact = amount * shares[key] / 100
        # Largest remainder never moves a part more than a penny from its exact value.
        assert abs(part - exact) < PENNY
        assert part == 0 or (part > 0) == (amount > 0)


@settings(max_examples=300, deadline=None)
@given(amount=amounts, shares=shares_summing_to_100())
def test_a_zero_share_gets_nothing_and_the_split_is_deterministic(amount, shares):
    parts = split(amount, shares)
    assert parts == split(amount, dict(reversed(list(shares.items()))))
    for key, share in shares.items():
        if share == 0:
            assert parts[key] == 0


def test_ties_go_the_same_way_whatever_the_order():
    assert split(Decimal("0.01"), {2: "50", 1: "50"}) == {1: Decimal("0.01"), 2: Decimal("0.00")}


def test_three_equal_partners_share_a_pound():

    assert split(Decimal("1.00"), {"a": "33.33", "b": "33.33", "c": "33.34"}) == {
        "a": Decimal("0.33"),
        "b": Decimal("0.33"),
        "c": Decimal("0.34"),
    }
