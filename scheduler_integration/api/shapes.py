"""What the API answers about slots and bookings (the manage page shows the same booking).

Instants are UTC text (``2026-01-05T14:30:00Z``) with the booker's local date and time
beside them; guest text is plain (``booking.presentation.plain``): the page escapes it.
"""

from __future__ import annotations

import json
import operator
from collections import OrderedDict
from datetime import datetime, timezone
from typing import Literal, NotRequired, TypedDict

import frappe

from scheduler_integration.booking import seats, series
from scheduler_integration.booking.domains import booking_origin
from scheduler_integration.booking.meeting_types import meeting_type_doc
from scheduler_integration.booking.payments import Payment, current_payment, payment_json
from scheduler_integration.booking.presentation import host_names, minutes, plain, safe_zone
from scheduler_integration.booking.tokens import manage_url
from scheduler_integration.core.answers import Date, DateTime, Email, Time, Url
from scheduler_integration.core.clock import to_utc, utc_now
from scheduler_integration.core.languages import site_language
from scheduler_integration.engine.booking_states import AWAITING_PAYMENT, is_active
from scheduler_integration.engine.statuses import BookingStatus
from scheduler_integration.engine.timezones import get_zone
from scheduler_integration.outputs.email_values import page_locale, when
from scheduler_integration.outputs.invitations import CalendarLinks, add_links, guest_title

ISO = "%Y-%m-%dT%H:%M:%SZ"


def utc_text(moment: datetime) -> str:
	"""An aware instant as ``2026-01-05T14:30:00Z`` (UTC, whole seconds)."""
	if moment.utcoffset():
		moment = moment.astimezone(timezone.utc)
	# a month of slots formats ~700 of these per request: the C-level isoformat, sliced
	return moment.isoformat(timespec="seconds")[:19] + "Z"


class Slot(TypedDict):
	"""A free time: its start and end (UTC) and its date and time on the booker's clock; in a
	group session's slots, how many seats it has left."""

	start: DateTime
	end: DateTime
	date: Date
	time: Time
	seats_left: NotRequired[int | None]


class SlotDay(TypedDict):
	"""The free times of one date on the booker's clock (``days_text``)."""

	date: Date
	slots: list[Slot]


def _slot_row(start: str, end: str, date_text: str, local: datetime) -> Slot:
	return {"start": start, "end": end, "date": date_text, "time": f"{local.hour:02d}:{local.minute:02d}"}


def slot_json(slot, zone_name: str | None) -> Slot:
	"""A slot for the API (``days_text`` formats many at once)."""
	local = slot.start.astimezone(get_zone(safe_zone(zone_name)))
	return _slot_row(utc_text(slot.start), utc_text(slot.end), local.date().isoformat(), local)


# a slot's row depends only on its start, end and the booker's zone: rows of the slots a
# worker keeps (booking.slot_answers) are formatted once, not on every read of a month
_ROWS: OrderedDict[tuple, tuple[str, str]] = OrderedDict()
MAX_ROWS = 50_000
# (origin, zone) -> a kept month's whole text (a few tens of kB each)
_DAYS: OrderedDict[tuple, str] = OrderedDict()
MAX_DAYS = 64


def _row(slot, zone_name: str, zone) -> tuple[str, str]:
	"""(booker-local date text, the JSON text of its row) of a slot."""
	key = (slot.start, slot.end, zone_name)
	found = _ROWS.get(key)
	if found is None:
		local = slot.start.astimezone(zone)
		date_text = local.date().isoformat()
		row = _slot_row(utc_text(slot.start), utc_text(slot.end), date_text, local)
		found = _ROWS[key] = (date_text, json.dumps(row, separators=(",", ":")))
		if len(_ROWS) > MAX_ROWS:
			_ROWS.popitem(last=False)
	return found


def days_text(slots, zone_name: str, seats_left: dict | None = None) -> str:
	"""The JSON text of slots grouped by the booker-local date of their start, as
	``get_slots`` answers (a list of ``SlotDay``: ``[{"date": …, "slots": [{"start", "end",
	"date", "time"}, …]}, …]``); with ``seats_left`` ({start: seats}) each slot says how many seats it has left.
	A month is joined from rows formatted once per slot and zone (``_row``), not encoded
	on every read; the month a kept answer offers (its ``origin``: ``booking.slot_answers``)
	is joined once per zone."""
	origin = None if seats_left else getattr(slots, "origin", None)
	if origin is not None:
		found = _DAYS.get((origin, zone_name))
		if found is not None:
			_DAYS.move_to_end((origin, zone_name))
			return found
	zone = get_zone(zone_name)
	days: list[tuple[str, list[str]]] = []
	for slot in sorted(slots, key=_start):
		date_text, text = _row(slot, zone_name, zone)
		if seats_left:
			text = f'{text[:-1]},"seats_left":{json.dumps(seats_left.get(slot.start))}}}'
		if not days or days[-1][0] != date_text:
			days.append((date_text, []))
		days[-1][1].append(text)
	joined = "[" + ",".join(f'{{"date":"{date}","slots":[{",".join(rows)}]}}' for date, rows in days) + "]"
	if origin is not None:
		_DAYS[(origin, zone_name)] = joined
		if len(_DAYS) > MAX_DAYS:
			_DAYS.popitem(last=False)
	return joined


_start = operator.attrgetter("start")


class BookingSeats(TypedDict):
	"""A group session's seats: how many, how many are taken, and (when the type shows them)
	the other guests' names."""

	total: int
	taken: int
	others: NotRequired[list[str]]


def seat_json(doc, mt) -> BookingSeats:
	"""A group session's seats as its guest sees them: how many are taken, and the other
	guests' names only when the meeting type lets its guests see each other."""
	taken = seats.slot_of(doc) if is_active(doc.status) else []
	data = {"total": int(mt.seats_per_slot), "taken": len(taken)}
	if mt.show_attendees:
		data["others"] = [plain(row.guest_name) for row in taken if row.name != doc.name]
	return data


class SeriesMeeting(TypedDict):
	"""One meeting of a series or multi-day booking; in its guest's view, an active one's
	manage and calendar links."""

	start: DateTime
	end: DateTime
	status: BookingStatus
	manage_url: NotRequired[Url]
	calendar: NotRequired[CalendarLinks]


class BookingSeries(TypedDict):
	"""The series or multi-day booking a meeting belongs to: its kind, which meeting this is,
	every meeting."""

	kind: str | None
	index: int
	meetings: list[SeriesMeeting]


def series_json(doc, links: bool = False, title: str = "", host_name: str = "") -> BookingSeries:
	"""The series or multi-day booking a meeting belongs to: its kind, which meeting this
	is, and every meeting's start, end and status; with ``links`` (the guest's own view, by
	a manage token) each active meeting's manage link and its Google Calendar and Outlook
	links (``title`` and ``host_name`` name it): the meetings one guest booked together are
	theirs to manage, and to add to a calendar, one by one."""
	rows = frappe.get_all(
		"Scheduler Booking",
		filters={"series": doc.series},
		fields=[
			"name",
			"start",
			"end",
			"status",
			"series_index",
			"token_nonce",
			"meeting_type",
			"meeting_link",
			"meeting_password",
			"location",
		],
		order_by="series_index asc",
	)
	meetings = []
	for row in rows:
		item = {"start": utc_text(to_utc(row.start)), "end": utc_text(to_utc(row.end)), "status": row.status}
		if links and is_active(row.status) and row.token_nonce:
			item["manage_url"] = manage_url(row)
			item["calendar"] = add_links(row, title, host_name, item["manage_url"])
		meetings.append(item)
	return {"kind": series.kind(doc.series), "index": int(doc.series_index or 0), "meetings": meetings}


class Booking(TypedDict):
	"""A booking as its guest sees it; by its manage token (the guest's own view) with its links."""

	id: str
	status: BookingStatus
	start: DateTime
	end: DateTime
	timezone: str
	local_date: Date
	local_time: Time
	local_end_time: Time
	when_text: str
	meeting_type: str
	meeting_type_slug: str
	profile_slug: str
	host_name: str
	guest_title: str
	duration: int
	location: str
	meeting_link: str
	meeting_password: str
	guest_name: str
	confirmation_message: str
	can_cancel: bool
	can_reschedule: bool
	payment: NotRequired[Payment]
	seats: NotRequired[BookingSeats]
	series: NotRequired[BookingSeries]
	manage_token: NotRequired[str]
	manage_url: NotRequired[Url]
	ics_url: NotRequired[Url]
	calendar: NotRequired[CalendarLinks]
	email_sent_to: NotRequired[Email | Literal[""]]  # "": no confirmation email on its way


def booking_json(doc, token: str | None, zone_name: str | None = None, confirmation: bool = False) -> Booking:
	"""What the guest's pages show of a booking (and the public API returns); with a token
	(the guest's own view) its links: manage, .ics, Google Calendar and Outlook;
	``confirmation`` (the answer to booking): the address its confirmation email goes to."""
	mt = meeting_type_doc(doc.meeting_type)
	profile = frappe.get_cached_doc("Scheduler Profile", mt.profile)
	zone_name = safe_zone(zone_name or doc.booker_timezone)
	start, end = to_utc(doc.start), to_utc(doc.end)
	local = start.astimezone(get_zone(zone_name))
	host_name = host_names(doc)
	# the language the reader asked for (``?lang=``, which the pages pass on to the API)
	reading = page_locale(doc, site_language(frappe.form_dict.get("lang")))
	data = {
		"id": doc.name,
		"status": doc.status,
		"start": start.strftime(ISO),
		"end": end.strftime(ISO),
		"timezone": zone_name,
		"local_date": local.date().isoformat(),
		"local_time": local.strftime("%H:%M"),
		"local_end_time": end.astimezone(get_zone(zone_name)).strftime("%H:%M"),
		# the start as the guest's emails write it (their locale, this zone): the page shows
		# these words, so the page and the emails read the same whatever the browser's dates;
		# a page read in another language (?lang=) writes it in that one (``page_locale``)
		"when_text": frappe._("{0} at {1}", lang=reading[0]).format(*when(start, zone_name, reading[1])),
		"meeting_type": mt.title,
		"meeting_type_slug": mt.slug,
		"profile_slug": profile.slug,
		"host_name": host_name,
		# what the guest's calendar calls it (the .ics, Google and Outlook links)
		"guest_title": guest_title(mt.title, host_name),
		"duration": minutes(doc),
		"location": plain(doc.location),
		"meeting_link": (doc.meeting_link or "") if is_active(doc.status) else "",
		"meeting_password": (doc.get("meeting_password") or "") if is_active(doc.status) else "",
		"guest_name": plain(doc.guest_name),
		"confirmation_message": mt.confirmation_message or "",
		"can_cancel": is_active(doc.status),
		# a booking awaiting its payment is paid (or given up) before it moves
		"can_reschedule": is_active(doc.status) and doc.status != AWAITING_PAYMENT,
	}
	if doc.get("amount"):  # a paid booking: its price, payment and refunds (booking.payments)
		data["payment"] = payment_json(doc, current_payment(doc.name))
		if not token:
			data["payment"].pop("url", None)  # the pay page is the guest's, by their token
	if int(mt.get("seats_per_slot") or 1) > 1:
		data["seats"] = seat_json(doc, mt)
	if doc.get("series"):
		data["series"] = series_json(doc, links=bool(token), title=mt.title, host_name=host_name)
	if token:
		origin = booking_origin(doc)  # the custom domain of the booking's page, if any
		data["manage_token"] = token  # what get_booking, reschedule and cancel take (the links)
		data["manage_url"] = f"{origin}/book/manage/{token}"
		data["ics_url"] = f"{origin}/api/method/scheduler_integration.api.public.ics?token={token}"
		if is_active(doc.status):
			data["calendar"] = add_links(doc, mt.title, host_name, data["manage_url"])
	if confirmation:
		data["email_sent_to"] = doc.email_sent_to()
	return data


class PlannedMeeting(TypedDict):
	"""One meeting a booking would make, on the booker's clock (no time: a wall time the day
	does not have), and whether it is free now."""

	index: int
	start: DateTime | None
	date: Date | None
	time: Time | None
	free: bool


class PlannedMeetings(TypedDict):
	"""Every meeting a booking at a start would make, and whether it would be made."""

	meetings: list[PlannedMeeting]
	bookable: bool
	skip_taken: NotRequired[bool]  # absent for a type that makes one meeting
	timezone: NotRequired[str]


def meetings_json(ctx, start: datetime, count, zone_name: str) -> PlannedMeetings:
	"""Every meeting a booking at ``start`` would make, each with whether it is free now, on
	the booker's clock; ``bookable`` says whether the booking would be made (a type that
	books series whole needs every meeting free)."""
	rule = ctx.occurrences(count)
	if rule is None:
		return {"meetings": [], "bookable": True}
	found = series.plan(ctx, rule, start, utc_now())
	zone = get_zone(safe_zone(zone_name))
	rows = []
	for index, check in enumerate(found.checks):
		free = bool(check.offered)
		# a meeting on a wall time that does not exist that day (DST) has no time to show
		moment = check.start if free or index == 0 or check.reason is not None else None
		local = moment.astimezone(zone) if moment else None
		rows.append(
			{
				"index": index,
				"start": utc_text(moment) if moment else None,
				"date": local.date().isoformat() if local else None,
				"time": local.strftime("%H:%M") if local else None,
				"free": free,
			}
		)
	bookable = bool(rows) and rows[0]["free"] and (found.skip_taken or found.complete)
	return {"meetings": rows, "bookable": bookable, "skip_taken": found.skip_taken, "timezone": zone_name}
