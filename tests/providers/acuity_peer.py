"""A local Acuity Scheduling peer: the appointment API (``GET /api/v1/appointments/<id>`` with
HTTP Basic ``<user id>:<API key>``) with Acuity's shapes and error bodies
(``{"status_code": 401, "message": "Unauthorized", "error": "unauthorized"}``, 404
``not_found``), and the webhooks Acuity sends: ``application/x-www-form-urlencoded``
``action``, ``id``, ``calendarID``, ``appointmentTypeID``, signed in ``X-Acuity-Signature``
(base64 HMAC-SHA256 of the body with the API key). Listens on 127.0.0.1 only."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
from datetime import datetime, timedelta
from urllib.parse import urlencode

from calendar_peers import PeerServer, Recorded, Reply


def acuity_error(status: int, error: str, message: str) -> Reply:
	return Reply(status, {"status_code": status, "message": message, "error": error})


class FakeAcuity(PeerServer):
	"""State: ``appointments`` by id. Test controls: ``fail(reply, times)``."""

	def __init__(self, user_id: str = "18047438", api_key: str = "acuity-api-key-1"):
		self.user_id, self.api_key = user_id, api_key
		self.appointments: dict[int, dict] = {}
		self.ids = itertools.count(1_000_001)
		self.failures: list[Reply] = []
		super().__init__(self._app)

	@property
	def api(self) -> str:
		return self.url + "/api/v1"

	def fail(self, reply: Reply, times: int = 1) -> None:
		self.failures.extend([reply] * times)

	# the account's side: what a client or the admin does on Acuity
	def book(
		self,
		start: datetime,
		minutes: int = 30,
		*,
		type_id: int = 555,
		first: str = "Ada",
		last: str = "Client",
		email: str = "ada@client.example",
		forms: list | None = None,
	) -> dict:
		appointment_id = next(self.ids)
		self.appointments[appointment_id] = {
			"id": appointment_id,
			"firstName": first,
			"lastName": last,
			"phone": "",
			"email": email,
			"date": start.strftime("%B %-d, %Y"),
			"time": start.strftime("%-I:%M%p").lower(),
			"endTime": (start + timedelta(minutes=minutes)).strftime("%-I:%M%p").lower(),
			"dateCreated": start.strftime("%B %-d, %Y"),
			"datetime": start.strftime("%Y-%m-%dT%H:%M:%S%z"),
			"price": "0.00",
			"paid": "no",
			"amountPaid": "0.00",
			"type": "Strategy Session",
			"appointmentTypeID": type_id,
			"classID": None,
			"duration": str(minutes),
			"calendar": "Consultant",
			"calendarID": 27238,
			"canClientCancel": True,
			"canClientReschedule": True,
			"location": "",
			"certificate": None,
			"confirmationPage": f"https://acuityscheduling.com/schedule.php?owner={self.user_id}&action=appt",
			"formsText": "",
			"notes": "",
			"timezone": "Europe/Berlin",
			"canceled": False,
			"noShow": False,
			"forms": forms or [],
			"labels": None,
		}
		return self.appointments[appointment_id]

	def reschedule(self, appointment_id: int, start: datetime) -> None:
		row = self.appointments[appointment_id]
		row["datetime"] = start.strftime("%Y-%m-%dT%H:%M:%S%z")

	def cancel(self, appointment_id: int, no_show: bool = False) -> None:
		self.appointments[appointment_id].update({"canceled": True, "noShow": no_show})

	def webhook(self, action: str, appointment_id: int, key: str | None = None) -> tuple[bytes, str]:
		"""The body and ``X-Acuity-Signature`` of Acuity's webhook for ``action``."""
		row = self.appointments.get(appointment_id) or {"calendarID": 27238, "appointmentTypeID": 555}
		body = urlencode(
			{
				"action": action,
				"id": appointment_id,
				"calendarID": row["calendarID"],
				"appointmentTypeID": row["appointmentTypeID"],
			}
		).encode()
		digest = hmac.new((key or self.api_key).encode(), body, hashlib.sha256).digest()
		return body, base64.b64encode(digest).decode()

	# the API
	def _authorised(self, request: Recorded) -> bool:
		header = request.headers.get("Authorization") or ""
		if not header.startswith("Basic "):
			return False
		try:
			user, _colon, key = base64.b64decode(header[6:]).decode().partition(":")
		except ValueError:
			return False
		return hmac.compare_digest(user, self.user_id) and hmac.compare_digest(key, self.api_key)

	def _app(self, request: Recorded, handler) -> Reply:
		if self.failures:
			return self.failures.pop(0)
		if not self._authorised(request):
			return acuity_error(401, "unauthorized", "Unauthorized")
		prefix = "/api/v1/appointments/"
		if request.method == "GET" and request.path.startswith(prefix):
			ident = request.path[len(prefix) :]
			row = self.appointments.get(int(ident)) if ident.isdigit() else None
			if row is None:
				return acuity_error(404, "not_found", f"The appointment {ident!r} was not found.")
			return Reply(200, row)
		return acuity_error(404, "not_found", "Not found.")
