"""What goes with a deleted booking or meeting type (DESIGN invariant 16: an administrator can
always clean up; issue 50, item 5).

The app's own rows about a booking go with it: its effect rows, its reminders, the records it
made on the hosts' desks (their Events and to-dos, Frappe CRM's tasks and their notifications;
the meeting's notes stay on the record as its history). What remembers it elsewhere lets go:
a personal link's ``last_booking``. Logs and history keep the name it had (``hooks.
ignore_links_on_delete``: engagement, automation and video logs, SMS replies, routing
decisions, payments).

A meeting type goes with its round-robin counts, its series and its personal links; it is
refused, saying why, while bookings or routing forms still name it. Both controllers call
these from ``on_trash``, which Frappe runs before it checks the links. A seat of a group
session hands its slot's event and records to the next seat first (``seats.leave``).
"""

from __future__ import annotations

import frappe
from frappe import _

# what a booking made on its hosts' desks that is the meeting itself: deleted with it
MEETING_RECORDS = ("ToDo", "Event", "CRM Task")


def booking_deleted(doc) -> None:
	for doctype in ("Scheduler Booking Effect", "Scheduler Reminder"):
		frappe.db.delete(doctype, {"booking": doc.name})
	frappe.db.set_value(
		"Scheduler Personal Link", {"last_booking": doc.name}, "last_booking", None, update_modified=False
	)
	made = [(row.record_type, row.record_name) for row in doc.get("crm_records") or []]
	made += [("Event", row.event) for row in doc.get("hosts") or [] if row.get("event")]
	for doctype, name in dict.fromkeys(made):
		if doctype in MEETING_RECORDS and name and frappe.db.exists(doctype, name):
			if doctype == "CRM Task" and frappe.db.exists("DocType", "CRM Notification"):
				frappe.db.delete("CRM Notification", {"notification_type_doc": name})
			if doctype == "Event":
				delete_event(name)
				continue
			frappe.delete_doc(doctype, name, ignore_permissions=True, force=True)


def delete_event(name: str, permanently: bool = False) -> None:
	"""Delete a meeting's desk Event with the timeline entries Frappe made of it for its
	participants (Communications).

	An Event deletes those itself, but checks the deleter's permission on each (the booking's
	deletion is what was permitted), and lists them in the snapshot the deleting transaction
	began with: an entry a worker's effect committed since (a guest's Contact joining) lost
	its Event and stayed behind, unlinked. So the Event's row is locked first (a save of it
	under way finishes) and its entries are read with a locking read, which sees the latest.
	"""
	if not frappe.db.sql("select name from `tabEvent` where name = %s for update", name):
		return
	entries = frappe.db.sql_list(
		"""select name from `tabCommunication`
		where reference_doctype = 'Event' and reference_name = %s for update""",
		name,
	)
	for entry in entries:
		frappe.delete_doc(
			"Communication", entry, ignore_permissions=True, force=True, delete_permanently=permanently
		)
	# delete_doc reads the document in the snapshot and passes over what is not there
	frappe.db.delete("Communication Link", {"parent": ("in", entries or [""])})
	frappe.db.delete("Communication", {"name": ("in", entries or [""])})
	frappe.delete_doc("Event", name, ignore_permissions=True, force=True, delete_permanently=permanently)


def record_deleted(doc, method=None) -> None:
	"""``doc_events`` of the records a booking lists under "Meeting in the CRM": a deleted one
	is no longer listed."""
	frappe.db.delete("Scheduler Booking Record", {"record_type": doc.doctype, "record_name": doc.name})


def meeting_type_deleted(doc) -> None:
	bookings = frappe.db.count("Scheduler Booking", {"meeting_type": doc.name})
	if bookings:
		frappe.throw(
			_(
				"{0} has {1} booking(s). Switch it off (Active) to stop new bookings, or delete its bookings first."
			).format(doc.title, bookings),
			frappe.LinkExistsError,
		)
	forms = sorted(
		{
			*frappe.get_all("Scheduler Routing Form", {"fallback_meeting_type": doc.name}, pluck="name"),
			*frappe.get_all(
				"Scheduler Routing Rule",
				{"meeting_type": doc.name, "parenttype": "Scheduler Routing Form"},
				pluck="parent",
			),
		}
	)
	if forms:
		frappe.throw(
			_("{0} is where these routing forms send people: {1}. Change them first.").format(
				doc.title, ", ".join(forms)
			),
			frappe.LinkExistsError,
		)
	frappe.db.delete("Scheduler Host Booking Count", {"meeting_type": doc.name})
	frappe.db.delete("Scheduler Booking Series", {"meeting_type": doc.name})
	for link in frappe.get_all("Scheduler Personal Link", {"meeting_type": doc.name}, pluck="name"):
		frappe.delete_doc("Scheduler Personal Link", link, ignore_permissions=True, force=True)
