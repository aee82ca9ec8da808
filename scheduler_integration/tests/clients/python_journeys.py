"""A guest's and a host's journey through the Python client generated from the app's OpenAPI
document (``openapi-python-client``; ``test_generated_clients`` generates it as the package
``scheduler_client`` and runs this file with the API check's virtualenv).

Only the generated code talks to the site. The journeys print what they read, one JSON
object, for the bench test to hold against the site; a call answered otherwise than the
journey expects stops it (exit 1, the call and its answer on stderr).

Run: ``python python_journeys.py <guest|host> '<config JSON>'`` with the generated package
on ``sys.path``; the config names the site (``base``, ``site``), the host's page and types,
the week to book in, the guest and the host's API token.

Every field is read as an attribute of the generated attrs models: each operation's success
is its own model (``SchedulerIntegrationApiPublicBookResponse201``, …) whose ``message.data``
is the schema the document names (``Booking``, ``OfferedSlots``, ``HostBooking``, …); a
``format: date-time`` field is a ``datetime``, an enum an ``Enum`` (its ``value`` printed).
A field renamed or dropped in the document is an ``AttributeError`` here (and an error of
any type checker). The only narrowing is success against failure, by the answer's status.
The guest's calls pass a ``Client``: openapi-python-client 0.29 types every operation with a
``security`` list as taking an ``AuthenticatedClient``, the anonymous alternative ``{}`` the
document gives each guest method included (openapi-python-client issue 1372).
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime, timedelta, timezone
from typing import Any, TypeVar

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
	Failure,
	FailureAnswer,
	SchedulerIntegrationApiBookingConfirmBookingBody,
	SchedulerIntegrationApiBookingConfirmBookingResponse200,
	SchedulerIntegrationApiBookingListMyBookingsResponse200,
	SchedulerIntegrationApiPublicBookBody,
	SchedulerIntegrationApiPublicBookResponse201,
	SchedulerIntegrationApiPublicCancelBody,
	SchedulerIntegrationApiPublicCancelResponse200,
	SchedulerIntegrationApiPublicGetBookingResponse200,
	SchedulerIntegrationApiPublicGetPageResponse200,
	SchedulerIntegrationApiPublicGetSlotsResponse200,
	SchedulerIntegrationApiPublicRescheduleBody,
	SchedulerIntegrationApiPublicRescheduleResponse200,
)
from scheduler_client.types import Response, Unset

Success = TypeVar("Success")


def instant(moment: datetime) -> str:
	"""An instant (a ``format: date-time`` field: an aware ``datetime``) as ``YYYY-MM-DDTHH:MM:SSZ``."""
	if moment.tzinfo is None:
		sys.exit(f"an instant without its offset: {moment.isoformat()}")
	return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def success(response: Response[Any], kind: type[Success], status: int = 200) -> Success:
	"""The operation's success answer, parsed into its generated model ``kind``, or stop."""
	parsed = response.parsed
	if response.status_code != status or not isinstance(parsed, kind):
		sys.exit(f"expected {status}, got {response.status_code}: {response.content[:500]!r}")
	return parsed


def failure_of(response: Response[Any], status: int) -> Failure:
	"""The failure of a refused call (its ``code`` and the rest), or stop."""
	parsed = response.parsed
	if response.status_code != status or not isinstance(parsed, FailureAnswer):
		sys.exit(f"expected {status}, got {response.status_code}: {response.content[:500]!r}")
	return parsed.message


def guest(config: dict[str, str]) -> dict[str, object]:
	client = Client(base_url=config["base"], headers={"X-Frappe-Site-Name": config["site"]})
	profile, meeting_type = config["profile"], config["meeting_type"]
	seen: dict[str, object] = {}

	page = success(
		get_page.sync_detailed(client=client, profile=profile),
		SchedulerIntegrationApiPublicGetPageResponse200,
	).message.data
	seen["page_types"] = [item.slug for item in page.meeting_types]

	week = date.fromisoformat(config["week"])
	slots = success(
		get_slots.sync_detailed(
			client=client,
			profile=profile,
			meeting_type=meeting_type,
			start=week,
			end=week + timedelta(days=7),
			timezone="UTC",
		),
		SchedulerIntegrationApiPublicGetSlotsResponse200,
	).message.data
	starts = [instant(slot.start) for day in slots.days for slot in day.slots]
	seen["slots"] = len(starts)
	first, later = starts[0], starts[3]

	made = success(
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
		SchedulerIntegrationApiPublicBookResponse201,
		201,
	).message.data
	token = made.manage_token
	if isinstance(token, Unset):
		sys.exit(f"no manage_token in the booking's answer: {made.to_dict()}")
	seen["booked"] = {
		"asked": first,
		"id": made.id,
		"start": instant(made.start),
		"status": made.status.value,
	}

	found = success(
		get_booking.sync_detailed(client=client, token=token),
		SchedulerIntegrationApiPublicGetBookingResponse200,
	).message.data
	seen["read"] = {"start": instant(found.start), "status": found.status.value}

	moved = success(
		reschedule.sync_detailed(
			client=client,
			body=SchedulerIntegrationApiPublicRescheduleBody(
				token=token, start=datetime.fromisoformat(later), timezone="UTC"
			),
		),
		SchedulerIntegrationApiPublicRescheduleResponse200,
	).message.data
	seen["moved"] = {"asked": later, "start": instant(moved.start)}

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

	gone = success(
		cancel.sync_detailed(
			client=client, body=SchedulerIntegrationApiPublicCancelBody(token=token, reason="Plans changed")
		),
		SchedulerIntegrationApiPublicCancelResponse200,
	).message.data
	seen["cancelled"] = {"status": gone.status.value}
	return seen


def host(config: dict[str, str]) -> dict[str, object]:
	signed_in = AuthenticatedClient(
		base_url=config["base"],
		headers={"X-Frappe-Site-Name": config["site"]},
		token=config["api_token"],
		prefix="token",
	)
	anonymous = Client(base_url=config["base"], headers={"X-Frappe-Site-Name": config["site"]})
	booking = config["booking"]
	seen: dict[str, object] = {}

	rows = success(
		list_my_bookings.sync_detailed(client=signed_in, limit=500),
		SchedulerIntegrationApiBookingListMyBookingsResponse200,
	).message.data
	seen["listed"] = {row.id: row.status.value for row in rows}

	confirmed = success(
		confirm_booking.sync_detailed(
			client=signed_in, body=SchedulerIntegrationApiBookingConfirmBookingBody(booking=booking)
		),
		SchedulerIntegrationApiBookingConfirmBookingResponse200,
	).message.data
	seen["confirmed"] = {"id": confirmed.id, "status": confirmed.status.value}

	rows = success(
		list_my_bookings.sync_detailed(client=signed_in, status="Confirmed", limit=500),
		SchedulerIntegrationApiBookingListMyBookingsResponse200,
	).message.data
	seen["listed_confirmed"] = [row.id for row in rows]

	refused = failure_of(list_my_bookings.sync_detailed(client=anonymous), 401)
	seen["guest"] = {"code": refused.code.value}
	return seen


if __name__ == "__main__":
	journey, config = sys.argv[1], json.loads(sys.argv[2])
	print(json.dumps({"guest": guest, "host": host}[journey](config)))
