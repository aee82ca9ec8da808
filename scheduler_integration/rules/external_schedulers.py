"""What an external scheduler (Calendly, Acuity, OnceHub/ScheduleOnce) reports, as the
state of one meeting: signatures, payload → event, the state a meeting moves to, and when
a meeting nobody cancelled counts as completed.

**Signatures.**

* Acuity: ``X-Acuity-Signature`` is the base64 HMAC-SHA256 of the raw body, keyed with the
  account's API key. It carries no time, so a replay is harmless only because the
  appointment is read back from Acuity's API and its *state* is recorded.
* OnceHub: ``Oncehub-Signature: t=<unix seconds>,s=<hex HMAC-SHA256 of "<t>.<raw body>">``
  keyed with the webhook's secret; ``t`` more than ``tolerance`` seconds from ``now`` is
  ``stale`` (as Calendly's, ``rules.tracking.verify_calendly``).

Both raise ``rules.tracking.SignatureRefused`` (``missing``, ``malformed``, ``mismatch``,
``stale``).

**Events.** Each provider's report becomes an ``ExternalEvent``: the provider's id of the
meeting (``ref``, prefixed with the provider so ids never collide), what happened
(``kind``: booked, moved, cancelled, completed, no_show), the times when known, the
client's name, the id the meeting had before a reschedule that gave it a new one
(``replaces``: Calendly and OnceHub do that), report-link token candidates and UTM values.

* Acuity (``acuity_event``): the appointment as its API answers it decides: canceled with
  ``noShow`` is a no-show, canceled a cancellation, else the action (``scheduled``,
  ``rescheduled``, ``changed``; also ``appointment.…`` names of dynamic webhooks).
  Report tokens come back in an intake form field (``field:<id>=<token>`` on the link).
* OnceHub (``oncehub_event``): ``booking.scheduled`` booked, ``booking.rescheduled`` moved
  (from ``rescheduled_booking_id``), ``booking.canceled`` and
  ``booking.canceled_then_rescheduled`` (rebooked with someone else) cancelled,
  ``booking.completed``, ``booking.no_show``; ``booking.canceled_reschedule_requested``
  cancelled until the customer picks the new time (then moved, which reopens it).
  Tokens come back as ``utm_content``.
* Calendly (``calendly_event``): ``invitee.created`` booked (moved when it names an
  ``old_invitee``), ``invitee.canceled`` cancelled (moved to ``new_invitee`` when
  ``rescheduled``), ``invitee_no_show.created`` no-show.

**State** (``next_state``). A meeting is Scheduled, Cancelled, Completed or No Show. The
first report of a meeting records what it says; booked/moved on a Scheduled meeting only
moves it (recorded nothing new); an outcome (cancelled, completed, no_show) different from
the current one replaces it — the provider's word wins, also over a completion this app
assumed — and the engagement of the outcome it replaces is withdrawn; the same outcome
again changes nothing. A move reopens a Cancelled meeting (OnceHub's reschedule after a
requested reschedule); other reports on a finished meeting change nothing.

**Completion** (``outcome_due``): a Scheduled meeting whose end (its start when the end is
unknown) has passed is completed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal, get_args
from urllib.parse import parse_qs, urlsplit

from .tracking import MAX_TOKEN, TOLERANCE, SignatureRefused, verify_stamped

__all__ = [
	"CANCELLED",
	"COMPLETED",
	"NO_SHOW",
	"SCHEDULED",
	"ExternalEvent",
	"Step",
	"acuity_action",
	"acuity_event",
	"acuity_signature",
	"acuity_type_id",
	"calendly_event",
	"next_state",
	"oncehub_event",
	"oncehub_signature",
	"outcome_due",
	"parse_instant",
	"verify_acuity",
	"verify_oncehub",
]

ExternalStatus = Literal["Scheduled", "Cancelled", "Completed", "No Show"]
STATUSES: tuple[ExternalStatus, ...] = get_args(ExternalStatus)
SCHEDULED, CANCELLED, COMPLETED, NO_SHOW = STATUSES
# the engagement each state records
RECORDS = {
	SCHEDULED: "meeting_booked",
	CANCELLED: "meeting_cancelled",
	COMPLETED: "meeting_completed",
	NO_SHOW: "no_show",
}
OUTCOMES = {"cancelled": CANCELLED, "completed": COMPLETED, "no_show": NO_SHOW}
KINDS = ("booked", "moved", *OUTCOMES)
MAX_REF = 500
_ID = re.compile(r"^[A-Za-z0-9_-]{1,100}$")
_OFFSET = re.compile(r"([+-])(\d{2})(\d{2})$")


@dataclass(frozen=True)
class ExternalEvent:
	provider: str
	ref: str
	kind: str
	start: datetime | None = None
	end: datetime | None = None
	client: str = ""
	replaces: str = ""
	tokens: tuple[str, ...] = ()
	utm: Mapping[str, str] = field(default_factory=dict)
	type_ref: str = ""
	occurred_at: datetime | None = None


@dataclass(frozen=True)
class Step:
	"""What a report does to a meeting: its new status, the engagement to record and the one
	to withdraw (None: none), and whether its times and id follow the report."""

	status: str
	record: str | None = None
	withdraw: str | None = None
	move: bool = False


# --- signatures ----------------------------------------------------------------------------
def _key(key) -> bytes:
	return key if isinstance(key, bytes) else str(key).encode()


def acuity_signature(body: bytes, key) -> str:
	"""The ``X-Acuity-Signature`` Acuity sends for ``body``."""
	return base64.b64encode(hmac.new(_key(key), body, hashlib.sha256).digest()).decode("ascii")


def verify_acuity(header, body: bytes, key) -> None:
	"""SignatureRefused unless ``header`` is the signature of ``body`` with ``key``."""
	if not header or not key:
		raise SignatureRefused("missing")
	if not hmac.compare_digest(str(header).strip().encode(), acuity_signature(body, key).encode()):
		raise SignatureRefused("mismatch")


def oncehub_signature(body: bytes, key, timestamp: int) -> str:
	"""The ``Oncehub-Signature`` header OnceHub sends for ``body`` at ``timestamp``."""
	digest = hmac.new(_key(key), f"{int(timestamp)}.".encode() + body, hashlib.sha256).hexdigest()
	return f"t={int(timestamp)},s={digest}"


def verify_oncehub(header, body: bytes, key, now: float, tolerance: int = TOLERANCE) -> int:
	"""The signed timestamp; SignatureRefused when the header does not prove ``body``."""
	return verify_stamped(header, body, key, now, oncehub_signature, "s", tolerance)


# --- payloads ------------------------------------------------------------------------------
def parse_instant(value) -> datetime | None:
	"""An aware datetime from ISO 8601 text (``Z``, ``+01:00`` or Acuity's ``-0700``); None
	for anything else, naive times included."""
	if not isinstance(value, str) or not value.strip() or len(value) > 40:
		return None
	text = value.strip().replace("Z", "+00:00")
	text = _OFFSET.sub(r"\1\2:\3", text) if "T" in text else text
	try:
		moment = datetime.fromisoformat(text)
	except ValueError:
		return None
	return moment if moment.tzinfo else None


def _dict(value) -> Mapping:
	return value if isinstance(value, Mapping) else {}


def _text(value, length: int = 200) -> str:
	return value.strip()[:length] if isinstance(value, str) else ""


def _minutes(value) -> int | None:
	try:
		minutes = int(str(value).strip())
	except (TypeError, ValueError):
		return None
	return minutes if 0 < minutes <= 24 * 60 else None


def _end(start: datetime | None, minutes) -> datetime | None:
	length = _minutes(minutes)
	return start + timedelta(minutes=length) if start and length else None


def _looks_like_token(value) -> bool:
	return isinstance(value, str) and 0 < len(value.strip()) <= MAX_TOKEN and value.strip().count(".") == 1


def _ref(provider: str, value) -> str:
	text = str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else ""
	return f"{provider}:{text}" if text and _ID.match(text) else ""


ACUITY_ACTIONS = ("scheduled", "rescheduled", "canceled", "changed")


def acuity_action(action) -> str:
	"""The appointment action a webhook names ('' for orders and anything else)."""
	name = _text(action, 60).lower().removeprefix("appointment.")
	return name if name in ACUITY_ACTIONS else ""


def acuity_event(action, appointment: Mapping, report_field=None) -> ExternalEvent | None:
	"""The event of an Acuity webhook ``action`` for the appointment its API answered."""
	appointment = _dict(appointment)
	name = acuity_action(action)
	ref = _ref("acuity", appointment.get("id"))
	if not ref or not name:
		return None
	if appointment.get("canceled") is True or name == "canceled":
		kind = "no_show" if appointment.get("noShow") is True else "cancelled"
	else:
		kind = "moved" if name == "rescheduled" else "booked"
	start = parse_instant(appointment.get("datetime"))
	tokens = []
	wanted = str(report_field).strip() if report_field not in (None, "") else ""
	for form in appointment.get("forms") or []:
		for row in _dict(form).get("values") or []:
			row = _dict(row)
			value = row.get("value")
			if not _looks_like_token(value):
				continue
			if wanted and str(row.get("fieldID")) == wanted:
				tokens.insert(0, value.strip())  # the field the links fill: asked first
			else:
				tokens.append(value.strip())
	client = " ".join(
		p for p in (_text(appointment.get("firstName")), _text(appointment.get("lastName"))) if p
	)
	return ExternalEvent(
		provider="acuity",
		ref=ref,
		kind=kind,
		start=start,
		end=_end(start, appointment.get("duration")),
		client=client or _text(appointment.get("email")),
		tokens=tuple(tokens),
		type_ref=str(appointment.get("appointmentTypeID") or ""),
	)


ONCEHUB_KINDS = {
	"booking.scheduled": "booked",
	"booking.rescheduled": "moved",
	"booking.canceled": "cancelled",
	"booking.canceled_then_rescheduled": "cancelled",
	"booking.canceled_reschedule_requested": "cancelled",
	"booking.completed": "completed",
	"booking.no_show": "no_show",
}


def _utm(data: Mapping) -> dict:
	"""UTM values of a OnceHub booking: ``utm_params`` {source, …} or flat ``utm_source``."""
	nested = _dict(data.get("utm_params"))
	out = {}
	for name in ("source", "medium", "campaign", "content"):
		value = nested.get(name) or data.get(f"utm_{name}")
		if isinstance(value, str) and value.strip():
			out[f"utm_{name}"] = value.strip()[:MAX_TOKEN]
	return out


def oncehub_event(payload: Mapping) -> ExternalEvent | None:
	"""The event of a OnceHub webhook event object (None: not a booking event)."""
	payload = _dict(payload)
	kind = ONCEHUB_KINDS.get(payload.get("type"))
	data = _dict(payload.get("data"))
	ref = _ref("oncehub", data.get("id"))
	if not kind or not ref:
		return None
	previous = _ref("oncehub", data.get("rescheduled_booking_id"))
	start = parse_instant(data.get("starting_time"))
	form = _dict(data.get("form_submission"))
	utm = _utm(data)
	return ExternalEvent(
		provider="scheduleonce",
		ref=ref,
		kind=kind,
		start=start,
		end=_end(start, data.get("duration_minutes")),
		client=_text(form.get("name")) or _text(form.get("email")),
		replaces=previous if previous != ref else "",
		tokens=(utm["utm_content"],) if _looks_like_token(utm.get("utm_content")) else (),
		utm=utm,
		type_ref=_text(data.get("booking_page") or data.get("booking_calendar"), 140),
		occurred_at=parse_instant(payload.get("creation_time")),
	)


def _uri(value) -> str:
	return value.strip() if isinstance(value, str) and 0 < len(value.strip()) <= MAX_REF else ""


def calendly_event(payload: Mapping, identity: str) -> ExternalEvent | None:
	"""The event of a Calendly delivery whose invitee is known as ``identity``."""
	payload = _dict(payload)
	name = payload.get("event")
	data = _dict(payload.get("payload"))
	if name == "invitee_no_show.created":
		invitee = _uri(data.get("invitee"))
		return ExternalEvent("calendly", invitee, "no_show") if invitee else None
	if name not in ("invitee.created", "invitee.canceled"):
		return None
	scheduled = _dict(data.get("scheduled_event"))
	tracking = _dict(data.get("tracking"))
	utm = {
		key: tracking[key].strip()[:MAX_TOKEN]
		for key in ("utm_source", "utm_medium", "utm_campaign", "utm_content")
		if isinstance(tracking.get(key), str) and tracking[key].strip()
	}
	ref, replaces, kind = identity, "", "booked"
	if name == "invitee.created" and _uri(data.get("old_invitee")):
		kind, replaces = "moved", _uri(data.get("old_invitee"))
	elif name == "invitee.canceled":
		kind = "cancelled"
		if data.get("rescheduled") is True and _uri(data.get("new_invitee")):
			# the same meeting under the new invitee's id; its times come with invitee.created
			kind, ref, replaces = "moved", _uri(data.get("new_invitee")), identity
	moved_only = kind == "moved" and ref != identity
	start = None if moved_only else parse_instant(scheduled.get("start_time"))
	end = None if moved_only else parse_instant(scheduled.get("end_time"))
	return ExternalEvent(
		provider="calendly",
		ref=ref,
		kind=kind,
		start=start,
		end=end,
		client=_text(data.get("name")) or _text(data.get("email")),
		replaces=replaces,
		tokens=(utm["utm_content"],) if _looks_like_token(utm.get("utm_content")) else (),
		utm=utm,
		type_ref=_uri(scheduled.get("event_type")),
		occurred_at=parse_instant(payload.get("created_at")),
	)


def acuity_type_id(url) -> str:
	"""The Acuity appointment type a scheduling link preselects (``appointmentType=<id>``)."""
	if not isinstance(url, str) or not url.strip():
		return ""
	query = parse_qs(urlsplit(url.strip()).query)
	values = query.get("appointmentType") or query.get("appointmentType[]") or []
	return values[0].strip() if len(values) == 1 and values[0].strip().isdigit() else ""


# --- state -----------------------------------------------------------------------------------
def next_state(current: str | None, kind: str) -> Step | None:
	"""What a report of ``kind`` does to a meeting in ``current`` (None: not known yet);
	None when it changes nothing."""
	if kind not in KINDS:
		raise ValueError(f"unknown kind {kind!r}")
	if current is None:
		status = OUTCOMES.get(kind, SCHEDULED)
		return Step(status, record=RECORDS[status], move=True)
	if kind in ("booked", "moved"):
		if current == SCHEDULED:
			return Step(SCHEDULED, move=True)
		if current == CANCELLED and kind == "moved":
			return Step(SCHEDULED, withdraw=RECORDS[CANCELLED], move=True)
		return None
	target = OUTCOMES[kind]
	if target == current:
		return None
	return Step(
		target, record=RECORDS[target], withdraw=RECORDS.get(current) if current != SCHEDULED else None
	)


def outcome_due(status: str, start: datetime | None, end: datetime | None, now: datetime) -> bool:
	"""Is a meeting nobody reported on since it was booked over (completed)?"""
	over = end or start
	return status == SCHEDULED and over is not None and over <= now
