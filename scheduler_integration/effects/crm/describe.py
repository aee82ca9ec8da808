"""How a meeting reads on a CRM record, task, to-do or event: HTML with every guest
value escaped, times on the organiser's clock, a link back to the booking."""

from __future__ import annotations

import json
from html import escape

import frappe
from frappe import _

from scheduler_integration.booking import seats
from scheduler_integration.booking.meeting_types import meeting_type_doc
from scheduler_integration.booking.presentation import host_names, minutes, plain
from scheduler_integration.core.clock import to_utc
from scheduler_integration.core.hosts import host_timezone
from scheduler_integration.engine.timezones import get_zone


def summary(doc) -> str:
	title = meeting_type_doc(doc.meeting_type).title
	return f"{title}: {plain(doc.guest_name)}"[:140]


def when(doc) -> str:
	zone = host_timezone(doc.host)
	local = to_utc(doc.start).astimezone(get_zone(zone))
	return f"{local.strftime('%Y-%m-%d %H:%M')} ({zone})"


def booking_link(doc) -> str:
	url = frappe.utils.get_url(f"/app/scheduler-booking/{doc.name}")
	return f'<a href="{escape(url)}">{escape(_("Booking"))} {escape(doc.name)}</a>'


def details(doc) -> str:
	"""The meeting as HTML for a task, to-do or event: every guest value escaped."""
	mt = meeting_type_doc(doc.meeting_type)
	lines = [
		_("{0} with {1} ({2})").format(
			f"<strong>{escape(mt.title)}</strong>", escape(plain(doc.guest_name)), escape(doc.guest_email)
		),
		_("{0}, {1} minutes, hosted by {2}").format(escape(when(doc)), minutes(doc), escape(host_names(doc))),
	]
	if doc.meeting_link:
		link = escape(doc.meeting_link)
		lines.append(_("Join: {0}").format(f'<a href="{link}">{link}</a>'))
	if doc.location and plain(doc.location) != doc.meeting_link:
		lines.append(_("Location: {0}").format(escape(plain(doc.location))))
	if doc.guest_phone:
		lines.append(_("Phone: {0}").format(escape(plain(doc.guest_phone))))
	lines.append(_("Status: {0}").format(escape(_(doc.status))))
	lines.append(booking_link(doc))
	return "".join(f"<p>{line}</p>" for line in lines)


def guests_html(leader) -> str:
	"""A seated slot's guests (``booking.seats``), for its one task, to-do and event."""
	mt = meeting_type_doc(leader.meeting_type)
	rows = seats.slot_of(leader)
	heading = _("Guests ({0} of {1} seats):").format(len(rows), int(mt.seats_per_slot or 1))
	items = "".join(
		f"<li>{escape(plain(row.guest_name))} &lt;{escape(row.guest_email)}&gt;</li>" for row in rows
	)
	return f"<p>{escape(heading)}</p><ul>{items}</ul>"


def slot_summary(leader) -> str:
	"""A seated slot's title: the type and the seats taken."""
	mt = meeting_type_doc(leader.meeting_type)
	taken = len(seats.slot_of(leader))
	return _("{0} ({1} of {2} seats)").format(mt.title, taken, int(mt.seats_per_slot or 1))[:140]


def answers_html(doc) -> str:
	"""The guest's answers and notes as HTML (escaped), '' when there are none."""
	try:
		answers = json.loads(doc.answers) if isinstance(doc.answers, str) else (doc.answers or {})
	except ValueError:
		answers = {}
	parts = []
	for question, answer in (answers or {}).items():
		value = ", ".join(map(str, answer)) if isinstance(answer, list) else str(answer)
		parts.append(f"<p><strong>{escape(plain(question))}</strong><br>{escape(plain(value))}</p>")
	if doc.notes:
		parts.append(f"<p><strong>{escape(_('Notes'))}</strong><br>{escape(plain(doc.notes))}</p>")
	return "".join(parts)
