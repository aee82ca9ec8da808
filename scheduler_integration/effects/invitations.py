"""A booking as a calendar event: the event every host's calendar gets (``effects.calendar``),
the .ics invitation of the booking emails (``effects.email``) and of the guest's download
(``api.public.ics``), and the host's subscribed feed (``api.calendar_feed``).

Every host and the guest attend; the join link is the event's location and URL, and with
its passcode in the description. Guest text is plain here and escaped by ``engine.ics``.

A meeting type may give its own event title and description (``event_title_template``,
``event_description_template``): Jinja over the guest's fields and answers
(``event_context``), rendered in the sandbox for hosts' templates (``core.jinja``). A
template that fails or renders empty gives the default (type title and guest name; the
guest's notes), and the join text always leads the description.
"""

from __future__ import annotations

import dataclasses
import json

import frappe
from frappe import _

from scheduler_integration.booking import seats
from scheduler_integration.booking.feed import feed_rows
from scheduler_integration.booking.presentation import attendee_emails, host_users, minutes, people, plain
from scheduler_integration.core.clock import to_utc, utc_now
from scheduler_integration.core.jinja import render_host_template
from scheduler_integration.engine.ics import IcsAttendee, IcsEvent, build_feed, build_invite
from scheduler_integration.engine.statuses import Status


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
	mt = frappe.get_cached_doc("Scheduler Meeting Type", meeting_type)
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
		sequence=int(doc.sequence or 0),
		status="CANCELLED" if cancelled else ("TENTATIVE" if doc.status == Status.PENDING else "CONFIRMED"),
		**values,
	)


def slot_event(leader) -> IcsEvent:
	"""The one event of a seated slot in its hosts' calendars (``booking.seats``): the
	meeting type's title with the seats taken, the hosts attending, and the guests listed in
	the description — attending too only when the type lets its guests see each other."""
	base = calendar_event(leader, organizer=False)
	mt = frappe.get_cached_doc("Scheduler Meeting Type", leader.meeting_type)
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
	"""The booking as an invitation (METHOD REQUEST) or cancellation (CANCEL)."""
	return build_invite(calendar_event(doc, cancelled=method == "CANCEL"), method, utc_now())


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
