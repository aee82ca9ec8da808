"""A host's list of bookings (the host API's "my bookings"): the bookings ``user`` is a host
of, collective ones too, newest start first, with every booking's hosts and its meeting
type's title. The API parses the request and shapes the rows; the query is here.
"""

from __future__ import annotations

from datetime import datetime

import frappe

from scheduler_integration.core import naming
from scheduler_integration.core.clock import EVER, FAR
from scheduler_integration.engine.model import MAX_BOOKING

FIELDS = (
	"name",
	"meeting_type",
	"host",
	"status",
	"start",
	"end",
	"booker_timezone",
	"guest_name",
	"guest_email",
	"guest_phone",
	"guest_company",
	"notes",
	"location",
	"meeting_link",
	"contact",
	"reference_doctype",
	"reference_name",
	"creation",
)


def host_bookings(
	user: str,
	statuses: list[str] | None = None,
	lower: datetime | None = None,
	upper: datetime | None = None,
	start: int = 0,
	limit: int = 100,
) -> list[dict]:
	"""``user``'s bookings starting between ``lower`` and ``upper`` (system time, either may
	be None), each row with ``hosts`` (in their order) and ``meeting_type_name``."""
	filters: list = [["Scheduler Booking Host", "user", "=", user]]
	if statuses:
		filters.append(["status", "in", statuses])
	if lower or upper:
		# ``between`` on both ends (Frappe compares ``<=`` through coalesce(), which no index
		# serves), and the host rows' own end, which their (user, end) index reads as a
		# bounded range: a booking starting in the window ends before its end + the longest
		# meeting
		lower, upper = lower or EVER, upper or FAR
		filters.append(["start", "between", [lower, upper]])
		filters.append(["Scheduler Booking Host", "end", "between", [lower, upper + MAX_BOOKING]])
	rows = frappe.get_all(
		"Scheduler Booking",
		filters=filters,
		fields=list(FIELDS),
		order_by="start desc",
		limit_start=start,
		limit_page_length=limit,
		distinct=True,
	)
	names = [row.name for row in rows]
	hosts: dict[str, list[str]] = {}
	for item in frappe.get_all(
		"Scheduler Booking Host",
		filters={"parenttype": "Scheduler Booking", "parent": ("in", names or [""])},
		fields=["parent", "user"],
		order_by="idx",
	):
		hosts.setdefault(item.parent, []).append(item.user)
	titles = naming.titles("Scheduler Meeting Type", (row.meeting_type for row in rows))
	for row in rows:
		row.hosts = hosts.get(row.name, [row.host])
		row.meeting_type_name = titles.get(row.meeting_type)
	return rows
