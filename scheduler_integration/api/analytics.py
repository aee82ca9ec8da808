"""Scheduler analytics of a host (the spec's GET scheduler-analytics).

``get_analytics(user=None, start_date=None, end_date=None)``: a host gets their own figures,
a Scheduler Manager anyone's with ``user=…``; dates are inclusive YYYY-MM-DD. Answer:
``{"success": true, "data": {"summary", "by_meeting_type", "by_phase", "recent_bookings",
"revenue"}}`` (errors as in api/utils.py: 400 bad dates, 401 guest, 403 another host, 404
unknown user). ``get_revenue`` gives the revenue figures alone, for the whole team too.
``get_connection_rate`` gives the calendar connection rate: the share of active
hosts with a working calendar connection.
"""

from __future__ import annotations

from typing import TypedDict

import frappe

from scheduler_integration.api.utils import acting_user, api, ok
from scheduler_integration.core.answers import Answer
from scheduler_integration.core.permissions import is_manager
from scheduler_integration.reporting.analytics import (
	BookingRevenue,
	HostAnalytics,
	booking_revenue,
	calendar_connection_rate,
	host_analytics,
	provider_analytics,
)
from scheduler_integration.rules.analytics import ConnectionRate, ProviderStats


class ProviderAnalytics(TypedDict):
	"""Video meetings per provider, most meetings first."""

	providers: list[ProviderStats]


@frappe.whitelist(methods=["GET"])
@api
def get_analytics(
	user: str | None = None, start_date: str | None = None, end_date: str | None = None
) -> Answer[HostAnalytics]:
	host = acting_user(user)
	return ok(host_analytics(host, start_date, end_date))


@frappe.whitelist(methods=["GET"])
@api
def get_provider_analytics(
	user: str | None = None, start_date: str | None = None, end_date: str | None = None
) -> Answer[ProviderAnalytics]:
	"""Video meetings per provider: meetings, completion and no-show rates, and the share of
	provider calls that failed (``reliability``). A host gets their own; a Scheduler Manager
	anyone's with ``user=…``, or the whole team's with ``user=all``."""
	host = None if user == "all" and is_manager() else acting_user(user)
	return ok({"providers": provider_analytics(host, start_date, end_date)})


@frappe.whitelist(methods=["GET"])
@api
def get_revenue(
	user: str | None = None, start_date: str | None = None, end_date: str | None = None
) -> Answer[BookingRevenue]:
	"""Revenue (completed bookings × their meeting type's price) and forecast (confirmed
	bookings still ahead × price), per currency, per host and per meeting type, of bookings
	starting in the date range. A host gets their own; a Scheduler Manager anyone's with
	``user=…``, or the whole team's with ``user=all``."""
	host = None if user == "all" and is_manager() else acting_user(user)
	return ok(booking_revenue(host, start_date, end_date))


@frappe.whitelist(methods=["GET"])
@api
def get_connection_rate(user: str | None = None) -> Answer[ConnectionRate]:
	"""``{"rate", "connected", "hosts", "unconnected"}``: of the active hosts, the share (%)
	with a working calendar connection, and who is still without one. A host gets their own
	(0 or 100); a Scheduler Manager anyone's with ``user=…``, or the whole team's with
	``user=all`` (the default for a manager)."""
	if is_manager() and user in (None, "", "all"):
		return ok(calendar_connection_rate())
	return ok(calendar_connection_rate(acting_user(user)))
