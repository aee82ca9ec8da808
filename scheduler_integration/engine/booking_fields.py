"""Who may set which field of a booking: one table for every entry point.

A booking is written by three actors (``booking_states.Actor``): the guest (booking page,
manage link), a host or manager (desk, REST, host API, calendar drag, Data Import) and the
system (jobs and effects). Every save of a Scheduler Booking compares the fields the
caller changed with this table, on insert and on update alike, so the same rule holds
whether the change came through the API meant for it or through ``/api/resource``.

Three kinds of field:

- **settable**: ``FIELDS[name] = (insert, update)`` names the actors who may set the
  field on a new booking and change it on an existing one; any other actor's change is
  refused (``refused_fields``). What a value may be is checked elsewhere: statuses by the
  state machine, times by the locked check, guest text by ``validation``, links by the
  caller's read permission.
- **derived** (``DERIVED``): the system computes them from the others on every save (the
  end from the start and the duration, the organiser from the hosts, the title, the
  invitation's sequence and UID, token hashes, when it was confirmed or cancelled, the
  records the CRM effect made; a paid booking's price, hold and refund). A
  caller's value is discarded, never refused, so a calendar drag that sends an end, or a
  desk form that sends back what it read, still saves.
- anything else (layout fields, Frappe's own columns) is not the caller's business and is
  left to Frappe.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .booking_states import Actor

G, H, S = Actor.GUEST, Actor.HOST, Actor.SYSTEM
_ALL = frozenset({G, H, S})
_HS = frozenset({H, S})
_GS = frozenset({G, S})
_S = frozenset({S})

# field: (who may set it on a new booking, who may change it later)
FIELDS: dict[str, tuple[frozenset, frozenset]] = {
	# what the booking is and when: every change is checked for availability
	"meeting_type": (_ALL, _HS),
	"start": (_ALL, _ALL),
	"status": (_ALL, _ALL),
	"hosts": (_HS, _HS),
	"allow_overlap": (_HS, _HS),
	"overlap_reason": (_HS, _HS),
	# the guest's form; a host may correct it later
	"guest_name": (_ALL, _HS),
	"guest_email": (_ALL, _HS),
	"guest_phone": (_ALL, _HS),
	"guest_company": (_ALL, _HS),
	"notes": (_ALL, _HS),
	# colleagues the guest adds to the meeting (each gets the invitation)
	"attendees": (_ALL, _HS),
	"answers": (_ALL, _S),
	"booker_timezone": (_ALL, _ALL),
	"language": (_ALL, _HS),
	"locale": (_ALL, _HS),  # how the guest's browser writes dates and times (rules.locales)
	"cancel_reason": (_ALL, _ALL),
	# where the meeting happens: the host's to decide, the video effect fills it in
	"location": (_HS, _HS),
	"meeting_link": (_HS, _HS),
	"meeting_password": (_HS, _HS),
	"meeting_provider": (_S, _S),
	"meeting_id": (_S, _S),
	"meeting_connection": (_S, _S),
	# which records the meeting belongs to (links checked for the caller's read permission)
	"contact": (_HS, _HS),
	"crm_doctype": (_HS, _HS),
	"crm_name": (_HS, _HS),
	"reference_doctype": (_ALL, _HS),
	"reference_name": (_ALL, _HS),
	# how the guest arrived: set by the public API from the request, never changed
	"source": (_GS, _S),
	"utm_source": (_GS, _S),
	"utm_medium": (_GS, _S),
	"utm_campaign": (_GS, _S),
	"idempotency_key": (_GS, _S),
	# the personal link or routing form decision it was booked through: set by the public
	# API once it has checked the token, never by anyone else
	"personal_link": (_GS, _S),
	"routing_submission": (_GS, _S),
	# the money of a paid booking: what the gateway reported, kept by the system alone
	# (rules.payments; the Scheduler Payment holds the gateway's side)
	"payment_status": (_S, _S),
	"amount_paid": (_S, _S),
	"amount_refunded": (_S, _S),
	"payment": (_S, _S),
}

DERIVED = frozenset(
	{
		"end",
		"host",
		"title",
		"sequence",
		"ical_uid",
		"manage_token_hash",
		"token_nonce",
		"short_code_hash",
		"token_expires",
		"confirmed_at",
		"cancelled_at",
		# the tasks, notes and to-dos the CRM effect made: it adds rows straight to the
		# table while the booking may be open elsewhere, so a save keeps the stored rows
		"crm_records",
		# which seat of a seated slot holds its calendar event and meeting (booking.seats)
		"seat_leader",
		# the series a meeting belongs to, set when the series is booked (booking.series)
		"series",
		"series_index",
		# a paid booking's price and currency when it was made, how long its hold lasts,
		# and what its cancellation refunds (rules.payments, decided when it is cancelled)
		"amount",
		"currency",
		"hold_until",
		"refund_due",
		# what the system wrote after the answer, with the values before (``log_writes``)
		"effect_writes",
		# the hosts a change took off or put on, until the effects followed (host_changes)
		"host_changes",
	}
)

# Links a caller sets that point at records outside the app: the caller must be able to
# read the record (``crm_doctype`` only ever names one of these)
CRM_DOCTYPES = ("CRM Lead", "CRM Deal", "Lead", "Opportunity", "Customer", "Contact")


def may_set(field: str, actor: Actor, *, new: bool) -> bool:
	"""May ``actor`` set ``field`` (on a new booking when ``new``, else change it)?"""
	if field in DERIVED:
		return True  # discarded and computed again, whoever sent it
	rule = FIELDS.get(field)
	if rule is None:
		return True  # not a booking field this table governs
	return actor in rule[0 if new else 1]


def refused_fields(changed: Iterable[str], actor: Actor, *, new: bool) -> list[str]:
	"""The fields among ``changed`` that ``actor`` may not set, in table order."""
	changed = set(changed)
	return [field for field in FIELDS if field in changed and not may_set(field, actor, new=new)]


def stale_fields(loaded: Mapping, current: Mapping, stored: Mapping) -> set[str]:
	"""Fields a caller did not change that someone else changed since the caller read the
	booking: its copy still holds what it ``loaded``, the database holds something else
	(``stored``; e.g. the CRM effect set the guest's Contact while the guest's cancellation
	was on its way). Such a field is no change of the caller's: it keeps the stored value
	and is never refused as one (a system change never blocks a guest's action)."""
	return {
		field for field, value in loaded.items() if current.get(field) == value and stored.get(field) != value
	}


# What the system stored after a booking's answer without a new ``modified`` (the CRM
# effect's Contact and record, the video effect's link: a guest's action is never refused
# because of them) is logged on the booking as ``{"seq": n, "log": [[seq, field, value
# before], ...]}``, newest last. A copy of the booking carries the log as it was read (the
# desk's form sends it back), so its sequence tells which writes came after the copy was
# read, and the log what each field held then (rule 0 of ``booking.fields``).
KEPT_WRITES = 64  # entries kept per booking; a copy older than all of them is read as empty


def _plain(value):
	return None if value in ("", None) else value


def write_sequence(log: Mapping | None) -> int:
	return int((log or {}).get("seq") or 0)


def log_writes(log: Mapping | None, values: Mapping, stored: Mapping) -> dict | None:
	"""The log after the system writes ``values`` over a booking that holds ``stored``;
	None when no value changes (nothing to write)."""
	changed = [field for field, value in values.items() if _plain(value) != _plain(stored.get(field))]
	if not changed:
		return None
	seq = write_sequence(log) + 1
	entries = [*(log or {}).get("log", []), *([seq, field, _plain(stored.get(field))] for field in changed)]
	return {"seq": seq, "log": entries[-KEPT_WRITES:]}


def values_when_read(copy_sequence: int, log: Mapping | None) -> dict:
	"""{field: value it held when a copy with ``copy_sequence`` was read} of every field the
	system wrote since: the value before the first of those writes. A copy older than the
	oldest entry kept was read before writes that are no longer logged: each logged field
	then counts as empty when it was read."""
	out: dict = {}
	entries = (log or {}).get("log", [])
	lost = bool(entries) and entries[0][0] > copy_sequence + 1
	for seq, field, before in entries:
		if seq > copy_sequence and field not in out:
			out[field] = None if lost else before
	return out
