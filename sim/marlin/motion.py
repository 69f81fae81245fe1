# SPDX-License-Identifier: GPL-3.0-or-later
"""The printer's planner queue: up to ``capacity`` blocks, executed one after the other.

Timing comes from :mod:`printers.planner` (the same Marlin-style look-ahead the time estimate
uses): when a block starts executing, the whole queue is planned from the current speed down
to a stop after the last queued block, and the head block's trapezoid gives its duration and
exit speed. As in Marlin, a block already executing is not re-planned when new blocks arrive.
"""

from __future__ import annotations

from collections import deque

from printers.planner import Axes, Block, MachineLimits, make_block, plan


class PlannerQueue:
    def __init__(self, capacity: int, limits: MachineLimits | None = None) -> None:
        self.capacity = capacity
        self.limits = limits or MachineLimits()
        self._queue: deque[Block] = deque()
        self._executing: Block | None = None
        self._end_s: float | None = None
        self._speed_mm_s = 0.0
        self._last_added: Block | None = None
        self.blocks_done = 0
        self.busy_s = 0.0
        #: Time the queue last ran dry after executing a block (None while moving).
        self.ran_dry_at_s: float | None = None
        #: Start time of the executing block when nothing was queued behind it: it is planned
        #: to slow down to a stop, and a move arriving later cannot change that (a stutter).
        self.alone_since_s: float | None = None

    def __len__(self) -> int:
        return len(self._queue) + (1 if self._executing is not None else 0)

    @property
    def free(self) -> int:
        return self.capacity - len(self)

    @property
    def full(self) -> bool:
        return len(self) >= self.capacity

    @property
    def moving(self) -> bool:
        return self._executing is not None

    def next_end_s(self) -> float | None:
        return self._end_s

    def add(self, delta_xyze_mm: Axes, feedrate_mm_s: float, now_s: float) -> bool:
        """Queue one move (the caller checked :attr:`full`); False for a zero-length move."""
        previous = self._last_added if len(self) else None
        block = make_block(
            previous,
            delta_xyze_mm,
            feedrate_mm_s,
            self.limits,
            queue_draining=len(self) < self.capacity // 2,
        )
        if block is None:
            return False
        self._queue.append(block)
        self._last_added = block
        if self._executing is None:
            self._start(now_s)
        return True

    def _start(self, now_s: float) -> None:
        timings = plan(list(self._queue), entry_speed_mm_s=self._speed_mm_s)
        head = self._queue.popleft()
        timing = timings[0]
        self._executing = head
        self._end_s = now_s + timing.duration_s
        self.busy_s += timing.duration_s
        self._speed_mm_s = timing.exit_speed_mm_s
        self.ran_dry_at_s = None
        self.alone_since_s = None if self._queue else now_s

    def advance(self, now_s: float) -> None:
        while self._end_s is not None and self._end_s <= now_s:
            end = self._end_s
            self._executing = None
            self._end_s = None
            self.blocks_done += 1
            if self._queue:
                self._start(end)
            else:
                self._speed_mm_s = 0.0
                self.ran_dry_at_s = end

    def clear(self) -> None:
        """Quick stop (kill, reset): every queued block is lost."""
        self._queue.clear()
        self._executing = None
        self._end_s = None
        self._speed_mm_s = 0.0
        self._last_added = None
        self.ran_dry_at_s = None
        self.alone_since_s = None
