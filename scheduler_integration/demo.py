"""Demo data: one host with weekday hours and three meeting types, to see the app working."""

from __future__ import annotations

import frappe
from frappe import _

DEMO_USER = "demo.host@example.com"
DEMO_SLUG = "demo"
DEMO_TYPES = (
	{
		"title": "15-Minute Quick Check-In",
		"slug": "quick-check-in",
		"duration": "15",
		"description": "A quick call to answer questions and check progress.",
		"location_type": "Phone",
		"priority": 5,
		"phases": ("Stabilize", "Systemic"),
	},
	{
		"title": "30-Minute Strategy Session",
		"slug": "strategy-session",
		"duration": "30",
		"description": "Review your top priorities and create an implementation plan.",
		# video locations need the host's Zoom / Google / Microsoft connection first
		"location_type": "Phone",
		"priority": 10,
		"phases": ("Stabilize", "Organize", "Build"),
	},
	{
		"title": "60-Minute Deep Dive",
		"slug": "deep-dive",
		"duration": "60",
		"description": "An in-depth review of your systems and growth strategy.",
		"location_type": "In Person",
		"priority": 8,
		"phases": ("Build", "Grow"),
	},
)


def create_demo(timezone: str | None = None) -> dict:
	"""Create (or refresh) the demo host; returns the booking URLs. Idempotent."""
	from frappe.utils import get_system_timezone, get_url

	timezone = timezone or get_system_timezone()
	if not frappe.db.exists("User", DEMO_USER):
		user = frappe.get_doc(
			{
				"doctype": "User",
				"email": DEMO_USER,
				"first_name": "Demo",
				"last_name": "Host",
				"send_welcome_email": 0,
				"time_zone": timezone,
			}
		)
		user.insert(ignore_permissions=True)
	user = frappe.get_doc("User", DEMO_USER)
	user.add_roles("Scheduler Host")

	availability = frappe.db.get_value("Scheduler Availability", {"user": DEMO_USER}, "name")
	doc = (
		frappe.get_doc("Scheduler Availability", availability)
		if availability
		else frappe.new_doc("Scheduler Availability")
	)
	doc.update({"user": DEMO_USER, "title": _("Working Hours"), "timezone": timezone})
	doc.set(
		"weekly_rules",
		[
			{"weekday": day, "from_time": "09:00", "to_time": "17:00"}
			for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
		],
	)
	doc.save(ignore_permissions=True)

	profile = frappe.db.get_value("Scheduler Profile", {"user": DEMO_USER}, "name")
	prof = frappe.get_doc("Scheduler Profile", profile) if profile else frappe.new_doc("Scheduler Profile")
	prof.update(
		{
			"user": DEMO_USER,
			"display_name": "Demo Host",
			"slug": DEMO_SLUG,
			"timezone": timezone,
			"availability": doc.name,
			"description": _("Pick a time that suits you."),
			"active": 1,
		}
	)
	prof.save(ignore_permissions=True)

	for order, spec in enumerate(DEMO_TYPES):
		name = frappe.db.get_value(
			"Scheduler Meeting Type", {"profile": prof.name, "slug": spec["slug"]}, "name"
		)
		mt = (
			frappe.get_doc("Scheduler Meeting Type", name)
			if name
			else frappe.new_doc("Scheduler Meeting Type")
		)
		mt.update(
			{
				"profile": prof.name,
				"title": spec["title"],
				"slug": spec["slug"],
				"duration": spec["duration"],
				"description": spec["description"],
				"location_type": spec["location_type"],
				"priority": spec["priority"],
				"sort_order": order,
				"active": 1,
				"buffer_after": 10,
				"min_notice": 240,
				"max_advance_days": 60,
			}
		)
		mt.set("recommended_phases", [{"phase": phase} for phase in spec["phases"]])
		mt.save(ignore_permissions=True)
	frappe.db.commit()
	base = get_url(f"/book/{DEMO_SLUG}")
	return {
		"user": DEMO_USER,
		"profile": prof.name,
		"booking_url": base,
		"meeting_type_urls": [f"{base}/{spec['slug']}" for spec in DEMO_TYPES],
	}
