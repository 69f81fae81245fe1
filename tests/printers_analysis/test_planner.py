# SPDX-License-Identifier: GPL-3.0-or-later
"""The Marlin-style planner: blocks, junction speeds, look-ahead, trapezoids."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from printers.planner import (
    MachineLimits,
    make_block,
    plan,
    plan_duration_s,
    plan_head,
    plan_junctions,
)

LIMITS = MachineLimits(
    max_feedrate_mm_s=(500.0, 500.0, 5.0, 25.0),
    max_acceleration_mm_s2=(1000.0, 1000.0, 100.0, 5000.0),
    print_acceleration_mm_s2=500.0,
    retract_acceleration_mm_s2=1000.0,
    travel_acceleration_mm_s2=800.0,
    jerk_mm_s=(8.0, 8.0, 0.4, 5.0),
)


def chain(moves, limits=LIMITS):  # type: ignore[no-untyped-def]
    blocks = []
    previous = None
    for delta, feed in moves:
        block = make_block(previous, delta, feed, limits)
        if block is not None:
            blocks.append(block)
            previous = block
    return blocks


def test_long_move_is_a_trapezoid_starting_and_ending_at_the_jerk_speed() -> None:
    block = make_block(None, (100.0, 0.0, 0.0, 1.0), 50.0, LIMITS)
    assert block is not None
    assert block.kind == "print"
    assert block.safe_speed_mm_s == pytest.approx(8.0)
    (timing,) = plan([block])
    # 8 -> 50 mm/s at 500 mm/s² takes 0.084 s over 2.436 mm, and the same to brake.
    ramp_mm = (50.0**2 - 8.0**2) / (2 * 500.0)
    assert timing.accelerate_s == pytest.approx(0.084)
    assert timing.decelerate_s == pytest.approx(0.084)
    assert timing.cruise_s == pytest.approx((100.0 - 2 * ramp_mm) / 50.0)
    assert timing.cruise_speed_mm_s == pytest.approx(50.0)


def test_short_move_is_a_triangle_below_the_nominal_speed() -> None:
    block = make_block(None, (1.0, 0.0, 0.0, 0.0), 100.0, LIMITS)
    assert block is not None
    (timing,) = plan([block])
    assert timing.cruise_s == 0.0
    assert 8.0 < timing.cruise_speed_mm_s < 100.0
    peak = math.sqrt(800.0 * 1.0 + 64.0)  # (2aL + v0² + v1²) / 2 with v0 = v1 = 8
    assert timing.cruise_speed_mm_s == pytest.approx(peak)


def test_zero_length_and_non_finite_moves_make_no_block() -> None:
    assert make_block(None, (0.0, 0.0, 0.0, 0.0), 50.0, LIMITS) is None
    assert make_block(None, (math.nan, 0.0, 0.0, 0.0), 50.0, LIMITS) is None
    assert make_block(None, (1.0, 0.0, 0.0, 0.0), math.nan, LIMITS) is None


def test_zero_feedrate_is_raised_to_a_finite_speed() -> None:
    block = make_block(None, (1.0, 0.0, 0.0, 0.0), 0.0, LIMITS)
    assert block is not None
    assert block.nominal_speed_mm_s > 0.0
    assert math.isfinite(plan_duration_s([block]))


def test_axis_maximum_feedrate_slows_a_z_move() -> None:
    block = make_block(None, (0.0, 0.0, 10.0, 0.0), 100.0, LIMITS)
    assert block is not None
    assert block.nominal_speed_mm_s == pytest.approx(5.0)
    assert block.kind == "travel"
    assert block.acceleration_mm_s2 == pytest.approx(100.0)  # Z's own maximum


def test_retract_uses_the_retract_acceleration() -> None:
    block = make_block(None, (0.0, 0.0, 0.0, -2.0), 40.0, LIMITS)
    assert block is not None
    assert block.kind == "retract"
    assert block.acceleration_mm_s2 == pytest.approx(1000.0)
    assert block.nominal_speed_mm_s == pytest.approx(25.0)  # E's maximum feedrate


def test_straight_junction_keeps_full_speed_and_corner_is_jerk_limited() -> None:
    first, straight = chain([((10.0, 0.0, 0.0, 0.0), 50.0), ((10.0, 0.0, 0.0, 0.0), 50.0)])
    assert straight.max_junction_speed_mm_s == pytest.approx(50.0)
    _, corner = chain([((10.0, 0.0, 0.0, 0.0), 50.0), ((0.0, 10.0, 0.0, 0.0), 50.0)])
    # X stops and Y starts: each axis may jump by 8 mm/s only.
    assert corner.max_junction_speed_mm_s == pytest.approx(8.0)
    _, reversal = chain([((10.0, 0.0, 0.0, 0.0), 50.0), ((-10.0, 0.0, 0.0, 0.0), 50.0)])
    assert reversal.max_junction_speed_mm_s <= 8.0 + 1e-9


def test_junction_deviation_form_of_m205() -> None:
    limits = LIMITS.updated("M205", {"J": 0.05})
    assert limits.junction_deviation_mm == pytest.approx(0.05)
    _, corner = chain([((10.0, 0.0, 0.0, 0.0), 50.0), ((0.0, 10.0, 0.0, 0.0), 50.0)], limits)
    # 90°: sin(θ/2) = √½; v² = a·δ·s/(1-s) with a = 800 (travel).
    s = math.sqrt(0.5)
    assert corner.max_junction_speed_mm_s == pytest.approx(math.sqrt(800 * 0.05 * s / (1 - s)))
    back = limits.updated("M205", {"X": 10.0, "Y": 10.0})
    assert back.junction_deviation_mm is None
    assert back.jerk_mm_s[:2] == (10.0, 10.0)


def test_limits_follow_m201_m203_m204_m205() -> None:
    limits = (
        MachineLimits()
        .updated("M201", {"X": 1500.0, "E": 9000.0})
        .updated("M203", {"Z": 12.0})
        .updated("M204", {"S": 700.0, "R": 2000.0})
        .updated("M205", {"S": 1.0, "T": 2.0, "B": 20000.0, "E": 4.5})
    )
    assert limits.max_acceleration_mm_s2[0] == 1500.0
    assert limits.max_acceleration_mm_s2[3] == 9000.0
    assert limits.max_feedrate_mm_s[2] == 12.0
    assert limits.print_acceleration_mm_s2 == limits.travel_acceleration_mm_s2 == 700.0
    assert limits.retract_acceleration_mm_s2 == 2000.0
    assert limits.min_print_feedrate_mm_s == 1.0
    assert limits.min_travel_feedrate_mm_s == 2.0
    assert limits.min_segment_time_s == pytest.approx(0.02)
    assert limits.jerk_mm_s[3] == 4.5
    # Values a firmware would refuse are ignored.
    assert limits.updated("M204", {"P": math.nan, "T": -5.0}) == limits


def test_limits_from_a_profile_table_reject_nonsense() -> None:
    with pytest.raises(ValueError):
        MachineLimits.from_mapping({"max_feedrate_mm_s": [1, 2, 3]})
    with pytest.raises(ValueError):
        MachineLimits.from_mapping({"warp_speed": 9})
    limits = MachineLimits.from_mapping({"print_acceleration_mm_s2": 1234})
    assert limits.print_acceleration_mm_s2 == 1234


def test_minimum_segment_time_applies_only_when_the_queue_drains() -> None:
    limits = LIMITS.updated("M205", {"B": 20000.0})
    full = make_block(None, (0.2, 0.0, 0.0, 0.0), 100.0, limits)
    draining = make_block(None, (0.2, 0.0, 0.0, 0.0), 100.0, limits, queue_draining=True)
    assert full is not None and draining is not None
    assert full.nominal_speed_mm_s == pytest.approx(100.0)
    assert draining.nominal_speed_mm_s == pytest.approx(10.0)


def test_plan_respects_an_imposed_entry_speed() -> None:
    blocks = chain([((10.0, 0.0, 0.0, 0.0), 50.0)] * 4)
    speeds = plan_junctions(blocks, entry_speed_mm_s=30.0)
    assert speeds[0] == pytest.approx(30.0)
    timings = plan(blocks, entry_speed_mm_s=30.0)
    assert timings[0].entry_speed_mm_s == pytest.approx(30.0)
    for before, after in zip(timings, timings[1:], strict=False):
        assert before.exit_speed_mm_s == pytest.approx(after.entry_speed_mm_s)
    assert plan(blocks, entry_speed_mm_s=30.0)[0].duration_s < plan(blocks)[0].duration_s


def test_every_junction_is_reachable_and_brakeable() -> None:
    pattern = [
        ((0.3, 0.1, 0.0, 0.01), 80.0),
        ((5.0, -3.0, 0.0, 0.2), 60.0),
        ((0.0, 0.0, 0.0, -1.0), 35.0),
    ]
    blocks = chain(pattern * 10)
    speeds = plan_junctions(blocks)
    for index, block in enumerate(blocks):
        v0, v1 = speeds[index], speeds[index + 1]
        reach = math.sqrt(v0 * v0 + 2 * block.acceleration_mm_s2 * block.length_mm)
        brake = math.sqrt(v1 * v1 + 2 * block.acceleration_mm_s2 * block.length_mm)
        assert v1 <= reach + 1e-9
        assert v0 <= brake + 1e-9 or index == 0
        assert v1 <= block.nominal_speed_mm_s + 1e-9


# -- properties -----------------------------------------------------------------------------

_moves = st.lists(
    st.tuples(
        st.floats(-30.0, 30.0),
        st.floats(-30.0, 30.0),
        st.floats(0.0, 0.5),
        st.floats(-1.0, 2.0),
        st.floats(5.0, 150.0),
    ),
    min_size=1,
    max_size=12,
)


def _duration(moves, scale_feed=1.0, limits=LIMITS):  # type: ignore[no-untyped-def]
    return plan_duration_s(
        chain([((dx, dy, dz, de), feed * scale_feed) for dx, dy, dz, de, feed in moves], limits)
    )


DEVIATION = LIMITS.updated("M205", {"J": 0.05})


@st.composite
def _sliced_moves(draw):  # type: ignore[no-untyped-def]
    """Moves as slicers write them: prints (E up to 0.08 mm per mm), travels, retractions."""
    moves = []
    for _ in range(draw(st.integers(1, 12))):
        feed = draw(st.floats(5.0, 150.0))
        kind = draw(st.sampled_from(["print", "travel", "retract"]))
        if kind == "retract":
            moves.append((0.0, 0.0, 0.0, draw(st.sampled_from([-1.0, 1.0])), feed))
            continue
        dx, dy = draw(st.floats(-30.0, 30.0)), draw(st.floats(-30.0, 30.0))
        ratio = draw(st.floats(0.01, 0.08)) if kind == "print" else 0.0
        moves.append((dx, dy, 0.0, ratio * math.hypot(dx, dy), feed))
    return moves


@settings(max_examples=60, deadline=None)
@given(_moves, st.floats(1.0, 3.0))
def test_property_faster_feedrates_never_take_longer_with_junction_deviation(  # type: ignore[no-untyped-def]
    moves, factor
) -> None:
    assert _duration(moves, factor, DEVIATION) <= _duration(moves, 1.0, DEVIATION) * (1 + 1e-9)


# Every axis's maximum feedrate out of reach, so that scaling the feedrates scales every
# block's nominal speed (see the test after this one for what a reached maximum does).
UNCAPPED = replace(LIMITS, max_feedrate_mm_s=(1e4, 1e4, 1e4, 1e4))


@settings(max_examples=60, deadline=None)
@given(_sliced_moves(), st.floats(1.0, 3.0))
@example(
    [(0.0, 0.0, 0.0, -1.0, 19.0), (8.0, 0.0, 0.0, 0.625, 110.0), (5.0, 0.0, 0.0, 0.0, 124.0)], 3.0
)
@example(
    [
        (11.5, 1.0, 0.0, 0.11543396380615197, 117.0),
        (0.0, 0.0, 0.0, 1.0, 87.0),
        (0.0, 0.0, 0.0, -1.0, 30.0),
    ],
    1.75,
)
def test_property_faster_feedrates_never_take_longer_with_classic_jerk(  # type: ignore[no-untyped-def]
    moves, factor
) -> None:
    # Marlin's classic jerk junction (planner.cpp, _populate_block, CLASSIC_JERK) starts from
    # the smaller nominal speed and scales it by max_jerk / jerk for each axis over its jerk.
    # When every nominal speed is multiplied by the factor, each axis's speed change is too,
    # so a jerk-limited junction keeps its speed and an unlimited one gets faster; safe speeds
    # only grow. Except for the "not coasting" rule that follows: when both safe speeds are
    # above 0.99 x the junction speed, the junction becomes the next block's safe speed, which
    # may be up to 1 % below it (second example: 5.0505 mm/s, then 5.0 once the safe speeds
    # grew). Every speed limit at least 0.99 x what it was, the plan takes at most 1 / 0.99 of
    # its time (the old plan's speeds x 0.99 are a feasible plan, at most that long).
    assert _duration(moves, factor, UNCAPPED) <= _duration(moves, 1.0, UNCAPPED) / 0.99 * (1 + 1e-9)


def test_a_faster_travel_after_a_print_held_by_the_extruder_slows_the_corner() -> None:
    # Not so when a maximum feedrate holds one block back (hypothesis found it; the earlier
    # form of the property above allowed 1 %). A print at 0.08 mm of filament per mm stops
    # at 25 / 0.08 = 312.5 mm/s (E's maximum), the travel after it does not. Marlin 2.0/2.1
    # compare the print's exit speed (v_exit = previous_speed, not scaled, the print being the
    # slower) with the travel's entry at its *full* nominal speed (v_entry = current_speed):
    # X "coasts" from 312.5 to 450 mm/s, 137.5 mm/s of jerk against 8, and the junction falls
    # to 312.5 x 8 / 137.5 = 18.2 mm/s, where 150 mm/s feedrates gave 62.5 mm/s (E's jerk). The
    # estimate follows the firmware: three times the feedrates take 23 % longer here.
    moves = [(5.0, 0.0, 0.0, 0.4, 150.0), (5.0, 0.0, 0.0, 0.0, 150.0)]
    _, travel = chain([((dx, dy, dz, de), feed) for dx, dy, dz, de, feed in moves])
    assert travel.max_junction_speed_mm_s == pytest.approx(150.0 * 5.0 / (0.08 * 150.0))
    print_, fast_travel = chain([((dx, dy, dz, de), 3 * feed) for dx, dy, dz, de, feed in moves])
    assert print_.nominal_speed_mm_s == pytest.approx(312.5)
    assert fast_travel.max_junction_speed_mm_s == pytest.approx(312.5 * 8.0 / (450.0 - 312.5))
    assert _duration(moves, 3.0) == pytest.approx(_duration(moves) * 1.2259, rel=1e-3)
    # Without the extruder's maximum, the corner keeps its 62.5 mm/s and the time its value
    # (two short moves that never reach 150 mm/s: only the accelerations bound them).
    assert _duration(moves, 3.0, UNCAPPED) == pytest.approx(_duration(moves, 1.0, UNCAPPED))


@settings(max_examples=60, deadline=None)
@given(_moves, st.floats(1.0, 4.0))
# Found by hypothesis: a junction faster than the block before it (classic jerk's "not
# coasting" rule, then junction deviation's minimum planner speed above a block's own speed)
# gave that block a negative braking time, shorter at the lower acceleration.
@example([(0.0, 0.0, 0.0625, 1.0, 5.0), (0.0, 1.0, 0.0, 0.0, 5.0)], 2.0)
@example([(0.0, 0.0, 0.001953125, 1.0, 5.0), (0.0, 0.0, 0.0078125, 0.0, 5.0)], 2.0)
@example([(0.0, 0.0, 0.0, 1.0, 5.0), (0.0, 0.0, 0.0001, 1.0, 5.0)], 2.0)
def test_property_higher_acceleration_never_takes_longer(moves, factor) -> None:  # type: ignore[no-untyped-def]
    base = LIMITS
    quick = MachineLimits(
        max_feedrate_mm_s=base.max_feedrate_mm_s,
        max_acceleration_mm_s2=tuple(a * factor for a in base.max_acceleration_mm_s2),  # type: ignore[arg-type]
        print_acceleration_mm_s2=base.print_acceleration_mm_s2 * factor,
        retract_acceleration_mm_s2=base.retract_acceleration_mm_s2 * factor,
        travel_acceleration_mm_s2=base.travel_acceleration_mm_s2 * factor,
        jerk_mm_s=base.jerk_mm_s,
    )
    assert _duration(moves, limits=quick) <= _duration(moves) * (1 + 1e-9) + 1e-12
    quick_deviation = quick.updated("M205", {"J": 0.05})
    assert _duration(moves, limits=quick_deviation) <= _duration(moves, limits=DEVIATION) * (
        1 + 1e-9
    )


@settings(max_examples=60, deadline=None)
@given(
    st.floats(-50.0, 50.0),
    st.floats(-50.0, 50.0),
    st.one_of(st.just(0.0), st.floats(0.01, 3.0)),  # printing or travel, in every piece too
    st.floats(5.0, 150.0),
    st.integers(2, 12),
)
def test_property_splitting_a_move_into_collinear_pieces_keeps_its_time(  # type: ignore[no-untyped-def]
    dx, dy, de, feed, pieces
) -> None:
    if math.hypot(dx, dy) < 0.5:
        return
    whole = plan_duration_s(chain([((dx, dy, 0.0, de), feed)]))
    part = (dx / pieces, dy / pieces, 0.0, de / pieces)
    split = plan_duration_s(chain([(part, feed)] * pieces))
    assert split == pytest.approx(whole, rel=1e-3)


@settings(max_examples=60, deadline=None)
@given(_moves, st.sampled_from([LIMITS, DEVIATION]), st.floats(0.0, 60.0))
def test_property_no_block_runs_faster_than_its_nominal_speed_or_back_in_time(  # type: ignore[no-untyped-def]
    moves, limits, entry
) -> None:
    blocks = chain([((dx, dy, dz, de), feed) for dx, dy, dz, de, feed in moves], limits)
    for block, timing in zip(blocks, plan(blocks, entry_speed_mm_s=entry), strict=True):
        assert min(timing.accelerate_s, timing.cruise_s, timing.decelerate_s) >= -1e-12
        top = timing.cruise_speed_mm_s
        assert top <= block.nominal_speed_mm_s * (1 + 1e-9)
        assert max(timing.entry_speed_mm_s, timing.exit_speed_mm_s) <= top * (1 + 1e-9)


@settings(max_examples=40, deadline=None)
@given(_sliced_moves(), st.floats(0.0, 60.0), st.integers(0, 12))
def test_property_the_estimator_head_matches_plan(moves, entry, head) -> None:  # type: ignore[no-untyped-def]
    blocks = chain([((dx, dy, dz, de), feed) for dx, dy, dz, de, feed in moves])
    if not blocks:
        return
    head = min(head, len(blocks))
    durations, end_speed = plan_head(blocks, entry, head)
    timings = plan(blocks, entry_speed_mm_s=entry)
    assert durations == pytest.approx([t.duration_s for t in timings[:head]], rel=1e-9)
    if head:
        assert end_speed == pytest.approx(timings[head - 1].exit_speed_mm_s, rel=1e-9)


def test_a_start_never_outruns_what_the_first_block_can_brake_from() -> None:
    # Both found by the property above: a tiny move before a slower one, from rest (raised
    # to the jerk speed 8) and at an imposed 12 mm/s; the first block starts no faster than
    # it can brake from, and the head estimator agrees with plan() on times and end speed.
    for moves, entry in (
        ([((0.015625, 0.0, 0.0, 0.0), 8.0), ((0.0, 1.0, 0.0, 0.0), 5.0)], 0.0),
        ([((0.0625, 0.0, 0.0, 0.00390625), 12.0)], 12.0),
    ):
        blocks = chain(moves)
        timings = plan(blocks, entry_speed_mm_s=entry)
        first = blocks[0]
        reachable = math.sqrt(
            timings[0].exit_speed_mm_s**2 + 2 * first.acceleration_mm_s2 * first.length_mm
        )
        assert timings[0].entry_speed_mm_s == pytest.approx(reachable)
        for before, after in zip(timings[:-1], timings[1:], strict=True):
            assert before.exit_speed_mm_s == pytest.approx(after.entry_speed_mm_s)
        durations, end = plan_head(blocks, entry, len(blocks))
        assert durations == pytest.approx([t.duration_s for t in timings], rel=1e-9)
        assert end == pytest.approx(timings[-1].exit_speed_mm_s, rel=1e-9)


def test_a_block_slower_than_the_next_ones_safe_speed_cruises_to_its_end() -> None:
    # A Z+E move (nominal 1.5625 mm/s, E at its 25 mm/s maximum) then a 1 mm Y travel at
    # 5 mm/s: both safe speeds are above the jerk-limited junction (0.3125), so Marlin lets the
    # travel start at its own safe speed, 5 mm/s. The first block cannot exit that fast: it
    # accelerates to its nominal speed and cruises to its end, with no braking phase (it had a
    # negative one, which made doubling the accelerations slower).
    blocks = chain([((0.0, 0.0, 0.0625, 1.0), 5.0), ((0.0, 1.0, 0.0, 0.0), 5.0)])
    first, travel = blocks
    assert first.nominal_speed_mm_s == pytest.approx(1.5625)
    assert travel.max_junction_speed_mm_s == pytest.approx(5.0)
    timings = plan(blocks)
    assert timings[0].exit_speed_mm_s == pytest.approx(1.5625)
    assert timings[0].decelerate_s == 0.0
    assert timings[0].accelerate_s == pytest.approx((1.5625 - 0.3125) / 100.0)
    assert timings[1].entry_speed_mm_s == pytest.approx(5.0)
    assert timings[1].duration_s == pytest.approx(0.2)
    durations, end = plan_head(blocks, 0.0, 1)
    assert durations == pytest.approx([timings[0].duration_s], rel=1e-9)
    assert end == pytest.approx(1.5625)
    # The next window starts the travel from that speed: raised to its safe speed, as planned.
    assert plan_head(blocks[1:], end, 1)[0] == pytest.approx([timings[1].duration_s], rel=1e-9)
