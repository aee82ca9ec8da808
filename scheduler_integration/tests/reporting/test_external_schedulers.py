"""External schedulers report back, over real HTTP: signed Acuity (its appointment API a local
peer speaking Acuity's protocol), OnceHub and Calendly webhooks record booked, rescheduled,
cancelled, completed and no-show once each; bad signatures, stale ones, replays and unknown
accounts change nothing and answer 4xx; the completion job records meetings nobody
cancelled as completed, idempotently; the analytics count them."""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import frappe

from scheduler_integration.jobs.external_meetings import complete_external_meetings
from scheduler_integration.reporting import links as report_links
from scheduler_integration.rules.external_schedulers import acuity_signature, oncehub_signature
from scheduler_integration.rules.tracking import calendly_signature
from scheduler_integration.tests.factory import make_host, make_type, set_settings
from scheduler_integration.tests.live import LiveServer, body, cleanup, method_url
from scheduler_integration.tests.utils import SchedulerTestCase

REPO_TESTS = Path(frappe.get_app_path("scheduler_integration")).parent / "tests"
if str(REPO_TESTS / "providers") not in sys.path:
	sys.path.insert(0, str(REPO_TESTS / "providers"))

from acuity_peer import FakeAcuity, acuity_error  # noqa: E402

UTC = timezone.utc
ACU = "sched-ext-acuity@example.com"
ONCE = "sched-ext-oncehub@example.com"
CAL = "sched-ext-calendly@example.com"
HOSTS = [ACU, ONCE, CAL]
API = "scheduler_integration.api.tracking"
MEETING = "Scheduler External Meeting"
ACUITY_USER, ACUITY_KEY, REPORT_FIELD = "18047438", "acuity-api-key-ext-1", "77"
ONCE_USER, ONCE_SECRET = "USR-EXTTEST1", "oncehub-secret-ext-1"
CALENDLY_KEY = "calendly-key-ext-1"
ACUITY_TYPE_URL = f"https://app.acuityscheduling.com/schedule.php?owner={ACUITY_USER}&appointmentType=555"
CONFIG = "scheduler_provider_api"


def set_config(key, value) -> None:
	from frappe.installer import update_site_config

	update_site_config(key, value if value is not None else "None")
	if value is None:
		frappe.local.conf.pop(key, None)
	else:
		frappe.local.conf[key] = value


def hour(offset: float) -> datetime:
	"""Now + ``offset`` hours, to the minute, in Berlin's summer offset (as Acuity sends it)."""
	moment = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(hours=offset)
	return moment.astimezone(timezone(timedelta(hours=2)))


class TestExternalSchedulers(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cleanup(HOSTS, delete_users=True)  # what an earlier run that stopped half-way left
		cls._settings = set_settings(public_rate_limit=100000, anonymize_ip=0)
		cls._calendly_key = frappe.utils.password.get_decrypted_password(
			"Scheduler Settings", "Scheduler Settings", "calendly_signing_key", raise_exception=False
		)
		set_settings(calendly_signing_key=CALENDLY_KEY)
		cls._config = frappe.conf.get(CONFIG)
		cls.acuity = FakeAcuity(ACUITY_USER, ACUITY_KEY).__enter__()
		set_config(CONFIG, {**(cls._config or {}), "acuity": cls.acuity.api})
		providers = {
			ACU: {
				"scheduler_provider": "acuity",
				"scheduler_url": f"https://app.acuityscheduling.com/schedule.php?owner={ACUITY_USER}",
				"acuity_user_id": ACUITY_USER,
				"acuity_api_key": ACUITY_KEY,
				"acuity_report_field": REPORT_FIELD,
			},
			ONCE: {
				"scheduler_provider": "scheduleonce",
				"scheduler_url": "https://oncehub.com/ext-test",
				"oncehub_user_id": ONCE_USER,
				"oncehub_webhook_secret": ONCE_SECRET,
			},
			CAL: {"scheduler_provider": "calendly", "scheduler_url": "https://calendly.com/ext-test"},
		}
		cls.profiles = {}
		for user, fields in providers.items():
			name = make_host(user, user.split("@")[0])
			doc = frappe.get_doc("Scheduler Profile", name)
			doc.update(fields)
			doc.save(ignore_permissions=True)
			cls.profiles[user] = name
		cls.acuity_type = make_type(
			cls.profiles[ACU],
			"acuity-strategy",
			30,
			title="Acuity Strategy",
			scheduler_event_url=ACUITY_TYPE_URL,
		)
		cls.todo = frappe.get_doc({"doctype": "ToDo", "description": "Client report (external)"}).insert(
			ignore_permissions=True
		)
		frappe.db.commit()
		cls.server = LiveServer.get_instance()
		cls.guest = cls.server.session(None)

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		cls.acuity.__exit__(None, None, None)
		set_config(CONFIG, cls._config)
		set_settings(calendly_signing_key=cls._calendly_key or "", **cls._settings)
		cleanup(HOSTS, delete_users=True)
		frappe.delete_doc("ToDo", cls.todo.name, ignore_permissions=True, force=True)
		frappe.db.commit()
		super().tearDownClass()

	# --- helpers ------------------------------------------------------------------------------
	def post(self, method: str, data: bytes, headers: dict, account: str | None = None):
		url = method_url(self.server, f"{API}.{method}")
		if account is not None:
			url += f"?account={account}"
		return self.guest.post(url, data=data, headers=headers, timeout=60)

	def acuity_hook(self, action: str, appointment_id: int, *, key=None, account=ACUITY_USER, signature=True):
		data, header = self.acuity.webhook(action, appointment_id, key)
		headers = {"Content-Type": "application/x-www-form-urlencoded"}
		if signature:
			headers["X-Acuity-Signature"] = header
		return self.post("acuity_webhook", data, headers, account)

	def oncehub_hook(self, payload: dict, *, secret=ONCE_SECRET, stamp=None, account=ONCE_USER):
		data = json.dumps(payload, separators=(",", ":")).encode()
		header = oncehub_signature(data, secret, stamp or int(time.time()))
		headers = {"Content-Type": "application/json", "Oncehub-Signature": header}
		return self.post("oncehub_webhook", data, headers, account)

	def calendly_hook(self, payload: dict):
		data = json.dumps(payload).encode()
		headers = {
			"Content-Type": "application/json",
			"Calendly-Webhook-Signature": calendly_signature(data, CALENDLY_KEY, int(time.time())),
		}
		return self.post("calendly_webhook", data, headers)

	def state(self, host: str) -> tuple[list, list]:
		"""(meetings, engagements) of ``host``, oldest first."""
		frappe.db.rollback()
		meetings = frappe.get_all(
			MEETING,
			filters={"host": host},
			fields=["name", "status", "start", "end", "current_ref", "external_key", "meeting_type", "phase"],
			order_by="creation asc",
		)
		engagements = frappe.get_all(
			"Scheduler Engagement",
			filters={"host": host},
			fields=[
				"event_type",
				"external_event_id",
				"meeting_type",
				"phase",
				"reference_name",
				"client",
				"scheduled_for",
			],
			order_by="creation asc",
		)
		return meetings, engagements

	def events(self, host: str) -> list[tuple[str, str]]:
		return [(e.external_event_id, e.event_type) for e in self.state(host)[1]]

	def token(self, host: str, meeting_type=None) -> str:
		return report_links.make_token(host, meeting_type, "Build", "ToDo", self.todo.name)

	def assert_unchanged(self, host: str, before, response, status: int):
		self.assertEqual(response.status_code, status, response.text[:300])
		self.assertEqual(self.state(host), before)

	def complete(self):
		frappe.db.commit()
		complete_external_meetings()
		frappe.db.commit()

	# --- Acuity -------------------------------------------------------------------------------
	def test_acuity_webhooks(self):
		token = self.token(ACU, self.acuity_type)
		link = report_links.target_url(report_links.read_token(token), token)
		query = parse_qs(urlsplit(link).query)
		self.assertEqual(query["field:" + REPORT_FIELD], [token])  # the intake field carries it back
		self.assertEqual(query["appointmentType"], ["555"])

		forms = [{"id": 9, "name": "Report", "values": [{"fieldID": int(REPORT_FIELD), "value": token}]}]
		start = hour(48)  # once: two calls a minute apart moved the meeting 24 h and 60 s
		booked = self.acuity.book(start, 30, forms=forms, first="Ada", last="Lovelace")
		before = self.state(ACU)
		self.assertEqual(before, ([], []))
		# refused: nothing recorded, Acuity's API not even asked
		asked = len(self.acuity.requests)
		self.assert_unchanged(ACU, before, self.acuity_hook("scheduled", booked["id"], account="999"), 404)
		self.assert_unchanged(ACU, before, self.acuity_hook("scheduled", booked["id"], account=None), 404)
		self.assert_unchanged(ACU, before, self.acuity_hook("scheduled", booked["id"], key="forged"), 401)
		self.assert_unchanged(ACU, before, self.acuity_hook("scheduled", booked["id"], signature=False), 401)
		self.assertEqual(len(self.acuity.requests), asked)
		# Acuity's API down: 503 (Acuity may send again), nothing recorded
		self.acuity.fail(acuity_error(503, "unavailable", "Maintenance"))
		self.assert_unchanged(ACU, before, self.acuity_hook("scheduled", booked["id"]), 503)

		# booked, once however often it is delivered
		for _attempt in range(3):
			response = self.acuity_hook("scheduled", booked["id"])
			self.assertEqual(response.status_code, 200, response.text[:300])
		self.assertTrue(body(response)["data"]["duplicate"])
		self.acuity_hook("changed", booked["id"])  # Acuity's catch-all: nothing new
		meetings, engagements = self.state(ACU)
		self.assertEqual([m.status for m in meetings], ["Scheduled"])
		meeting = meetings[0]
		self.assertEqual((meeting.meeting_type, meeting.phase), (self.acuity_type, "Build"))
		self.assertEqual(meeting.end - meeting.start, timedelta(minutes=30))
		self.assertEqual(
			[(e.event_type, e.meeting_type, e.phase, e.reference_name, e.client) for e in engagements],
			[("meeting_booked", self.acuity_type, "Build", self.todo.name, "Ada Lovelace")],
		)

		# rescheduled: the meeting moves, the booking's engagement follows, nothing is added
		first_start = meeting.start
		self.acuity.reschedule(booked["id"], start + timedelta(hours=24))
		for _attempt in range(2):
			self.assertEqual(self.acuity_hook("rescheduled", booked["id"]).status_code, 200)
		meetings, engagements = self.state(ACU)
		self.assertEqual(meetings[0].start - first_start, timedelta(hours=24))
		self.assertEqual(engagements[0].scheduled_for, meetings[0].start)
		self.assertEqual(len(engagements), 1)

		# cancelled; a no-show (Acuity: a canceled appointment marked no-show)
		cancelled = self.acuity.book(hour(30))
		self.acuity_hook("scheduled", cancelled["id"])
		self.acuity.cancel(cancelled["id"])
		for _attempt in range(2):
			self.assertEqual(self.acuity_hook("canceled", cancelled["id"]).status_code, 200)
		missed = self.acuity.book(hour(-3), 60)
		self.acuity_hook("scheduled", missed["id"])
		self.acuity.cancel(missed["id"], no_show=True)
		self.acuity_hook("canceled", missed["id"])

		# completed: a meeting whose end has passed, by the job, once
		done = self.acuity.book(hour(-2), 30)
		self.acuity_hook("scheduled", done["id"])
		self.complete()
		self.complete()
		self.acuity_hook("scheduled", done["id"])  # a late copy changes nothing
		ref = lambda row: f"acuity:{row['id']}"  # noqa: E731
		self.assertEqual(
			self.events(ACU),
			[
				(ref(booked), "meeting_booked"),
				(ref(cancelled), "meeting_booked"),
				(ref(cancelled), "meeting_cancelled"),
				(ref(missed), "meeting_booked"),
				(ref(missed), "no_show"),
				(ref(done), "meeting_booked"),
				(ref(done), "meeting_completed"),
			],
		)
		statuses = {m.current_ref: m.status for m in self.state(ACU)[0]}
		self.assertEqual(
			statuses,
			{
				ref(booked): "Scheduled",
				ref(cancelled): "Cancelled",
				ref(missed): "No Show",
				ref(done): "Completed",
			},
		)
		# orders are not appointments: answered, ignored, the API not asked
		asked = len(self.acuity.requests)
		data = b"action=order.completed&id=42"
		signed = {"X-Acuity-Signature": acuity_signature(data, ACUITY_KEY)}
		response = self.post("acuity_webhook", data, signed, ACUITY_USER)
		self.assertEqual(response.status_code, 200, response.text[:300])
		self.assertTrue(body(response)["data"]["ignored"])
		self.assertEqual(len(self.acuity.requests), asked)

		# the analytics: the completed external meeting counts
		data = body(
			self.server.session(ACU).get(
				method_url(self.server, "scheduler_integration.api.analytics.get_analytics"), timeout=60
			)
		)["data"]
		summary = data["summary"]
		self.assertEqual((summary["total_bookings"], summary["total_completed"]), (4, 1))
		# and the recent bookings show each meeting's status now, not "scheduled" for all
		self.assertEqual(
			sorted(row["status"] for row in data["recent_bookings"]),
			["cancelled", "completed", "no_show", "scheduled"],
		)

	# --- OnceHub ------------------------------------------------------------------------------
	def booking(self, kind: str, booking_id: str, start: datetime, **data) -> dict:
		return {
			"id": f"EVNT-{booking_id}-{kind}",
			"object": "event",
			"creation_time": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
			"type": kind,
			"api_version": "v2",
			"data": {
				"object": "booking",
				"id": booking_id,
				"tracking_id": booking_id[-8:],
				"subject": "Strategy call",
				"status": kind.split(".")[-1],
				"starting_time": start.astimezone(UTC).isoformat().replace("+00:00", "Z"),
				"duration_minutes": 45,
				"owner": ONCE_USER,
				"form_submission": {"name": "Carrie Customer", "email": "carrie@customer.example"},
				"utm_params": {
					"source": "report",
					"medium": "report",
					"campaign": "phase_build",
					"content": None,
				},
				**data,
			},
		}

	def test_oncehub_webhooks(self):
		token = self.token(ONCE)
		link = report_links.target_url(report_links.read_token(token), token)
		self.assertEqual(parse_qs(urlsplit(link).query)["utm_content"], [token])
		scheduled = self.booking(
			"booking.scheduled",
			"BKNG-EXT0001",
			hour(24),
			utm_params={"content": token, "campaign": "phase_build"},
		)
		before = self.state(ONCE)
		self.assert_unchanged(ONCE, before, self.oncehub_hook(scheduled, account="USR-NOBODY"), 404)
		self.assert_unchanged(ONCE, before, self.oncehub_hook(scheduled, secret="forged"), 401)
		self.assert_unchanged(ONCE, before, self.oncehub_hook(scheduled, stamp=int(time.time()) - 600), 400)
		unsigned = self.post(
			"oncehub_webhook", json.dumps(scheduled).encode(), {"Content-Type": "application/json"}, ONCE_USER
		)
		self.assert_unchanged(ONCE, before, unsigned, 401)
		# another OnceHub user of the same account, not a consultant here
		foreign = self.booking("booking.scheduled", "BKNG-EXT0009", hour(24), owner="USR-SOMEONE")
		self.assertTrue(body(self.oncehub_hook(foreign))["data"]["ignored"])
		self.assertEqual(self.state(ONCE), before)

		for _attempt in range(3):
			response = self.oncehub_hook(scheduled)
			self.assertEqual(response.status_code, 200, response.text[:300])
		meetings, engagements = self.state(ONCE)
		self.assertEqual(len(meetings), 1)
		self.assertEqual(
			[(e.event_type, e.phase, e.reference_name, e.client) for e in engagements],
			[("meeting_booked", "Build", self.todo.name, "Carrie Customer")],
		)
		# rescheduled under a new booking id (rescheduled_booking_id names the old one)
		moved = self.booking(
			"booking.rescheduled", "BKNG-EXT0002", hour(50), rescheduled_booking_id="BKNG-EXT0001"
		)
		for _attempt in range(2):
			self.assertEqual(self.oncehub_hook(moved).status_code, 200)
		meetings, engagements = self.state(ONCE)
		self.assertEqual(len(meetings), 1)
		self.assertEqual(
			(meetings[0].current_ref, meetings[0].external_key),
			("oncehub:BKNG-EXT0002", "oncehub:BKNG-EXT0001"),
		)
		self.assertEqual(meetings[0].end - meetings[0].start, timedelta(minutes=45))
		self.assertEqual(engagements[0].scheduled_for, meetings[0].start)
		# a late copy of the first booking names an id the meeting has left: nothing changes
		self.oncehub_hook(scheduled)
		self.assertEqual(self.state(ONCE)[0][0].current_ref, "oncehub:BKNG-EXT0002")
		# completed (the provider says so) and, for others, cancelled and no-show
		completed = self.booking("booking.completed", "BKNG-EXT0002", hour(50))
		self.oncehub_hook(completed)
		self.oncehub_hook(completed)
		self.oncehub_hook(self.booking("booking.scheduled", "BKNG-EXT0003", hour(30)))
		self.oncehub_hook(self.booking("booking.canceled", "BKNG-EXT0003", hour(30)))
		self.oncehub_hook(self.booking("booking.no_show", "BKNG-EXT0004", hour(-5)))
		self.complete()  # nothing left Scheduled to complete
		self.assertEqual(
			self.events(ONCE),
			[
				("oncehub:BKNG-EXT0001", "meeting_booked"),
				("oncehub:BKNG-EXT0001", "meeting_completed"),
				("oncehub:BKNG-EXT0003", "meeting_booked"),
				("oncehub:BKNG-EXT0003", "meeting_cancelled"),
				("oncehub:BKNG-EXT0004", "no_show"),
			],
		)

	# --- Calendly -----------------------------------------------------------------------------
	def invitee(self, event: str, uri: str, start: datetime, **extra) -> dict:
		return {
			"event": event,
			"created_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
			"payload": {
				"uri": uri,
				"name": "Bob Buyer",
				"email": "bob@buyer.example",
				"scheduled_event": {
					"uri": uri.rsplit("/invitees/", 1)[0],
					"event_type": "https://api.calendly.com/event_types/EXT",
					"start_time": start.astimezone(UTC).isoformat().replace("+00:00", "Z"),
					"end_time": (start + timedelta(minutes=30))
					.astimezone(UTC)
					.isoformat()
					.replace("+00:00", "Z"),
					"event_memberships": [{"user_email": CAL}],
				},
				"tracking": {"utm_campaign": "phase_build", "utm_content": self.token(CAL)},
				**extra,
			},
		}

	def test_calendly_reschedule_completion_and_no_show(self):
		old = "https://api.calendly.com/scheduled_events/X1/invitees/EXT-OLD"
		new = "https://api.calendly.com/scheduled_events/X2/invitees/EXT-NEW"
		self.assertEqual(self.calendly_hook(self.invitee("invitee.created", old, hour(20))).status_code, 200)
		# rescheduled: Calendly cancels the old invitee (rescheduled) and creates the new one
		away = self.invitee("invitee.canceled", old, hour(20), rescheduled=True, new_invitee=new)
		arrived = self.invitee("invitee.created", new, hour(-1), old_invitee=old)
		for payload in (away, arrived, away, arrived):
			response = self.calendly_hook(payload)
			self.assertEqual(response.status_code, 200, response.text[:300])
		meetings, engagements = self.state(CAL)
		self.assertEqual(
			[(m.status, m.current_ref, m.external_key) for m in meetings], [("Scheduled", new, old)]
		)
		self.assertEqual([e.event_type for e in engagements], ["meeting_booked"])  # not cancelled
		self.assertEqual(engagements[0].reference_name, self.todo.name)
		# its end has passed: completed by the job, once; then the host marks a no-show
		self.complete()
		self.complete()
		self.assertEqual(self.events(CAL), [(old, "meeting_booked"), (old, "meeting_completed")])
		no_show = {
			"event": "invitee_no_show.created",
			"payload": {"uri": "https://api.calendly.com/invitee_no_shows/N1", "invitee": new},
		}
		for _attempt in range(2):
			self.assertEqual(self.calendly_hook(no_show).status_code, 200)
		self.assertEqual(self.events(CAL), [(old, "meeting_booked"), (old, "no_show")])
		self.assertEqual(self.state(CAL)[0][0].status, "No Show")

	# --- the profile's credentials ------------------------------------------------------------
	def test_profile_keeps_credentials_encrypted_and_accounts_unique(self):
		frappe.db.rollback()
		stored = frappe.db.get_value("Scheduler Profile", self.profiles[ACU], "acuity_api_key")
		self.assertNotEqual(stored, ACUITY_KEY)  # the column holds a mask; the key is in __Auth
		once = frappe.get_doc("Scheduler Profile", self.profiles[ONCE])
		for fields in (
			{"acuity_user_id": "12ab"},
			{"acuity_report_field": "x"},
			{"oncehub_user_id": "USR 1"},
		):
			doc = frappe.get_doc("Scheduler Profile", self.profiles[ONCE])
			doc.update(fields)
			with self.assertRaises(frappe.ValidationError, msg=str(fields)):
				doc.save(ignore_permissions=True)
		once.acuity_user_id = ACUITY_USER  # already the Acuity consultant's account
		with self.assertRaises(frappe.ValidationError):
			once.save(ignore_permissions=True)
		frappe.db.rollback()
		self.assertIn(
			"scheduler_integration.jobs.external_meetings.complete_external_meetings",
			frappe.get_hooks("scheduler_events")["cron"]["*/15 * * * *"],
		)
