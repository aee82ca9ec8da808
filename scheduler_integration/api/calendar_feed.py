"""The host's secret ICS feed of bookings (subscribe from any calendar app)."""

from __future__ import annotations

from typing import TypedDict

import frappe
from frappe import _

from scheduler_integration.api.utils import acting_user, api, ok
from scheduler_integration.booking.tokens import feed_token
from scheduler_integration.core.answers import Answer, Url
from scheduler_integration.core.limits import per_ip
from scheduler_integration.core.settings import public_limit
from scheduler_integration.outputs.invitations import feed_for_token


class FeedUrl(TypedDict):
	"""The secret address of a host's calendar feed."""

	url: Url


@frappe.whitelist(allow_guest=True, methods=["GET"])
@per_ip(public_limit, seconds=60)
@api
def ics(key: str | None = None):
	"""text/calendar of the host's upcoming bookings; 404 for an unknown key."""
	feed = feed_for_token(key)
	if feed is None:
		raise frappe.DoesNotExistError(_("Unknown feed"))
	frappe.local.response.filename = "bookings.ics"
	frappe.local.response.filecontent = feed
	frappe.local.response.type = "download"
	frappe.local.response.content_type = "text/calendar"  # the mimetype: werkzeug adds the charset


@frappe.whitelist(methods=["GET"])
@api
def get_feed_url(user: str | None = None) -> Answer[FeedUrl]:
	"""The secret feed URL of your bookings (keep it private: anyone with it can read them)."""
	user = acting_user(user)
	name = frappe.db.get_value("Scheduler Profile", {"user": user}, "name")
	if not name:
		raise frappe.DoesNotExistError(_("Scheduler settings are not configured for {0}").format(user))
	token = feed_token(frappe.get_doc("Scheduler Profile", name))
	frappe.db.commit()  # the first call stores the feed's key, and Frappe commits no GET itself
	return ok(
		{"url": frappe.utils.get_url(f"/api/method/scheduler_integration.api.calendar_feed.ics?key={token}")}
	)
