"""A guest's and a host's journey through the Python client generated from the app's OpenAPI
document (``openapi-python-client``; ``test_generated_clients`` generates it as the package
``scheduler_client`` and runs this file with the API check's virtualenv).

Only the generated code talks to the site. The journeys print what they read, one JSON
object, for the bench test to hold against the site; a call answered otherwise than the
journey expects stops it (exit 1, the call and its answer on stderr).

Run: ``python python_journeys.py <guest|host> '<config JSON>'`` with the generated package
on ``sys.path``; the config names the site (``base``, ``site``), the host's page and types,
the week to book in, the guest and the host's API token.

The success answers' ``data`` is read through ``read`` alone: an untyped ``dict`` now, a
typed model once the document describes each method's data (``read`` takes both).
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime, timedelta, timezone

from scheduler_client import AuthenticatedClient, Client
from scheduler_client.api.booking import (
	scheduler_integration_api_booking_confirm_booking as confirm_booking,
)
from scheduler_client.api.booking import (
	scheduler_integration_api_booking_list_my_bookings as list_my_bookings,
)
from scheduler_client.api.public import (
	scheduler_integration_api_public_book as book,
)
from scheduler_client.api.public import (
	scheduler_integration_api_public_cancel as cancel,
)
from scheduler_client.api.public import (
	scheduler_integration_api_public_get_booking as get_booking,
)
from scheduler_client.api.public import (
	scheduler_integration_api_public_get_page as get_page,
)
from scheduler_client.api.public import (
	scheduler_integration_api_public_get_slots as get_slots,
)
from scheduler_client.api.public import (
	scheduler_integration_api_public_reschedule as reschedule,
)
from scheduler_client.models import (
	EnvelopeAnswer,
	FailureAnswer,
	SchedulerIntegrationApiBookingConfirmBookingBody,
	SchedulerIntegrationApiPublicBookBody,
	SchedulerIntegrationApiPublicCancelBody,
	SchedulerIntegrationApiPublicRescheduleBody,
)


def read(data, name: str):
	"""A field of an answer's ``data``: a key of the untyped dict, or the typed model's attribute."""
	return data[name] if isinstance(data, dict) else getattr(data, name)


def instant(value) -> str:
	"""An instant as ``YYYY-MM-DDTHH:MM:SSZ`` (the answers' text, or a typed field's datetime)."""
	moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
	return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def data_of(response, status: int = 200):
	"""The ``data`` of a success answer (the envelope), or stop."""
	parsed = response.parsed
	if response.status_code != status or not isinstance(parsed, EnvelopeAnswer):
		sys.exit(f"expected {status}, got {response.status_code}: {response.content[:500]!r}")
	return parsed.message.data


def failure_of(response, status: int):
	"""The failure of a refused call (its ``code`` and the rest), or stop."""
	parsed = response.parsed
	if response.status_code != status or not isinstance(parsed, FailureAnswer):
		sys.exit(f"expected {status}, got {response.status_code}: {response.content[:500]!r}")
	return parsed.message


def guest(config: dict) -> dict:
	client = Client(base_url=config["base"], headers={"X-Frappe-Site-Name": config["site"]})
	profile, meeting_type = config["profile"], config["meeting_type"]
	seen: dict = {}

	page = data_of(get_page.sync_detailed(client=client, profile=profile))
	seen["page_types"] = [read(item, "slug") for item in read(page, "meeting_types")]

	week = date.fromisoformat(config["week"])
	slots = data_of(
		get_slots.sync_detailed(
			client=client,
			profile=profile,
			meeting_type=meeting_type,
			start=week,
			end=week + timedelta(days=7),
			timezone="UTC",
		)
	)
	starts = [instant(read(slot, "start")) for day in read(slots, "days") for slot in read(day, "slots")]
	seen["slots"] = len(starts)
	first, later = starts[0], starts[3]

	made = data_of(
		book.sync_detailed(
			client=client,
			body=SchedulerIntegrationApiPublicBookBody(
				profile=profile,
				meeting_type=meeting_type,
				start=datetime.fromisoformat(first),
				name=config["guest_name"],
				email=config["guest_email"],
				timezone="UTC",
			),
		),
		201,
	)
	token = str(read(made, "manage_url")).rsplit("/", 1)[1]
	seen["booked"] = {
		"asked": first,
		"id": read(made, "id"),
		"start": instant(read(made, "start")),
		"status": read(made, "status"),
	}

	found = data_of(get_booking.sync_detailed(client=client, token=token))
	seen["read"] = {"start": instant(read(found, "start")), "status": read(found, "status")}

	moved = data_of(
		reschedule.sync_detailed(
			client=client,
			body=SchedulerIntegrationApiPublicRescheduleBody(
				token=token, start=datetime.fromisoformat(later), timezone="UTC"
			),
		)
	)
	seen["moved"] = {"asked": later, "start": instant(read(moved, "start"))}

	# the time the booking now holds, asked for by another guest: 409 with the nearest free times
	refused = failure_of(
		book.sync_detailed(
			client=client,
			body=SchedulerIntegrationApiPublicBookBody(
				profile=profile,
				meeting_type=meeting_type,
				start=datetime.fromisoformat(later),
				name="Second Guest",
				email=config["second_email"],
				timezone="UTC",
			),
		),
		409,
	)
	seen["taken"] = {
		"code": refused.code.value,
		"alternatives": [instant(slot.start) for slot in refused.alternatives or []],
	}

	gone = data_of(
		cancel.sync_detailed(
			client=client, body=SchedulerIntegrationApiPublicCancelBody(token=token, reason="Plans changed")
		)
	)
	seen["cancelled"] = {"status": read(gone, "status")}
	return seen


def host(config: dict) -> dict:
	signed_in = AuthenticatedClient(
		base_url=config["base"],
		headers={"X-Frappe-Site-Name": config["site"]},
		token=config["api_token"],
		prefix="token",
	)
	anonymous = Client(base_url=config["base"], headers={"X-Frappe-Site-Name": config["site"]})
	booking = config["booking"]
	seen: dict = {}

	rows = data_of(list_my_bookings.sync_detailed(client=signed_in, limit=500))
	seen["listed"] = {read(row, "id"): read(row, "status") for row in rows}

	confirmed = data_of(
		confirm_booking.sync_detailed(
			client=signed_in, body=SchedulerIntegrationApiBookingConfirmBookingBody(booking=booking)
		)
	)
	seen["confirmed"] = {"id": read(confirmed, "id"), "status": read(confirmed, "status")}

	rows = data_of(list_my_bookings.sync_detailed(client=signed_in, status="Confirmed", limit=500))
	seen["listed_confirmed"] = [read(row, "id") for row in rows]

	refused = failure_of(list_my_bookings.sync_detailed(client=anonymous), 401)
	seen["guest"] = {"code": refused.code.value}
	return seen


if __name__ == "__main__":
	journey, config = sys.argv[1], json.loads(sys.argv[2])
	print(json.dumps({"guest": guest, "host": host}[journey](config)))
