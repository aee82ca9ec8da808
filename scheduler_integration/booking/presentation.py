"""Booking data as pages, emails, calendars and the API show it.

Guest text is stored as typed (guest input is checked, not rewritten, at the boundary)
and escaped once by each output for its own format; ``plain`` reads older rows that
Frappe's Data-field sanitiser stored with HTML entities back as text.
Times are shown on the reader's clock: the booker's zone for guests, each host's own zone
(``core.hosts``) for hosts.
"""

from __future__ import annotations

from datetime import datetime, timezone
from html import unescape

import frappe
from frappe import _
from frappe.query_builder import DocType

from scheduler_integration.booking.tokens import manage_token, manage_url
from scheduler_integration.core.clock import to_utc, utc_now
from scheduler_integration.core.hosts import host_timezones
from scheduler_integration.engine.booking_states import is_active
from scheduler_integration.engine.grouping import group_by_local_date
from scheduler_integration.engine.ics import IcsAttendee, IcsEvent, build_invite
from scheduler_integration.engine.statuses import Status
from scheduler_integration.engine.timezones import get_zone
from scheduler_integration.engine.validation import clean_timezone

ISO = "%Y-%m-%dT%H:%M:%SZ"


def plain(value) -> str:
	"""What the guest typed, as plain text."""
	return unescape(str(value or ""))


def safe_zone(name) -> str:
	try:
		return clean_timezone(name or "UTC")
	except ValueError:
		return "UTC"


def utc_text(moment: datetime) -> str:
	"""An aware instant as ``2026-01-05T14:30:00Z`` (UTC, whole seconds)."""
	if moment.utcoffset():
		moment = moment.astimezone(timezone.utc)
	# a month of slots formats ~700 of these per request: the C-level isoformat, sliced
	return moment.isoformat(timespec="seconds")[:19] + "Z"


def _slot_row(start: str, end: str, date_text: str, local: datetime) -> dict:
	return {"start": start, "end": end, "date": date_text, "time": f"{local.hour:02d}:{local.minute:02d}"}


def slot_json(slot, zone_name: str | None) -> dict:
	"""A slot for the API (``days_json`` formats many at once)."""
	local = slot.start.astimezone(get_zone(safe_zone(zone_name)))
	return _slot_row(utc_text(slot.start), utc_text(slot.end), local.date().isoformat(), local)


def days_json(slots, zone_name: str) -> list[dict]:
	"""Slots grouped by the booker-local date of their start, as ``get_slots`` answers."""
	zone = get_zone(zone_name)
	texts: dict[datetime, str] = {}  # a slot's end is usually another slot's start

	def text(moment: datetime) -> str:
		found = texts.get(moment)
		if found is None:
			found = texts[moment] = utc_text(moment)
		return found

	days = []
	for day, items in group_by_local_date(slots, zone_name).items():
		date_text = day.isoformat()
		rows = [
			_slot_row(text(slot.start), text(slot.end), date_text, slot.start.astimezone(zone))
			for slot in items
		]
		days.append({"date": date_text, "slots": rows})
	return days


def host_users(doc) -> list[str]:
	"""Every host of a booking, organiser first (rows from before multi-host: its host)."""
	users = [row.user for row in doc.get("hosts") or [] if row.user]
	if doc.host and doc.host not in users:
		users.insert(0, doc.host)
	return users


def people(users) -> dict[str, frappe._dict]:
	"""{user: {email, full_name}} in one query."""
	u = DocType("User")
	rows = (
		frappe.qb.from_(u)
		.select(u.name, u.email, u.full_name)
		.where(u.name.isin(list(users) or [""]))
		.run(as_dict=True)
	)
	out = {row.name: row for row in rows}
	for user in users:
		out.setdefault(user, frappe._dict(name=user, email=user, full_name=user))
	return out


def host_names(doc) -> str:
	found = people(host_users(doc))
	return ", ".join(found[u].full_name or u for u in host_users(doc))


def booking_json(doc, token: str | None, zone_name: str | None = None) -> dict:
	"""What the guest's pages show of a booking (and the public API returns)."""
	mt = frappe.get_cached_doc("Scheduler Meeting Type", doc.meeting_type)
	profile = frappe.get_cached_doc("Scheduler Profile", mt.profile)
	zone_name = safe_zone(zone_name or doc.booker_timezone)
	start, end = to_utc(doc.start), to_utc(doc.end)
	local = start.astimezone(get_zone(zone_name))
	data = {
		"id": doc.name,
		"status": doc.status,
		"start": start.strftime(ISO),
		"end": end.strftime(ISO),
		"timezone": zone_name,
		"local_date": local.date().isoformat(),
		"local_time": local.strftime("%H:%M"),
		"meeting_type": mt.title,
		"meeting_type_slug": mt.slug,
		"profile_slug": profile.slug,
		"host_name": host_names(doc),
		"duration": mt.duration_minutes(),
		"location": plain(doc.location),
		"meeting_link": (doc.meeting_link or "") if is_active(doc.status) else "",
		"meeting_password": (doc.get("meeting_password") or "") if is_active(doc.status) else "",
		"guest_name": plain(doc.guest_name),
		"confirmation_message": mt.confirmation_message or "",
		"can_cancel": is_active(doc.status),
		"can_reschedule": is_active(doc.status),
	}
	if token:
		data["manage_url"] = frappe.utils.get_url(f"/book/manage/{token}")
		data["ics_url"] = frappe.utils.get_url(
			f"/api/method/scheduler_integration.api.public.ics?token={token}"
		)
	return data


def when(moment: datetime, zone_name: str) -> tuple[str, str]:
	"""(date, time) of ``moment`` on the clock of ``zone_name``."""
	local = moment.astimezone(get_zone(safe_zone(zone_name)))
	return frappe.utils.formatdate(local.date(), "EEEE, d MMMM yyyy"), local.strftime("%H:%M")


def booking_page_url(meeting_type) -> str:
	"""The public page where this meeting type is booked (a guest's way back)."""
	slug = frappe.db.get_value("Scheduler Profile", meeting_type.profile, "slug")
	return frappe.utils.get_url(f"/book/{slug}/{meeting_type.slug}") if slug else ""


def calendar_url(doc) -> str:
	"""The booking as an .ics download for the guest (by the manage token), or ''."""
	token = manage_token(doc)
	return (
		frappe.utils.get_url(f"/api/method/scheduler_integration.api.public.ics?token={token}")
		if token
		else ""
	)


def email_values(doc, recipient: str, host: str | None = None) -> dict:
	"""Plain values an email template shows, on the recipient's clock (``host`` for a host).

	Each value has its own name and seed 004's name (``contact_name``, ``appointment_date``,
	``appointment_time``, ``appointment_duration``, ``service_name``, ``video_link``,
	``video_password``, ``calendar_link``, ``staff_name``, ``location_details``), so
	templates written for either work. Links that carry the guest's manage token
	(``manage_url``, ``calendar_link``) are only given to the guest."""
	mt = frappe.get_cached_doc("Scheduler Meeting Type", doc.meeting_type)
	zone_name = (
		doc.booker_timezone if recipient == "guest" else host_timezones([host or doc.host])[host or doc.host]
	)
	zone_name = safe_zone(zone_name)
	day, clock = when(to_utc(doc.start), zone_name)
	guest = recipient == "guest"
	values = {
		"guest_name": plain(doc.guest_name),
		"guest_email": doc.guest_email,
		"guest_phone": plain(doc.guest_phone),
		"guest_company": plain(doc.guest_company),
		"host_name": host_names(doc),
		"meeting_type": mt.title,
		"date": day,
		"time": clock,
		"timezone": zone_name,
		"duration": str(mt.duration_minutes()),
		"location": plain(doc.location),
		"meeting_link": doc.meeting_link or "",
		"meeting_password": doc.get("meeting_password") or "",
		"notes": plain(doc.notes),
		"cancel_reason": plain(doc.cancel_reason),
		"manage_url": (manage_url(doc) or "") if guest else "",
		"booking_url": frappe.utils.get_url(f"/app/scheduler-booking/{doc.name}")
		if recipient == "host"
		else "",
		"status": _(doc.status),
		"feedback_link": mt.get("feedback_url") or "",
		"rebook_link": booking_page_url(mt),
	}
	values.update(
		{
			"contact_name": values["guest_name"],
			"appointment_date": day,
			"appointment_time": clock,
			"appointment_duration": values["duration"],
			"service_name": mt.title,
			"video_link": values["meeting_link"],
			"video_password": values["meeting_password"],
			"calendar_link": calendar_url(doc) if guest else "",
			"staff_name": values["host_name"],
			"location_details": values["location"],
		}
	)
	return values


def join_text(doc) -> str:
	"""How to join the video meeting (link and passcode), for calendar descriptions; '' without a link."""
	if not doc.get("meeting_link"):
		return ""
	lines = [_("Join the meeting: {0}").format(doc.meeting_link)]
	if doc.get("meeting_password"):
		lines.append(_("Passcode: {0}").format(doc.meeting_password))
	return "\n".join(lines)


def calendar_event(
	doc, title: str | None = None, cancelled: bool = False, organizer: bool = True, directory=None
) -> IcsEvent:
	"""The calendar event of a booking (document, or a row with ``hosts``): every host and
	the guest attend. ``directory`` is a ready ``people`` map for many events at once."""
	title = title or frappe.get_cached_doc("Scheduler Meeting Type", doc.meeting_type).title
	users = host_users(doc)
	found = directory if directory is not None else people(users)
	attendees = [IcsAttendee(doc.guest_email, plain(doc.guest_name))]
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
	return IcsEvent(
		uid=doc.ical_uid or f"{doc.name}@scheduler_integration",
		start=to_utc(doc.start),
		end=to_utc(doc.end),
		summary=f"{title}: {plain(doc.guest_name)}",
		description="\n\n".join(part for part in (join, plain(doc.notes)[:2000]) if part),
		url=link,
		location=link or plain(doc.location),
		attendees=tuple(attendees),
		sequence=int(doc.sequence or 0),
		status="CANCELLED" if cancelled else ("TENTATIVE" if doc.status == Status.PENDING else "CONFIRMED"),
		**values,
	)


def invite_ics(doc, method: str = "REQUEST") -> str:
	"""The booking as an invitation (METHOD REQUEST) or cancellation (CANCEL)."""
	return build_invite(calendar_event(doc, cancelled=method == "CANCEL"), method, utc_now())
