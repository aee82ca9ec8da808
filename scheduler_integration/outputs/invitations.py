"""A booking as calendar events: the event every host's calendar gets (``effects.calendar``),
the .ics of the booking emails (``effects.email``) and of the guest's download
(``api.public.ics``), the guest's Google Calendar and Outlook links (``api.shapes``), and
the host's subscribed feed (``api.calendar_feed``).

Two readers, two kinds of file:

- **The hosts**, and the colleagues the guest added, get invitations (``METHOD:REQUEST``,
  ``CANCEL``): every host, the guest and the colleagues attend, titled by the type's event
  title template; the hosts' calendars are written with the same event and UID
  (``effects.calendar``). The colleagues are invited to a meeting someone else booked:
  theirs to accept or decline.
- **The guest** gets a file to add to their own calendar, as Calendly's "add to calendar"
  is: ``METHOD:PUBLISH`` with nobody invited (nothing to answer: the guest booked it),
  titled for them ("Coaching with Alice") in their booking language, with the join link
  and the link to reschedule or cancel; a cancellation is a ``CANCEL`` of the same UIDs,
  which takes the events out again.

Every meeting of a series or multi-day booking is a booking of its own, with its own UID
and SEQUENCE, and a file that tells of several carries one ``VEVENT`` each
(``engine.ics`` says why not a repeat rule): the first meeting's confirmation and the
page's download carry every active meeting; a multi-day booking's first day speaks for
every day (its emails carry them all, moved or cancelled together); a change of one
meeting of a series carries that meeting alone (a ``CANCEL`` of its UID, a ``REQUEST`` or
``PUBLISH`` of its new time), and cancelling the rest of a series sends each its
``CANCEL``.

The join link is the event's location and URL, and with its passcode in the description.
Guest text is plain here and escaped by ``engine.ics``.

A meeting type may give its own event title and description (``event_title_template``,
``event_description_template``): Jinja over the guest's fields and answers
(``event_context``), rendered in the sandbox for hosts' templates (``core.jinja``). A
template that fails or renders empty gives the default (type title and guest name; the
guest's notes), and the join text always leads the description.
"""

from __future__ import annotations

import dataclasses
import json
from typing import TypedDict
from urllib.parse import quote, urlencode

import frappe
from frappe import _

from scheduler_integration.booking import seats, series
from scheduler_integration.booking.feed import feed_rows
from scheduler_integration.booking.meeting_types import meeting_type_doc
from scheduler_integration.booking.presentation import (
	attendee_emails,
	host_users,
	minutes,
	people,
	plain,
	safe_zone,
)
from scheduler_integration.booking.tokens import manage_url
from scheduler_integration.core.answers import Url
from scheduler_integration.core.clock import to_utc, utc_now
from scheduler_integration.core.jinja import render_host_template
from scheduler_integration.engine.booking_states import is_active
from scheduler_integration.engine.ics import (
	IcsAttendee,
	IcsEvent,
	build_feed,
	build_invite,
	build_message,
	file_name,
)
from scheduler_integration.engine.statuses import Status
from scheduler_integration.engine.timezones import get_zone

# lifecycle event -> the method of its email's calendar file (the hosts'; the guest's is
# PUBLISH where this says REQUEST)
ICS_METHOD = {
	"booked": "REQUEST",
	"confirmed": "REQUEST",
	"rescheduled": "REQUEST",
	"cancelled": "CANCEL",
	"declined": "CANCEL",
	"passed_on": "CANCEL",  # out of the calendar of a host the meeting was taken from
	"meeting_link": "REQUEST",
}


def join_text(doc) -> str:
	"""How to join the video meeting (link and passcode), for calendar descriptions; '' without a link."""
	if not doc.get("meeting_link"):
		return ""
	lines = [_("Join the meeting: {0}").format(doc.meeting_link)]
	if doc.get("meeting_password"):
		lines.append(_("Passcode: {0}").format(doc.meeting_password))
	return "\n".join(lines)


MAX_TITLE = 300
MAX_DESCRIPTION = 8000


def answers_of(doc) -> dict:
	"""The guest's answers, {question: answer} ({} when none or unreadable)."""
	value = doc.get("answers")
	try:
		answers = json.loads(value) if isinstance(value, str) else (value or {})
	except ValueError:
		return {}
	if not isinstance(answers, dict):
		return {}
	return {
		plain(question): ", ".join(map(plain, answer)) if isinstance(answer, list) else plain(answer)
		for question, answer in answers.items()
	}


def event_context(doc, title: str, host_name: str) -> dict:
	"""What an event template sees: the guest's fields, answers, and the meeting."""
	answers = answers_of(doc)
	return {
		"guest_name": plain(doc.guest_name),
		"guest_email": doc.guest_email or "",
		"guest_phone": plain(doc.get("guest_phone")),
		"guest_company": plain(doc.get("guest_company")),
		"notes": plain(doc.notes),
		"answers": answers,
		"answers_text": "\n".join(f"{q}: {a}" for q, a in answers.items()),
		"meeting_type": title,
		"host_name": host_name,
		"duration": minutes(doc),
		"location": plain(doc.location),
		"meeting_link": doc.get("meeting_link") or "",
		"status": _(doc.status),
	}


def _rendered(source: str | None, context: dict) -> str:
	"""A host's template rendered, '' when there is none or it fails (the default then)."""
	if not source:
		return ""
	try:
		return render_host_template(source, context).strip()
	except Exception:  # a host's template never stops an invitation or a calendar write
		return ""


def event_texts(doc, title: str, templates: tuple, host_name: str, join: str) -> tuple[str, str]:
	"""(summary, description) of a booking's event; ``templates``: the type's (title,
	description) templates."""
	title_template, description_template = templates
	context = event_context(doc, title, host_name) if title_template or description_template else {}
	summary = " ".join(_rendered(title_template, context).split())[:MAX_TITLE]
	body = (
		_rendered(description_template, context)[:MAX_DESCRIPTION]
		if description_template
		else plain(doc.notes)[:2000]
	)
	return summary or f"{title}: {plain(doc.guest_name)}", "\n\n".join(part for part in (join, body) if part)


def type_templates(meeting_type: str) -> tuple[str, tuple]:
	"""(title, (title template, description template)) of a meeting type."""
	mt = meeting_type_doc(meeting_type)
	return mt.title, (mt.get("event_title_template") or "", mt.get("event_description_template") or "")


def calendar_event(
	doc,
	title: str | None = None,
	cancelled: bool = False,
	organizer: bool = True,
	directory=None,
	templates: tuple | None = None,
) -> IcsEvent:
	"""The calendar event of a booking (document, or a row with ``hosts``): every host and
	the guest attend. ``directory`` is a ready ``people`` map, ``title`` and ``templates``
	the type's, for many events at once."""
	if title is None or templates is None:
		title, templates = type_templates(doc.meeting_type)
	users = host_users(doc)
	found = directory if directory is not None else people(users)
	attendees = [IcsAttendee(doc.guest_email, plain(doc.guest_name))]
	attendees += [IcsAttendee(email, "") for email in attendee_emails(doc)]  # the guest's colleagues
	attendees += [
		IcsAttendee(found[u].email or u, found[u].full_name or "", partstat="ACCEPTED", rsvp=False)
		for u in users
		if "@" in (found[u].email or u)
	]
	values = {}
	if organizer and users:
		first = found[users[0]]
		values = {
			"organizer_email": first.email or users[0],
			"organizer_name": first.full_name or "",
		}
	link = "" if cancelled else doc.get("meeting_link") or ""
	# the join link: LOCATION (where the meeting is), URL, and with its passcode in DESCRIPTION
	join = join_text(doc) if link else ""
	host_name = ", ".join(found[u].full_name or u for u in users)
	summary, description = event_texts(doc, title, templates, host_name, join)
	return IcsEvent(
		uid=doc.ical_uid or f"{doc.name}@scheduler_integration",
		start=to_utc(doc.start),
		end=to_utc(doc.end),
		summary=summary,
		description=description,
		url=link,
		location=link or plain(doc.location),
		attendees=tuple(attendees),
		sequence=sequence_of(doc, cancelled),
		status="CANCELLED" if cancelled else ("TENTATIVE" if doc.status == Status.PENDING else "CONFIRMED"),
		**values,
	)


def sequence_of(doc, cancelled: bool) -> int:
	"""The event's SEQUENCE: the booking's (one more for each move), and one more again for
	its cancellation (RFC 5545 §3.8.7.4: a change of STATUS counts)."""
	return int(doc.sequence or 0) + (1 if cancelled else 0)


def slot_event(leader) -> IcsEvent:
	"""The one event of a seated slot in its hosts' calendars (``booking.seats``): the
	meeting type's title with the seats taken, the hosts attending, and the guests listed in
	the description — attending too only when the type lets its guests see each other."""
	base = calendar_event(leader, organizer=False)
	mt = meeting_type_doc(leader.meeting_type)
	guests = seats.slot_of(leader)
	lines = [f"- {plain(row.guest_name)} <{row.guest_email}>" for row in guests]
	listing = _("Guests ({0} of {1} seats):").format(len(guests), int(mt.seats_per_slot or 1))
	join = join_text(leader)
	description = "\n\n".join(part for part in (join, "\n".join([listing, *lines])) if part)
	hosts = tuple(a for a in base.attendees if a.partstat == "ACCEPTED")
	if mt.show_attendees:
		hosts += tuple(IcsAttendee(row.guest_email, plain(row.guest_name)) for row in guests)
	return dataclasses.replace(
		base,
		summary=_("{0} ({1} of {2} seats)").format(mt.title, len(guests), int(mt.seats_per_slot or 1)),
		description=description[:MAX_DESCRIPTION],
		attendees=hosts,
	)


def invite_ics(doc, method: str = "REQUEST") -> str:
	"""The booking as the hosts' invitation (METHOD REQUEST) or cancellation (CANCEL)."""
	return build_invite(calendar_event(doc, cancelled=method == "CANCEL"), method, utc_now())


def series_meetings(doc, whole: bool) -> list:
	"""The meetings a calendar file about ``doc`` carries, in order: ``doc`` alone, or with
	``whole`` every meeting of its series that is, like ``doc``, cancelled or not; a
	multi-day booking's days always go together (its first day speaks for every day)."""
	if not doc.get("series") or not (whole or series.kind(doc.series) == "Multi-day"):
		return [doc]
	rows = frappe.get_all(
		"Scheduler Booking",
		filters={"series": doc.series},
		fields=["name", "status"],
		order_by="series_index asc",
	)
	cancelled = doc.status == Status.CANCELLED
	return [
		doc if row.name == doc.name else frappe.get_doc("Scheduler Booking", row.name)
		for row in rows
		if (row.status == Status.CANCELLED) == cancelled
	] or [doc]


def guest_title(title: str, host_name: str) -> str:
	"""What the guest's calendar calls the meeting: the type and who it is with."""
	return _("{0} with {1}").format(title, host_name)[:MAX_TITLE]


def guest_texts(doc, title: str, host_name: str, manage: str = "") -> tuple[str, str, str]:
	"""(title, description, location) of a meeting in the guest's calendar: the join link
	and passcode, and ``manage`` (their link to reschedule or cancel)."""
	cancelled = doc.status == Status.CANCELLED
	link = "" if cancelled else doc.get("meeting_link") or ""
	parts = [join_text(doc) if link else ""]
	if manage and is_active(doc.status):
		parts.append(_("Reschedule or cancel: {0}").format(manage))
	description = "\n\n".join(part for part in parts if part)
	return guest_title(title, host_name), description, link or plain(doc.location)


def guest_event(doc, title: str, found: dict, manage: bool = True) -> IcsEvent:
	"""A meeting as the guest adds it to their own calendar: titled for them, organised by
	the first host, nobody invited (``METHOD:PUBLISH``); ``manage``: with the guest's link
	to reschedule or cancel (never in a colleague's copy). ``found``: the hosts' ``people``."""
	users = host_users(doc)
	host_name = ", ".join(found[u].full_name or u for u in users)
	summary, description, location = guest_texts(
		doc, title, host_name, (manage_url(doc) or "") if manage else ""
	)
	organizer = {}
	if users and "@" in (found[users[0]].email or users[0]):
		organizer = {
			"organizer_email": found[users[0]].email or users[0],
			"organizer_name": found[users[0]].full_name or "",
		}
	cancelled = doc.status == Status.CANCELLED
	return IcsEvent(
		uid=doc.ical_uid or f"{doc.name}@scheduler_integration",
		start=to_utc(doc.start),
		end=to_utc(doc.end),
		summary=summary,
		description=description,
		url="" if cancelled else doc.get("meeting_link") or "",
		location=location,
		sequence=sequence_of(doc, cancelled),
		status="CANCELLED" if cancelled else ("TENTATIVE" if doc.status == Status.PENDING else "CONFIRMED"),
		**organizer,
	)


def guest_ics(doc, method: str, meetings: list | None = None, manage: bool = True) -> str:
	"""The guest's calendar file of ``meetings`` (default: ``doc``'s, ``series_meetings``):
	``PUBLISH`` to add them, ``CANCEL`` to take them out again."""
	meetings = meetings or [doc]
	title = meeting_type_doc(doc.meeting_type).title
	found = people({u for m in meetings for u in host_users(m)})
	events = [guest_event(m, title, found, manage) for m in meetings]
	return build_message(events, method, utc_now())


def host_ics(meetings: list, method: str) -> str:
	"""The hosts' invitation (``REQUEST``) or cancellation (``CANCEL``) of ``meetings``."""
	events = [calendar_event(m, cancelled=method == "CANCEL") for m in meetings]
	return build_message(events, method, utc_now())


def download_ics(doc) -> str:
	"""The guest's .ics download of ``doc``: every meeting of its booking to add (but the
	cancelled ones), or once it is cancelled, the cancellation (of every day of a
	multi-day booking)."""
	cancelled = doc.status == Status.CANCELLED
	return guest_ics(doc, "CANCEL" if cancelled else "PUBLISH", series_meetings(doc, whole=not cancelled))


def ics_file_name(doc, zone: str | None, cancelled: bool = False) -> str:
	"""``doc``'s calendar file, named after its meeting type and its day on ``zone``'s clock
	(the reader's: the guest's zone for the guest)."""
	title = meeting_type_doc(doc.meeting_type).title
	day = to_utc(doc.start).astimezone(get_zone(safe_zone(zone))).date()
	return file_name(title, day, cancelled=cancelled)


def email_attachments(doc, event: str, reader: str) -> list[dict]:
	"""The calendar file of ``event``'s email to ``reader`` (guest, attendee or host): the
	guest's to add or take out, the invitation for the hosts and the guest's colleagues; []
	for an email without one. A series' confirmation carries every meeting."""
	method = ICS_METHOD.get(event)
	if not method:
		return []
	meetings = series_meetings(doc, whole=event == "booked")
	if reader == "guest":
		text = guest_ics(doc, "CANCEL" if method == "CANCEL" else "PUBLISH", meetings)
	else:
		text = host_ics(meetings, method)
	zone = (
		doc.get("booker_timezone")
		if reader == "guest"
		else frappe.db.get_value("Scheduler Profile", {"user": doc.host}, "timezone")
	)
	return [{"fname": ics_file_name(doc, zone, cancelled=method == "CANCEL"), "fcontent": text}]


def _utc_compact(moment) -> str:
	return to_utc(moment).strftime("%Y%m%dT%H%M%SZ")


def _utc_iso(moment) -> str:
	return to_utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


class CalendarLinks(TypedDict):
	"""Links that open a new event for a booking in Google Calendar, Outlook.com and Microsoft 365."""

	google: Url
	outlook: Url
	office365: Url


def add_links(doc, title: str, host_name: str, manage: str = "") -> CalendarLinks:
	"""Links that open a new event for ``doc`` in Google Calendar, Outlook.com and
	Microsoft 365 (their "add event" pages, as the guest's calendar file would have it)."""
	summary, details, location = guest_texts(doc, title, host_name, manage)
	google = {
		"action": "TEMPLATE",
		"text": summary,
		"dates": f"{_utc_compact(doc.start)}/{_utc_compact(doc.end)}",
		"details": details,
		"location": location,
	}
	# Outlook's compose page: UTC times with a Z; path and rru for its older deeplink route
	outlook = {
		"path": "/calendar/action/compose",
		"rru": "addevent",
		"subject": summary,
		"startdt": _utc_iso(doc.start),
		"enddt": _utc_iso(doc.end),
		"body": details,
		"location": location,
		"allday": "false",
	}
	query = urlencode(outlook, quote_via=quote)
	return {
		"google": "https://calendar.google.com/calendar/render?" + urlencode(google, quote_via=quote),
		"outlook": "https://outlook.live.com/calendar/0/action/compose?" + query,
		"office365": "https://outlook.office.com/calendar/0/action/compose?" + query,
	}


def feed_for_token(token) -> str | None:
	"""The ICS feed of the profile whose feed token this is (None if unknown): its host's
	active bookings (``booking.feed``), one event each."""
	feed = feed_rows(token)
	if feed is None:
		return None
	events = [
		calendar_event(
			booking,
			feed.titles.get(booking.meeting_type, ""),
			directory=feed.directory,
			templates=feed.templates.get(booking.meeting_type, ("", "")),
		)
		for booking in feed.bookings
	]
	return build_feed(events, f"{feed.display_name} — bookings", utc_now())
