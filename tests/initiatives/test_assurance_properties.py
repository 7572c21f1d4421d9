"""Monetary-unit sampling selects in proportion to the amount (hypothesis): over many draws
from a random frame, each claim's selection frequency matches min(1, n × weighted amount /
total), a claim twice as large is selected about twice as often, and a claim at or above the
sampling interval always is. The draw alone (no database): the sampling module is pure.

The tolerance: with D draws a claim selected with probability p is selected D·p times on
average, with a standard deviation of √(D·p·(1−p)); five of those either side fails a correct
draw about once in 1.7 million claims checked. FUZZ_PROFILE=fuzz (the default) runs a few
frames; fuzz-thorough many more."""

import math
import os
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from initiatives.assurance import sampling

EXAMPLES = {"fuzz": 12, "fuzz-thorough": 120}.get(os.environ.get("FUZZ_PROFILE", "fuzz"), 12)
DRAWS = 2000
SIGMAS = 5

amounts = st.decimals(min_value=Decimal("1"), max_value=Decimal("50000"), places=2)
weights = st.sampled_from([Decimal("1"), Decimal("1.5"), Decimal("2"), Decimal("3")])


@st.composite
def frames(draw):
    """A frame of 3–12 claims, two of them a pair whose amounts are a and 2a (equal weights)."""
    others = draw(st.lists(st.tuples(amounts, weights), min_size=1, max_size=10))
    pair = draw(st.decimals(min_value=Decimal("1"), max_value=Decimal("5000"), places=2))
    rows = [(pair, Decimal("1")), (pair * 2, Decimal("1")), *others]
    order = draw(st.permutations(range(len(rows))))
    items = [
        sampling.FrameItem(position, *rows[index]) for position, index in enumerate(order, start=1)
    ]
    small = next(item.position for item in items if item.amount == pair and item.weight == 1)
    large = next(
        item.position
        for item in items
        if item.amount == pair * 2 and item.weight == 1 and item.position != small
    )
    return items, small, large


def _within(count, p):
    spread = SIGMAS * math.sqrt(DRAWS * p * (1 - p)) + 1
    return abs(count - DRAWS * p) <= spread


@settings(max_examples=EXAMPLES, deadline=None)
@given(frame=frames(), sample_size=st.integers(min_value=1, max_value=6))
def test_selection_frequency_follows_the_amount(frame, sample_size):
    items, small, large = frame
    counts = dict.fromkeys((item.position for item in items), 0)
    for seed in range(DRAWS):
        drawn = sampling.draw(items, seed=seed, sample_size=sample_size, stratum_size=0)
        for position in drawn.monetary:
            counts[position] += 1
    total = sum(sampling.weighted(item) for item in items)
    for item in items:
        p = float(sampling.chance(item, total=total, sample_size=sample_size))
        if p == 1:
            # At or above the interval: selected in every draw.
            assert counts[item.position] == DRAWS, item
        else:
            assert _within(counts[item.position], p), (item, counts[item.position], DRAWS * p)
    # Twice the amount, twice as often (while both are below the interval).
    p_small = float(sampling.chance(items[small - 1], total=total, sample_size=sample_size))
    p_large = float(sampling.chance(items[large - 1], total=total, sample_size=sample_size))
    if p_large < 1:
        assert math.isclose(p_large, 2 * p_small, rel_tol=1e-9)
        assert _within(counts[large], p_large) and _within(counts[small], p_small)


@settings(max_examples=EXAMPLES, deadline=None)
@given(
    frame=frames(),
    sample_size=st.integers(min_value=0, max_value=6),
    stratum_size=st.integers(min_value=0, max_value=5),
    seed=st.integers(min_value=0, max_value=2**62),
)
def test_a_draw_is_reproducible_and_its_stratum_comes_from_the_rest(
    frame, sample_size, stratum_size, seed
):
    items, _, _ = frame
    first = sampling.draw(items, seed=seed, sample_size=sample_size, stratum_size=stratum_size)
    again = sampling.draw(
        list(reversed(items)), seed=seed, sample_size=sample_size, stratum_size=stratum_size
    )
    assert first == again
    assert not set(first.monetary) & set(first.stratum)
    rest = len(items) - len(first.monetary)
    assert len(first.stratum) == min(stratum_size, rest)
    assert len(first.monetary) <= sample_size
