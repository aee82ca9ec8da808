"""Caps on guest bookings that do not depend on the client's IP address (which a client
can spoof where the server trusts ``X-Forwarded-For``): per guest email per hour, per
host per hour and per meeting type per day (Scheduler Settings; 0 = no cap). Counted are
bookings made through the public pages, whatever their status now."""

from __future__ import annotations

from datetime import datetime, timedelta

import frappe
from frappe import _
from frappe.query_builder import DocType
from frappe.query_builder.functions import Count

from scheduler_integration.booking.errors import TooManyBookings
from scheduler_integration.booking.meeting_types import TypeContext
from scheduler_integration.core.clock import to_system
from scheduler_integration.core.settings import setting

GUEST_SOURCES = ("booking_page", "report")


def _count(since: datetime, **where) -> int:
	b, h = DocType("Scheduler Booking"), DocType("Scheduler Booking Host")
	query = frappe.qb.from_(b).select(Count(b.name).distinct()).where(b.creation > to_system(since))
	query = query.where(b.source.isin(GUEST_SOURCES))
	if "host" in where:
		query = query.join(h).on((h.parent == b.name) & (h.parenttype == "Scheduler Booking"))
		query = query.where(h.user.isin(where.pop("host")))
	for field, value in where.items():
		query = query.where(b[field] == value)
	return int(query.run()[0][0] or 0)


def check_guest_caps(ctx: TypeContext, guest_email: str, now: datetime) -> None:
	"""Raise TooManyBookings (429) when a cap is reached."""
	per_email = int(setting("booking_rate_limit") or 0)
	if per_email and _count(now - timedelta(hours=1), guest_email=guest_email) >= per_email:
		raise TooManyBookings(_("Too many bookings from this email address; please try again later"))
	per_type = int(setting("bookings_per_type_per_day") or 0)
	if per_type and _count(now - timedelta(days=1), meeting_type=ctx.name) >= per_type:
		raise TooManyBookings(_("This meeting type takes no more bookings today; please try again tomorrow"))
	per_host = int(setting("bookings_per_host_per_hour") or 0)
	if per_host and _count(now - timedelta(hours=1), host=list(ctx.hosts)) >= per_host * max(
		1, len(ctx.hosts)
	):
		raise TooManyBookings(_("This host takes no more bookings right now; please try again later"))
