"""What the booking page offers: slots of a meeting type in a window, and the nearest
alternatives to a refused start. Reads only (cached availability and busy time)."""

from __future__ import annotations

from datetime import datetime, timedelta

from scheduler_integration.booking.load import schedules
from scheduler_integration.booking.meeting_types import TypeContext, type_context
from scheduler_integration.engine import Slot, find_slots, nearest_slots

ALTERNATIVES_SPAN = timedelta(days=31)


def slots_for(ctx: TypeContext, start: datetime, end: datetime, now: datetime) -> list[Slot]:
	return find_slots(schedules(ctx, start, end), ctx.policy, start, end, now, ctx.assignment)


def alternatives(
	meeting_type: str, start: datetime, now: datetime, count: int = 3, exclude=None
) -> list[Slot]:
	"""The ``count`` offered starts nearest to ``start`` (a booking being moved is left out)."""
	ctx = type_context(meeting_type)
	wide = schedules(ctx, start - ALTERNATIVES_SPAN, start + ALTERNATIVES_SPAN, exclude=exclude)
	return nearest_slots(wide, ctx.policy, start, now, ctx.assignment, count)
