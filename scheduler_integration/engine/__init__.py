"""Pure scheduling engine: never imports frappe.

Records in ``model``; the rules that decide every slot are written down in the module
docstrings of ``availability`` (working hours), ``recurrence`` (repeating blocked time),
``slots`` (grid, buffers, notice, horizon, limits, teams) and ``teams`` (round robin),
and summarised in ``docs/engine.md``.
"""

from .alternatives import nearest_slots
from .availability import available_intervals
from .errors import (
	InvalidDuration,
	InvalidInterval,
	InvalidRecurrence,
	InvalidRule,
	InvalidTimeZone,
	NaiveDatetime,
	SchedulingError,
)
from .grouping import group_by_local_date
from .intervals import intersect, merge, subtract
from .model import (
	Assignment,
	Availability,
	BlockedTime,
	Booking,
	BusyTime,
	DateOverride,
	HostSchedule,
	Interval,
	LocalRange,
	Refusal,
	RoundRobinMode,
	Slot,
	SlotCheck,
	SlotPolicy,
	WeeklyRange,
)
from .slots import check_slot, find_slots
from .teams import pick_host, rank_hosts
from .timezones import get_zone

__all__ = [
	"Assignment",
	"Availability",
	"BlockedTime",
	"Booking",
	"BusyTime",
	"DateOverride",
	"HostSchedule",
	"Interval",
	"InvalidDuration",
	"InvalidInterval",
	"InvalidRecurrence",
	"InvalidRule",
	"InvalidTimeZone",
	"LocalRange",
	"NaiveDatetime",
	"Refusal",
	"RoundRobinMode",
	"SchedulingError",
	"Slot",
	"SlotCheck",
	"SlotPolicy",
	"WeeklyRange",
	"available_intervals",
	"check_slot",
	"find_slots",
	"get_zone",
	"group_by_local_date",
	"intersect",
	"merge",
	"nearest_slots",
	"pick_host",
	"rank_hosts",
	"subtract",
]
