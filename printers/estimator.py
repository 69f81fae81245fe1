# SPDX-License-Identifier: GPL-3.0-or-later
"""Whole-file time estimate: the planner of :mod:`printers.planner` run over a sliding window.

:class:`MotionEstimator` receives moves one at a time (in file order) and keeps only a bounded
window of blocks: every ``flush_at`` blocks it plans the window with full look-ahead and
commits all but the last ``keep`` blocks, whose speeds may still change when later moves
arrive. PrusaSlicer's estimator works the same way (it plans a queue of 64+ blocks and keeps
the tail); a real Marlin looks ahead only 16 blocks, which costs at most a few tenths of a
percent on sliced files. Memory stays flat whatever the file's length.

:class:`ProgressMap` records "byte offset in the file -> cumulative seconds" as the blocks are
committed, decimated to at most ``max_points`` points: the printer host uses it to show the
remaining time of a print from the byte it has sent.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field

from printers.planner import Block, MachineLimits, make_block, plan_head


@dataclass
class ProgressMap:
    """Monotonic "byte offset -> cumulative seconds" points, at most ``max_points`` of them.

    When the list grows past ``max_points`` every other point is dropped and the spacing
    doubles, so memory is bounded and the points stay evenly spread over the file.
    """

    max_points: int = 1000
    points: list[tuple[int, float]] = field(default_factory=list)
    _min_gap_bytes: int = 1

    @classmethod
    def for_size(cls, size_bytes: int, max_points: int = 1000) -> ProgressMap:
        """A map whose spacing starts at ``size_bytes / max_points`` (fewer decimations)."""
        progress = cls(max_points=max_points)
        progress._min_gap_bytes = max(1, size_bytes // max(max_points, 1))
        return progress

    @property
    def next_offset(self) -> int:
        """The smallest offset :meth:`add` would record now (callers may skip the others)."""
        if not self.points:
            return 0
        return self.points[-1][0] + self._min_gap_bytes

    def add(self, offset: int, seconds: float, *, force: bool = False) -> None:
        """Record a point unless it is closer than the current spacing to the last one.

        ``force`` records it anyway (replacing a last point at the same offset): long waits
        (heating) must show as a step at their own line, not be spread over the next bytes.
        """
        points = self.points
        if points:
            last_offset, last_seconds = points[-1]
            if offset < last_offset + self._min_gap_bytes:
                if not force:
                    return
                if offset <= last_offset:
                    points[-1] = (last_offset, max(seconds, last_seconds))
                    return
            seconds = max(seconds, last_seconds)
        points.append((offset, seconds))
        if len(points) > self.max_points:
            # Keep the first and the last point, drop every other one in between.
            self.points = points[:-1:2] + [points[-1]]
            self._min_gap_bytes *= 2

    def finish(self, offset: int, seconds: float) -> None:
        """Record the end of the file (always kept, replacing a closer last point)."""
        if self.points and self.points[-1][0] >= offset:
            self.points[-1] = (offset, max(seconds, self.points[-1][1]))
        else:
            self.points.append((offset, seconds))
        if len(self.points) > self.max_points:
            self.points = self.points[:-1:2] + [self.points[-1]]


def elapsed_s_at(points: Sequence[tuple[int, float]], byte_offset: int) -> float:
    """Estimated seconds spent once the file has been executed up to ``byte_offset``.

    Linear interpolation between the recorded points; 0 before the first, the total after
    the last. O(log n).
    """
    if not points:
        return 0.0
    index = bisect.bisect_right(points, byte_offset, key=_offset_of)
    if index == 0:
        return 0.0
    if index >= len(points):
        return points[-1][1]
    (o0, s0), (o1, s1) = points[index - 1], points[index]
    if o1 == o0:
        return s1
    return s0 + (s1 - s0) * (byte_offset - o0) / (o1 - o0)


def remaining_s_at(points: Sequence[tuple[int, float]], byte_offset: int) -> float:
    """Estimated seconds left after ``byte_offset``: 0 at the end of the file."""
    if not points:
        return 0.0
    return max(points[-1][1] - elapsed_s_at(points, byte_offset), 0.0)


def _offset_of(point: tuple[int, float]) -> int:
    return point[0]


class MotionEstimator:
    """Accumulates move durations with look-ahead over a sliding window of blocks.

    Call :meth:`move` for each linear move, :meth:`wait` for dwells and heating waits (they
    stop the machine: the queue is planned to a standstill first), and :meth:`finish` at the
    end. ``elapsed_s`` is the committed total so far; ``progress`` is the byte-offset map
    (``tag`` of each move is its line's byte offset).
    """

    def __init__(
        self,
        limits: MachineLimits,
        *,
        keep: int = 64,
        flush_at: int = 512,
        progress: ProgressMap | None = None,
    ) -> None:
        self.limits = limits
        self.keep = keep
        self.flush_at = max(flush_at, keep + 1)
        self.progress = progress if progress is not None else ProgressMap()
        self.elapsed_s = 0.0
        self.motion_s = 0.0
        self._blocks: list[Block] = []
        self._tags: list[int] = []
        self._previous: Block | None = None
        self._entry_speed = 0.0

    def move(
        self, delta_xyze_mm: tuple[float, float, float, float], feedrate_mm_s: float, tag: int
    ) -> Block | None:
        """Queue one move; returns its block, or ``None`` for a zero-length move."""
        block = make_block(self._previous, delta_xyze_mm, feedrate_mm_s, self.limits)
        if block is None:
            return None
        self._blocks.append(block)
        self._tags.append(tag)
        self._previous = block
        if len(self._blocks) >= self.flush_at:
            self._commit(len(self._blocks) - self.keep, stop=False)
        return block

    def set_limits(self, limits: MachineLimits) -> None:
        """New machine limits apply to the moves queued from now on (as in Marlin)."""
        self.limits = limits

    def wait(self, seconds: float, tag: int) -> None:
        """The machine stops and waits (G4, M109, M190…): plan to a standstill, add the wait."""
        self.synchronize()
        if seconds > 0.0:
            self.elapsed_s += seconds
        # A long wait is recorded at its own line even when the spacing would skip it, with
        # a point just before it, so that interpolation does not spread it over earlier bytes.
        if seconds >= 1.0:
            self.progress.add(max(tag - 1, 0), self.elapsed_s - seconds, force=True)
        self.progress.add(tag, self.elapsed_s, force=seconds >= 1.0)

    def synchronize(self) -> None:
        """Execute every queued block and come to a stop (Marlin's ``M400``)."""
        if self._blocks:
            self._commit(len(self._blocks), stop=True)
        self._previous = None
        self._entry_speed = 0.0

    def finish(self, end_offset: int) -> float:
        """Drain the queue; returns the total seconds."""
        self.synchronize()
        self.progress.finish(end_offset, self.elapsed_s)
        return self.elapsed_s

    def _commit(self, count: int, *, stop: bool) -> None:
        blocks = self._blocks
        # When not stopping, the kept tail may still change; the head is committed up to the
        # junction speed planned for now, which becomes the fixed entry of the next window.
        durations, self._entry_speed = plan_head(blocks, self._entry_speed, count)
        elapsed = self.elapsed_s
        motion = 0.0
        tags = self._tags
        progress = self.progress
        next_offset = progress.next_offset
        for index, duration in enumerate(durations):
            motion += duration
            if tags[index] >= next_offset:
                progress.add(tags[index], elapsed + motion)
                next_offset = progress.next_offset
        self.elapsed_s = elapsed + motion
        self.motion_s += motion
        del blocks[:count]
        del tags[:count]
