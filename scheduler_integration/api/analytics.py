"""Scheduler analytics of a host (the spec's GET scheduler-analytics).

``get_analytics(user=None, start_date=None, end_date=None)``: a host gets their own figures,
a Scheduler Manager anyone's with ``user=…``; dates are inclusive YYYY-MM-DD. Answer:
``{"success": true, "data": {"summary", "by_meeting_type", "by_phase", "recent_bookings"}}``
(errors as in api/utils.py: 400 bad dates, 401 guest, 403 another host, 404 unknown user).
"""

from __future__ import annotations

import frappe

from scheduler_integration.api.utils import acting_user, api, ok
from scheduler_integration.reporting.analytics import host_analytics


@frappe.whitelist(methods=["GET"])
@api
def get_analytics(user: str | None = None, start_date: str | None = None, end_date: str | None = None):
	host = acting_user(user)
	return ok(host_analytics(host, start_date, end_date))
