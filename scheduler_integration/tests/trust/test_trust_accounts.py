"""Issue 37's account and input items over real HTTP: what one account or one guest may
reach, and no more.

* 4: a OnceHub or Acuity delivery signed with one consultant's own secret (posted to their
  own address) changes nothing of another consultant's meetings and engagements, and
  records nothing for them; each consultant's own deliveries still work. (The Acuity peer
  serves two accounts; the one answering for an appointment id the other's meeting holds
  stands for any answer the site cannot check: the site keeps the accounts apart.)
* 5: a question mapped to a CRM record's status, stage, flag, link or email field is
  refused when a host saves the meeting type or routing form (the row named, nothing
  saved); one mapped before that rule (written past the controller, as an old site holds
  it) still writes only plain data fields on the guest's CRM Lead. Needs Frappe CRM (and
  ERPNext for its fields); a site without a CRM app judges the field's name alone.
* 12: a signed SMS from a number of another country whose digits end the same cancels
  nothing; the guest's own number does (the site's country, else the country of the
  number texted, reads a number stored without one).
* 21: a booking copy read before the CRM effect set its Contact cancels as the guest and
  keeps the stored Contact; SMS CANCEL + YES right after booking, with the workers running,
  cancels every time.
* 13: a colleague named to cover a leave covers only once they accept (and again after the
  dates grow); the host cannot accept for them, a third host cannot answer, a declined
  leave is not covered, a Scheduler Manager's choice counts at once.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime, timedelta, timezone
from html import unescape
from pathlib import Path

import frappe
import requests

from scheduler_integration.engine.booking_states import Actor
from scheduler_integration.rules.external_schedulers import oncehub_signature
from scheduler_integration.rules.sms_replies import twilio_signature
from scheduler_integration.tests.factory import (
	NO_RATE_LIMITS,
	book,
	clear_bookings,
	future_day,
	iso,
	make_host,
	make_type,
	run_background_jobs,
	set_settings,
)
from scheduler_integration.tests.live import (
	LiveServer,
	body,
	cleanup,
	commit_elsewhere,
	guest_book,
	make_user,
	method_url,
	offered_starts,
)
from scheduler_integration.tests.scope import every_site
from scheduler_integration.tests.utils import SchedulerTestCase

REPO_TESTS = Path(frappe.get_app_path("scheduler_integration")).parent / "tests"
if str(REPO_TESTS / "providers") not in sys.path:
	sys.path.insert(0, str(REPO_TESTS / "providers"))

from acuity_peer import FakeAcuity, acuity_error  # noqa: E402
from calendar_peers import Reply  # noqa: E402

UTC = timezone.utc
TRACKING = "scheduler_integration.api.tracking"
MEETING = "Scheduler External Meeting"
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


def zulu(moment: datetime) -> str:
	return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def errors_text(response) -> str:
	"""Every message of a refused REST save, as one text (Frappe's exception and messages)."""
	data = response.json()
	parts = [str(data.get("exception") or "")]
	for raw in json.loads(data.get("_server_messages") or "[]"):
		message = json.loads(raw)
		parts.append(str(message.get("message") if isinstance(message, dict) else message))
	return unescape(" ".join(parts))


# --- 4. external schedulers: one account's secret reaches only its own meetings --------------
EXT_A, EXT_B = "sched-trust-ext-a@example.com", "sched-trust-ext-b@example.com"
ACUITY = {EXT_A: ("31000001", "acuity-key-trust-a"), EXT_B: ("31000002", "acuity-key-trust-b")}
ONCEHUB = {EXT_A: ("USR-TRUSTA", "oncehub-secret-trust-a"), EXT_B: ("USR-TRUSTB", "oncehub-secret-trust-b")}


class AcuityAccounts(FakeAcuity):
	"""Acuity's appointment API for several accounts: each user ID with its own API key and
	its own appointments (ids from one counter, as Acuity's are). ``use(user)`` points the
	account-side controls (``book``, ``cancel``, ``webhook``) at one account."""

	def __init__(self, keys: dict[str, str]):
		self.keys = dict(keys)
		self.books: dict[str, dict[int, dict]] = {user: {} for user in keys}
		first = next(iter(keys))
		super().__init__(first, keys[first])
		self.use(first)

	def use(self, user: str) -> AcuityAccounts:
		self.user_id, self.api_key, self.appointments = user, self.keys[user], self.books[user]
		return self

	def _account(self, request) -> str | None:
		import base64
		import hmac

		header = request.headers.get("Authorization") or ""
		if not header.startswith("Basic "):
			return None
		user, _colon, key = base64.b64decode(header[6:]).decode().partition(":")
		known = self.keys.get(user)
		return user if known and hmac.compare_digest(key, known) else None

	def _app(self, request, handler) -> Reply:
		user = self._account(request)
		if user is None:
			return acuity_error(401, "unauthorized", "Unauthorized")
		prefix = "/api/v1/appointments/"
		ident = request.path[len(prefix) :] if request.path.startswith(prefix) else ""
		row = self.books[user].get(int(ident)) if request.method == "GET" and ident.isdigit() else None
		if row is None:
			return acuity_error(404, "not_found", f"The appointment {ident!r} was not found.")
		return Reply(200, row)


class TestExternalAccounts(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cleanup([EXT_A, EXT_B], delete_users=True)  # what a run that stopped half-way left
		cls._saved = set_settings(public_rate_limit=100000, anonymize_ip=0)
		cls._config = frappe.conf.get(CONFIG)
		cls.acuity = AcuityAccounts({user_id: key for user_id, key in ACUITY.values()}).__enter__()
		set_config(CONFIG, {**(cls._config or {}), "acuity": cls.acuity.api})
		for user in (EXT_A, EXT_B):
			doc = frappe.get_doc("Scheduler Profile", make_host(user, user.split("@")[0]))
			doc.update(
				{
					"scheduler_provider": "acuity",
					"scheduler_url": f"https://app.acuityscheduling.com/schedule.php?owner={ACUITY[user][0]}",
					"acuity_user_id": ACUITY[user][0],
					"acuity_api_key": ACUITY[user][1],
					"oncehub_user_id": ONCEHUB[user][0],
					"oncehub_webhook_secret": ONCEHUB[user][1],
				}
			)
			doc.save(ignore_permissions=True)
		frappe.db.commit()
		cls.server = LiveServer.get_instance()
		cls.guest = cls.server.session(None)

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		cls.acuity.__exit__(None, None, None)
		set_config(CONFIG, cls._config)
		set_settings(**cls._saved)
		cleanup([EXT_A, EXT_B], delete_users=True)
		super().tearDownClass()

	def setUp(self):
		frappe.db.rollback()
		for doctype in (MEETING, "Scheduler Engagement"):
			frappe.db.delete(doctype, {"host": ("in", [EXT_A, EXT_B])})
		frappe.db.commit()

	def post(self, method: str, data: bytes, headers: dict, account: str):
		url = f"{method_url(self.server, f'{TRACKING}.{method}')}?account={account}"
		return self.guest.post(url, data=data, headers=headers, timeout=60)

	def acuity_hook(self, user: str, action: str, appointment_id: int):
		"""``action`` about ``appointment_id``, signed with ``user``'s API key, posted to their address."""
		account, key = ACUITY[user]
		data, signature = self.acuity.use(account).webhook(action, appointment_id, key)
		headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Acuity-Signature": signature}
		return self.post("acuity_webhook", data, headers, account)

	def oncehub_hook(self, user: str, kind: str, booking_id: str, **data):
		"""OnceHub's event ``kind`` about ``booking_id``, signed with ``user``'s secret, posted
		to their address; the booking's owner is ``user``'s OnceHub user unless ``data`` says."""
		account, secret = ONCEHUB[user]
		payload = {
			"id": f"EVNT-{booking_id}-{kind}-{time.monotonic_ns()}",
			"object": "event",
			"creation_time": zulu(datetime.now(UTC)),
			"type": kind,
			"api_version": "v2",
			"data": {
				"object": "booking",
				"id": booking_id,
				"tracking_id": booking_id[-8:],
				"subject": "Strategy call",
				"status": kind.split(".")[-1],
				"starting_time": zulu(hour(30)),
				"duration_minutes": 45,
				"owner": account,
				"form_submission": {"name": "Carrie Customer", "email": "carrie@customer.example"},
				**data,
			},
		}
		raw = json.dumps(payload, separators=(",", ":")).encode()
		headers = {
			"Content-Type": "application/json",
			"Oncehub-Signature": oncehub_signature(raw, secret, int(time.time())),
		}
		return self.post("oncehub_webhook", raw, headers, account)

	def state(self, host: str) -> tuple[list, list]:
		"""(meetings, engagements) of ``host``, oldest first."""
		frappe.db.rollback()
		meetings = frappe.get_all(
			MEETING,
			filters={"host": host},
			fields=["name", "provider", "status", "start", "end", "current_ref", "external_key"],
			order_by="creation asc",
		)
		engagements = frappe.get_all(
			"Scheduler Engagement",
			filters={"host": host},
			fields=["name", "event_type", "external_event_id", "scheduled_for"],
			order_by="creation asc",
		)
		return meetings, engagements

	def answered(self, response) -> dict:
		self.assertEqual(response.status_code, 200, response.text[:300])
		return body(response)["data"]

	def assert_ignored(self, response, before_a, before_b=None):
		"""Answered 200, ignored; A's meetings and engagements as they were, none made for B."""
		self.assertTrue(self.answered(response).get("ignored"), response.text[:300])
		self.assertEqual(self.state(EXT_A), before_a)
		self.assertEqual(self.state(EXT_B), before_b or ([], []))

	def test_another_consultants_oncehub_secret_changes_nothing_of_theirs(self):
		self.assertEqual(
			self.answered(self.oncehub_hook(EXT_A, "booking.scheduled", "BKNG-TRUSTA01"))["host"], EXT_A
		)
		before = self.state(EXT_A)
		self.assertEqual(
			[(m.status, m.current_ref) for m in before[0]], [("Scheduled", "oncehub:BKNG-TRUSTA01")]
		)
		# B's own secret, B's own address, A's booking id: cancelled, no-show, moved away
		for kind, extra in (
			("booking.canceled", {}),
			("booking.canceled", {"owner": None}),
			("booking.no_show", {}),
			("booking.completed", {}),
			("booking.rescheduled", {"rescheduled_booking_id": "BKNG-TRUSTA01"}),
		):
			booking_id = "BKNG-TRUSTB09" if kind == "booking.rescheduled" else "BKNG-TRUSTA01"
			with self.subTest(kind=kind, **extra):
				self.assert_ignored(self.oncehub_hook(EXT_B, kind, booking_id, **extra), before)
		# B's secret, a new booking naming A as its owner: nothing recorded for A (nor B)
		named = self.oncehub_hook(EXT_B, "booking.scheduled", "BKNG-TRUSTA02", owner=ONCEHUB[EXT_A][0])
		self.assert_ignored(named, before)
		expanded = self.oncehub_hook(
			EXT_B, "booking.scheduled", "BKNG-TRUSTA03", owner={"id": ONCEHUB[EXT_A][0], "object": "user"}
		)
		self.assert_ignored(expanded, before)

		# each consultant's own deliveries still work
		self.assertEqual(
			self.answered(self.oncehub_hook(EXT_B, "booking.scheduled", "BKNG-TRUSTB01"))["host"], EXT_B
		)
		cancelled = self.answered(self.oncehub_hook(EXT_A, "booking.canceled", "BKNG-TRUSTA01"))
		self.assertEqual((cancelled["host"], cancelled["status"]), (EXT_A, "Cancelled"))
		meetings, engagements = self.state(EXT_A)
		self.assertEqual(
			[(m.status, m.current_ref) for m in meetings], [("Cancelled", "oncehub:BKNG-TRUSTA01")]
		)
		self.assertEqual(
			[(e.external_event_id, e.event_type) for e in engagements],
			[("oncehub:BKNG-TRUSTA01", "meeting_booked"), ("oncehub:BKNG-TRUSTA01", "meeting_cancelled")],
		)
		self.assertEqual([m.current_ref for m in self.state(EXT_B)[0]], ["oncehub:BKNG-TRUSTB01"])

	def test_another_consultants_acuity_key_changes_nothing_of_theirs(self):
		a_user, b_user = ACUITY[EXT_A][0], ACUITY[EXT_B][0]
		booked = self.acuity.use(a_user).book(hour(48), 30, first="Ada", last="Lovelace")
		recorded = self.answered(self.acuity_hook(EXT_A, "scheduled", booked["id"]))
		self.assertEqual((recorded["host"], recorded["status"]), (EXT_A, "Scheduled"))
		before = self.state(EXT_A)
		ref = f"acuity:{booked['id']}"
		self.assertEqual([m.current_ref for m in before[0]], [ref])

		# B's account does not know A's appointment (what Acuity answers): ignored
		self.assert_ignored(self.acuity_hook(EXT_B, "canceled", booked["id"]), before)
		# B's account answers for that id, cancelled or a no-show: still nothing of A's changes
		b_copy = self.acuity.books[b_user]
		for state in ({"canceled": True}, {"canceled": True, "noShow": True}, {}):
			b_copy[booked["id"]] = {**booked, **state}
			for action in ("canceled", "rescheduled", "scheduled", "changed"):
				with self.subTest(state=state, action=action):
					self.assert_ignored(self.acuity_hook(EXT_B, action, booked["id"]), before)
		del b_copy[booked["id"]]

		# each consultant's own deliveries still work
		own = self.acuity.use(b_user).book(hour(50), 30)
		self.assertEqual(self.answered(self.acuity_hook(EXT_B, "scheduled", own["id"]))["host"], EXT_B)
		self.acuity.use(a_user).cancel(booked["id"], no_show=True)
		marked = self.answered(self.acuity_hook(EXT_A, "canceled", booked["id"]))
		self.assertEqual((marked["host"], marked["status"]), (EXT_A, "No Show"))
		meetings, engagements = self.state(EXT_A)
		self.assertEqual([(m.status, m.current_ref) for m in meetings], [("No Show", ref)])
		self.assertEqual(
			[(e.external_event_id, e.event_type) for e in engagements],
			[(ref, "meeting_booked"), (ref, "no_show")],
		)
		self.assertEqual([m.current_ref for m in self.state(EXT_B)[0]], [f"acuity:{own['id']}"])


# --- 5. CRM fields a guest's answer may fill ----------------------------------------------------
CRM_HOST = "sched-trust-crm@example.com"
CRM_GUEST = "trust-crm-guest@example.org"
TYPES = "/api/resource/Scheduler Meeting Type"
FORMS = "/api/resource/Scheduler Routing Form"
# what the issue found writable, by the record that has it
FORBIDDEN = {
	"communication_status": ("CRM Lead", "CRM Deal"),
	"converted": ("CRM Lead",),
	"qualification_status": ("Lead",),
	"qualified_by": ("Lead",),
	"disabled": ("Lead", "Customer"),
	"unsubscribed": ("Lead",),
	"contact_email": ("Opportunity",),
	"sales_stage": ("Opportunity",),
	"is_frozen": ("Customer",),
}
# plain data on this site's records: (field, the record that has it)
PLAIN = (("job_title", "CRM Lead"), ("no_of_employees", "CRM Lead"), ("company_name", "Lead"))
SIZES = "1-10\n11-50\n51-200\n201-500\n501-1000\n1000+"


def has_doctype(doctype: str) -> bool:
	return bool(frappe.db.exists("DocType", doctype))


@every_site
class TestCrmFieldMappings(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cleanup([CRM_HOST], delete_users=True)
		cls._drop_forms()
		cls._saved = set_settings(**NO_RATE_LIMITS, create_lead=1, crm_target="Auto")
		cls.profile = make_host(CRM_HOST, "trust-crm")
		frappe.db.commit()
		cls.server = LiveServer.get_instance()
		cls.host = cls.server.session(CRM_HOST)

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		set_settings(**cls._saved)
		cls._drop_forms()
		cleanup([CRM_HOST], delete_users=True)
		super().tearDownClass()

	@classmethod
	def _drop_forms(cls):
		frappe.db.rollback()
		for name in frappe.get_all("Scheduler Routing Form", {"slug": ("like", "trust-crm-%")}, pluck="name"):
			frappe.db.delete("Scheduler Routing Submission", {"form": name})
			frappe.delete_doc("Scheduler Routing Form", name, ignore_permissions=True, force=True)
			frappe.db.delete("Version", {"ref_doctype": "Scheduler Routing Form", "docname": name})
		frappe.db.commit()

	def need_crm(self):
		if not has_doctype("CRM Lead"):
			self.skipTest("Frappe CRM is not installed on this site")

	def type_values(self, slug: str, questions: list) -> dict:
		return {
			"profile": self.profile,
			"title": slug.title(),
			"slug": slug,
			"duration": "30",
			"questions": questions,
		}

	def form_values(self, slug: str, questions: list) -> dict:
		return {
			"title": slug.title(),
			"slug": slug,
			"questions": questions,
			"fallback_outcome": "Message",
			"fallback_message": "Thanks.",
		}

	def assert_refused(self, response, field: str, row: int = 1):
		self.assertEqual(response.status_code, 400, response.text[:500])
		text = errors_text(response)
		self.assertIn(f"Row {row}: {field} ", text)

	def saved(self, doctype: str, slug: str) -> bool:
		frappe.db.rollback()
		return bool(frappe.db.exists(doctype, {"slug": slug}))

	def test_a_host_cannot_map_a_question_to_a_status_flag_link_or_email_field(self):
		self.need_crm()
		present = {f: on for f, on in FORBIDDEN.items() if any(has_doctype(d) for d in on)}
		self.assertIn("communication_status", present)
		for field in present:
			with self.subTest(field=field):
				slug = f"trust-crm-{field.replace('_', '-')}"
				question = {"label": "Your answer", "fieldtype": "Data", "crm_field": field}
				r = self.host.post(
					f"{self.server.base}{TYPES}", json=self.type_values(slug, [question]), timeout=60
				)
				self.assert_refused(r, field)
				self.assertFalse(self.saved("Scheduler Meeting Type", slug))
				routing = {**question, "question_key": "answer"}
				r = self.host.post(
					f"{self.server.base}{FORMS}", json=self.form_values(slug, [routing]), timeout=60
				)
				self.assert_refused(r, field)
				self.assertFalse(self.saved("Scheduler Routing Form", slug))

		# plain data fields save; adding a forbidden one later is refused and changes nothing
		plain = [(field, doctype) for field, doctype in PLAIN if has_doctype(doctype)]
		questions = [
			{"label": f"Q {field}", "fieldtype": "Data", "crm_field": field} for field, _doctype in plain
		]
		r = self.host.post(
			f"{self.server.base}{TYPES}", json=self.type_values("trust-crm-plain", questions), timeout=60
		)
		self.assertEqual(r.status_code, 200, r.text[:500])
		name = r.json()["data"]["name"]
		self.assertEqual([q["crm_field"] for q in r.json()["data"]["questions"]], [f for f, _d in plain])
		more = [*questions, {"label": "Stage", "fieldtype": "Data", "crm_field": "communication_status"}]
		r = self.host.put(f"{self.server.base}{TYPES}/{name}", json={"questions": more}, timeout=60)
		self.assert_refused(r, "communication_status", row=len(more))
		frappe.db.rollback()
		self.assertEqual(
			frappe.get_all("Scheduler Question", {"parent": name}, pluck="crm_field", order_by="idx asc"),
			[f for f, _d in plain],
		)
		routing = [{**q, "question_key": f"q{i}"} for i, q in enumerate(questions)]
		r = self.host.post(
			f"{self.server.base}{FORMS}", json=self.form_values("trust-crm-plain", routing), timeout=60
		)
		self.assertEqual(r.status_code, 200, r.text[:500])
		# frappe.client.save, as the desk form saves: the same rule
		doc = self.host.get(f"{self.server.base}{TYPES}/{name}", timeout=60).json()["data"]
		doc["questions"].append({"label": "Flag", "fieldtype": "Check", "crm_field": "converted"})
		r = self.host.post(
			method_url(self.server, "frappe.client.save"), json={"doc": json.dumps(doc)}, timeout=60
		)
		self.assert_refused(r, "converted", row=len(doc["questions"]))

	def test_without_a_crm_app_the_fields_name_alone_decides(self):
		if has_doctype("CRM Lead") or has_doctype("Lead"):
			self.skipTest("a CRM app is installed on this site: its fields decide")
		# nothing is written until a CRM app is installed; a status name is refused even so
		plain = {"question_key": "size", "label": "Size", "fieldtype": "Select", "options": SIZES}
		r = self.host.post(
			f"{self.server.base}{FORMS}",
			json=self.form_values("trust-crm-bare", [{**plain, "crm_field": "no_of_employees"}]),
			timeout=60,
		)
		self.assertEqual(r.status_code, 200, r.text[:500])
		for field in ("communication_status", "lead_owner", "qualified_by", "contact_email", "is_frozen"):
			with self.subTest(field=field):
				question = {"question_key": "x", "label": "X", "fieldtype": "Data", "crm_field": field}
				r = self.host.post(
					f"{self.server.base}{FORMS}",
					json=self.form_values("trust-crm-bare-x", [question]),
					timeout=60,
				)
				self.assert_refused(r, field)
				self.assertFalse(self.saved("Scheduler Routing Form", "trust-crm-bare-x"))

	def test_a_mapping_saved_before_the_rule_writes_only_plain_fields(self):
		self.need_crm()
		mt = make_type(
			self.profile,
			"trust-crm-old",
			30,
			questions=[
				{"label": "Job", "fieldtype": "Data", "crm_field": "job_title"},
				{
					"label": "Company size",
					"fieldtype": "Select",
					"options": SIZES,
					"crm_field": "no_of_employees",
				},
			],
		)
		# as a site saved before the rule holds it: rows written past the controller
		for idx, (label, fieldtype, options, field) in enumerate(
			(
				("Where we stand", "Select", "Open\nReplied", "communication_status"),
				("Converted", "Check", None, "converted"),
			),
			start=3,
		):
			frappe.get_doc(
				{
					"doctype": "Scheduler Question",
					"parent": mt,
					"parenttype": "Scheduler Meeting Type",
					"parentfield": "questions",
					"idx": idx,
					"label": label,
					"fieldtype": fieldtype,
					"options": options,
					"crm_field": field,
				}
			).db_insert()
		frappe.db.commit()
		frappe.clear_document_cache("Scheduler Meeting Type", mt)
		frappe.cache.delete_keys("scheduler_integration:")
		answers = {"Job": "CTO", "Company size": "51-200", "Where we stand": "Replied", "Converted": True}
		r = guest_book(
			self.server,
			"trust-crm",
			"trust-crm-old",
			iso(future_day(9) + timedelta(hours=10)),
			email=CRM_GUEST,
			answers=answers,
		)
		self.assertEqual(r.status_code, 201, r.text[:500])
		run_background_jobs()
		frappe.db.rollback()
		booking = frappe.db.get_value(
			"Scheduler Booking", body(r)["data"]["id"], ["crm_doctype", "crm_name", "answers"], as_dict=True
		)
		self.assertEqual(json.loads(booking.answers)["Where we stand"], "Replied")  # kept with the booking
		self.assertEqual(booking.crm_doctype, "CRM Lead")
		lead = frappe.db.get_value(
			"CRM Lead",
			booking.crm_name,
			["job_title", "no_of_employees", "communication_status", "converted"],
			as_dict=True,
		)
		self.assertEqual((lead.job_title, lead.no_of_employees), ("CTO", "51-200"))
		self.assertEqual((lead.communication_status, lead.converted), ("Open", 0))


# --- 12 and 21. SMS replies: whose number, and a copy read before the CRM effect ------------------
SMS_HOST = "sched-trust-sms@example.com"
TOKEN = "twilio-auth-token-trust-0123"
OUR_NUMBER = "+15005550006"
STORED = "(912) 555-0147"  # as a US guest types it: no country
INDIAN = "+919125550147"  # +91 91255 50147: its digits end with the stored ones
AMERICAN = "+19125550147"
ROUNDS = [f"+1912555{n:04d}" for n in range(201, 206)]
DIGITS = ["919125550147", "19125550147", *(p[1:] for p in ROUNDS)]
SMS = "scheduler_integration.api.sms.twilio_reply"
COUNTRY_ROW = "select value from `tabSingles` where doctype='System Settings' and field='country'"


class TestSmsAccounts(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cleanup([SMS_HOST], delete_users=True)
		cls._saved = set_settings(twilio_auth_token=TOKEN, sms_confirm_minutes=15, **NO_RATE_LIMITS)
		cls._country = frappe.db.sql(COUNTRY_ROW)  # the row as stored: none, NULL or a name
		cls.profile = make_host(SMS_HOST, "trust-sms")
		cls.mt = make_type(cls.profile, "trust-sms-call", 30)
		cls.server = LiveServer.get_instance()
		cls.url = f"http://{cls.server.site}/api/method/{SMS}"  # the URL Twilio is given
		cls.day = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=4)

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		frappe.db.delete("Singles", {"doctype": "System Settings", "field": "country"})
		for (value,) in cls._country:
			frappe.db.sql(
				"insert into `tabSingles` (doctype, field, value) values ('System Settings', 'country', %s)",
				(value,),
			)
		frappe.db.commit()
		frappe.clear_document_cache("System Settings", "System Settings")
		frappe.db.delete("Scheduler SMS Reply", {"from_number": ("in", DIGITS)})
		set_settings(**cls._saved)
		cleanup([SMS_HOST], delete_users=True)
		super().tearDownClass()

	def tearDown(self):
		frappe.db.rollback()
		clear_bookings([SMS_HOST])
		frappe.db.delete("Scheduler SMS Reply", {"from_number": ("in", DIGITS)})
		frappe.db.commit()

	@staticmethod
	def set_country(country: str | None) -> None:
		frappe.db.set_single_value("System Settings", "country", country)
		frappe.db.commit()
		frappe.clear_document_cache("System Settings", "System Settings")

	def text(self, body: str, sender: str) -> str:
		"""An inbound SMS as Twilio posts and signs it; the answer ('': none)."""
		sid = f"SM{frappe.generate_hash(length=32)}"
		form = {
			"MessageSid": sid,
			"SmsSid": sid,
			"AccountSid": "AC" + "0" * 32,
			"From": sender,
			"To": OUR_NUMBER,
			"Body": body,
			"NumMedia": "0",
			"ApiVersion": "2010-04-01",
		}
		headers = {"Host": self.server.site, "X-Twilio-Signature": twilio_signature(self.url, form, TOKEN)}
		r = requests.post(f"{self.server.base}/api/method/{SMS}", data=form, headers=headers, timeout=60)
		self.assertEqual(r.status_code, 200, r.text[:300])
		inner = r.text.split("<Response>", 1)[1].removesuffix("</Response>")
		return unescape(inner.removeprefix("<Message>").removesuffix("</Message>"))

	def status(self, name: str) -> str:
		frappe.db.rollback()
		return frappe.db.get_value("Scheduler Booking", name, "status")

	def test_a_number_of_another_country_cancels_nothing(self):
		guest = {"guest_name": "Gia", "guest_email": "gia@example.org", "guest_phone": STORED}
		# the site's country reads the stored number; without one, that of the number texted (+1)
		for hours, country in ((5, "United States"), (6, None)):
			with self.subTest(country=country):
				self.set_country(country)
				doc = book(self.mt, self.day + timedelta(hours=hours), {**guest, "booker_timezone": "UTC"})
				for message in ("CANCEL", "YES"):
					self.assertEqual(self.text(message, INDIAN), "")  # a stranger: no answer
				self.assertEqual(self.status(doc.name), "Confirmed")
				self.assertFalse(frappe.db.exists("Scheduler SMS Reply", {"from_number": INDIAN[1:]}))
				# the guest's own number, as Twilio sends it
				self.assertIn("Reply YES to cancel your meeting on ", self.text("CANCEL", AMERICAN))
				self.assertIn("is cancelled.", self.text("YES", AMERICAN))
				self.assertEqual(self.status(doc.name), "Cancelled")

	def test_a_copy_read_before_the_crm_effect_set_the_contact_still_cancels(self):
		guest = {
			"guest_name": "Stale Copy",
			"guest_email": "stale-copy@example.org",
			"booker_timezone": "UTC",
		}
		doc = book(self.mt, self.day + timedelta(hours=7), guest)
		run_background_jobs()
		frappe.db.rollback()
		contact = frappe.db.get_value("Scheduler Booking", doc.name, "contact")
		self.assertTrue(contact)  # the CRM effect's
		# the moment before the effect: no Contact yet; this transaction reads the booking
		frappe.db.set_value("Scheduler Booking", doc.name, "contact", None, update_modified=False)
		frappe.db.commit()
		copy = frappe.get_doc("Scheduler Booking", doc.name)
		self.assertFalse(copy.contact)
		# the effect commits the Contact from another connection meanwhile
		commit_elsewhere(("update `tabScheduler Booking` set contact=%s where name=%s", (contact, doc.name)))
		# REPEATABLE READ: this transaction's snapshot still has none
		self.assertIsNone(frappe.db.get_value("Scheduler Booking", doc.name, "contact"))
		copy.flags.ignore_permissions = True
		copy.cancel("Cancelled by SMS reply", actor=Actor.GUEST)  # not "not yours to set: Contact"
		frappe.db.commit()
		stored = frappe.db.get_value("Scheduler Booking", doc.name, ["status", "contact"], as_dict=True)
		self.assertEqual((stored.status, stored.contact), ("Cancelled", contact))

	def test_sms_cancel_right_after_booking_cancels_every_time(self):
		self.set_country("United States")
		names = []
		for i, phone in enumerate(ROUNDS):
			r = guest_book(
				self.server,
				"trust-sms",
				"trust-sms-call",
				iso(self.day + timedelta(days=1, hours=i)),
				name=f"Quick Canceller {'ABCDE'[i]}",  # each a person of their own (item 18 aside)
				email=f"trust-sms-{i}@example.org",
				phone=phone,
			)
			self.assertEqual(r.status_code, 201, r.text[:300])
			names.append(body(r)["data"]["id"])
			# at once, while the workers run the booking's effects (the CRM one sets its Contact)
			self.assertIn("Reply YES", self.text("CANCEL", phone))
			answer = self.text("YES", phone)
			self.assertIn("is cancelled.", answer, f"round {i}")
		run_background_jobs()
		frappe.db.rollback()
		rows = frappe.get_all("Scheduler Booking", {"name": ("in", names)}, ["status", "contact"])
		self.assertEqual([row.status for row in rows], ["Cancelled"] * len(ROUNDS))
		self.assertTrue(all(row.contact for row in rows))


# --- 13. out of office: a colleague covers only once they accept ---------------------------------
AWAY, COVER, THIRD = (
	"sched-trust-away@example.com",
	"sched-trust-cover@example.com",
	"sched-trust-third@example.com",
)
MANAGER = "sched-trust-manager@example.com"
LEAVES = "/api/resource/Scheduler Out of Office"
RESPOND = "scheduler_integration.api.availability.respond_to_cover"


class TestOutOfOfficeCover(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		try:
			cls._drop_leaves()
			cleanup([AWAY, COVER, THIRD, MANAGER], delete_users=True)
			cls._saved = set_settings(**NO_RATE_LIMITS)
			cls.away = make_host(AWAY, "trust-away", start="09:00", end="17:00")
			make_host(COVER, "trust-cover", start="13:00", end="21:00")
			make_host(THIRD, "trust-third")
			make_user(MANAGER, roles=("Scheduler Host", "Scheduler Manager"))
			cls.consult = make_type(cls.away, "trust-consult", 60)
			cls.server = LiveServer.get_instance()
			cls.s = {user: cls.server.session(user) for user in (AWAY, COVER, THIRD, MANAGER)}
		except Exception:
			cls.tearDownClass()
			raise

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		set_settings(**getattr(cls, "_saved", {}))
		clear_bookings([AWAY, COVER, THIRD])
		cls._drop_leaves()
		cleanup([AWAY, COVER, THIRD, MANAGER], delete_users=True)
		super().tearDownClass()

	@classmethod
	def _drop_leaves(cls):
		frappe.db.rollback()
		names = frappe.get_all("Scheduler Out of Office", {"user": AWAY}, pluck="name")
		frappe.db.delete(
			"Version", {"ref_doctype": "Scheduler Out of Office", "docname": ("in", names or [""])}
		)
		frappe.db.delete(
			"ToDo", {"reference_type": "Scheduler Out of Office", "reference_name": ("in", names or [""])}
		)
		frappe.db.delete("Scheduler Out of Office", {"user": AWAY})
		frappe.db.commit()

	def leave(self, session_user: str, day: datetime, days: int = 1, **values) -> dict:
		r = self.s[session_user].post(
			f"{self.server.base}{LEAVES}",
			json={
				"user": AWAY,
				"reason": "Trust leave",
				"from_date": str(day.date()),
				"to_date": str((day + timedelta(days=days - 1)).date()),
				**values,
			},
			timeout=60,
		)
		self.assertEqual(r.status_code, 200, r.text[:500])
		return r.json()["data"]

	def respond(self, user: str, leave: str, accept: int):
		return self.s[user].post(
			method_url(self.server, RESPOND), json={"out_of_office": leave, "accept": accept}, timeout=60
		)

	def stored(self, leave: str) -> str:
		frappe.db.rollback()
		return frappe.db.get_value("Scheduler Out of Office", leave, "delegate_status")

	def todos(self, leave: str, status: str = "Open") -> list:
		frappe.db.rollback()
		return frappe.get_all(
			"ToDo",
			{"reference_type": "Scheduler Out of Office", "reference_name": leave, "status": status},
			pluck="allocated_to",
		)

	def starts(self, day: datetime) -> list[str]:
		found = offered_starts(
			self.server, "trust-away", "trust-consult", iso(day), iso(day + timedelta(days=1)), times=2
		)
		return sorted(found)

	def book(self, moment: datetime, email: str):
		return guest_book(self.server, "trust-away", "trust-consult", iso(moment), email=email)

	def test_a_colleague_covers_only_once_they_accept(self):
		day = future_day(20)
		leave = self.leave(AWAY, day, delegate=COVER, delegate_status="Accepted")
		name = leave["name"]
		self.assertEqual((leave["delegate"], leave["delegate_status"]), (COVER, "Invited"))
		self.assertEqual(self.todos(name), [COVER])
		# away, and nobody has agreed to cover: nothing offered, nothing booked
		self.assertEqual(self.starts(day), [])
		r = self.book(day + timedelta(hours=14), "trust-early@example.org")
		self.assertEqual(r.status_code, 409, r.text[:300])

		# the host cannot answer for the colleague: the status is the controller's
		r = self.s[AWAY].put(
			f"{self.server.base}{LEAVES}/{name}", json={"delegate_status": "Accepted"}, timeout=60
		)
		self.assertEqual((r.status_code, r.json()["data"]["delegate_status"]), (200, "Invited"), r.text[:300])
		r = self.s[AWAY].post(
			method_url(self.server, "frappe.client.set_value"),
			json={
				"doctype": "Scheduler Out of Office",
				"name": name,
				"fieldname": "delegate_status",
				"value": "Accepted",
			},
			timeout=60,
		)
		self.assertEqual(self.stored(name), "Invited", r.text[:300])
		self.assertEqual(self.respond(AWAY, name, 1).status_code, 403)
		# nor can a third host, who may not even read the leave, nor a guest
		self.assertEqual(self.respond(THIRD, name, 1).status_code, 403)
		self.assertEqual(self.s[THIRD].get(f"{self.server.base}{LEAVES}/{name}", timeout=60).status_code, 403)
		guest = requests.post(
			method_url(self.server, RESPOND),
			json={"out_of_office": name, "accept": 1},
			headers={"Host": self.server.site},
			timeout=60,
		)
		self.assertIn(guest.status_code, (401, 403), guest.text[:300])
		self.assertEqual(self.stored(name), "Invited")
		self.assertEqual(self.starts(day), [])

		# the colleague reads the leave they are asked to cover, and accepts
		r = self.s[COVER].get(f"{self.server.base}{LEAVES}/{name}", timeout=60)
		self.assertEqual((r.status_code, r.json()["data"]["user"]), (200, AWAY), r.text[:300])
		r = self.respond(COVER, name, 1)
		self.assertEqual((r.status_code, body(r)["data"]["status"]), (200, "Accepted"), r.text[:300])
		self.assertEqual((self.stored(name), self.todos(name)), ("Accepted", []))
		covered = self.starts(day)
		self.assertEqual((covered[0][11:16], covered[-1][11:16]), ("13:00", "20:00"))  # the colleague's hours
		r = self.book(day + timedelta(hours=14), "trust-covered@example.org")
		self.assertEqual(r.status_code, 201, r.text[:300])
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value("Scheduler Booking", body(r)["data"]["id"], "host"), COVER)

		# the host makes the leave longer: the colleague agreed to one day, so is asked again
		longer = str((day + timedelta(days=1)).date())
		r = self.s[AWAY].put(f"{self.server.base}{LEAVES}/{name}", json={"to_date": longer}, timeout=60)
		self.assertEqual((r.status_code, r.json()["data"]["delegate_status"]), (200, "Invited"), r.text[:300])
		self.assertEqual(self.todos(name), [COVER])
		self.assertEqual(self.starts(day + timedelta(days=1)), [])
		self.assertEqual(self.respond(COVER, name, 1).status_code, 200)
		self.assertTrue(self.starts(day + timedelta(days=1)))

	def test_a_declined_leave_is_not_covered_and_a_managers_choice_counts_at_once(self):
		declined_day, managed_day = future_day(23), future_day(25)
		leave = self.leave(AWAY, declined_day, delegate=COVER)
		self.assertEqual(leave["delegate_status"], "Invited")
		r = self.respond(COVER, leave["name"], 0)
		self.assertEqual((r.status_code, body(r)["data"]["status"]), (200, "Declined"), r.text[:300])
		self.assertEqual((self.stored(leave["name"]), self.todos(leave["name"])), ("Declined", []))
		self.assertEqual(self.starts(declined_day), [])
		r = self.book(declined_day + timedelta(hours=14), "trust-declined@example.org")
		self.assertEqual(r.status_code, 409, r.text[:300])
		# a rename keeps the answer: the colleague is not asked again, nor made to cover
		r = self.s[AWAY].put(
			f"{self.server.base}{LEAVES}/{leave['name']}", json={"reason": "Trust leave, renamed"}, timeout=60
		)
		self.assertEqual(
			(r.status_code, r.json()["data"]["delegate_status"]), (200, "Declined"), r.text[:300]
		)

		# a Scheduler Manager names the colleague: it counts at once, nobody is asked
		managed = self.leave(MANAGER, managed_day, delegate=COVER)
		self.assertEqual((managed["user"], managed["delegate_status"]), (AWAY, "Accepted"))
		self.assertEqual(self.todos(managed["name"]), [])
		covered = self.starts(managed_day)
		self.assertEqual((covered[0][11:16], covered[-1][11:16]), ("13:00", "20:00"))

	def test_a_covered_day_refuses_like_any_other_and_only_an_active_colleague_covers(self):
		day = future_day(27)
		managed = self.leave(MANAGER, day, delegate=COVER)
		self.assertEqual(managed["delegate_status"], "Accepted")
		self.assertEqual(self.book(day + timedelta(hours=14), "trust-cover-1@example.org").status_code, 201)
		# a taken time and an off-grid one on the covered day: 409 with the page's nearest
		# free times (they were a 500: the alternatives were asked of the colleague alone,
		# who is none of the type's hosts)
		for moment in (day + timedelta(hours=14), day + timedelta(hours=15, minutes=15)):
			r = self.book(moment, "trust-cover-2@example.org")
			self.assertEqual(r.status_code, 409, r.text[:300])
			alternatives = [slot["start"] for slot in body(r)["alternatives"]]
			self.assertEqual(len(alternatives), 3, r.text[:300])
			self.assertIn(iso(day + timedelta(hours=15)), alternatives)  # the colleague's, that day
		# a series' length is a whole number in range, whatever the type (a 500 before)
		for count in ("abc", "1e3", "0", "53"):
			r = requests.get(
				method_url(self.server, "scheduler_integration.api.public.get_slots"),
				params={
					"profile": "trust-away",
					"meeting_type": "trust-consult",
					"start": iso(day),
					"end": iso(day + timedelta(days=1)),
					"count": count,
				},
				headers={"Host": self.server.site},
				timeout=60,
			)
			self.assertEqual((r.status_code, list(body(r)["errors"])), (400, ["count"]), r.text[:300])
		# a decision is yes or no, nothing in between
		r = self.respond(COVER, managed["name"], "maybe")
		self.assertEqual((r.status_code, list(body(r)["errors"])), (400, ["accept"]), r.text[:300])
		self.assertEqual(self.stored(managed["name"]), "Accepted")

		# the colleague stops taking bookings: they cover nothing, at once
		profile = frappe.get_doc("Scheduler Profile", {"user": COVER})
		profile.active = 0
		profile.save(ignore_permissions=True)
		frappe.db.commit()
		try:
			self.assertEqual(self.starts(day), [])
			r = self.book(day + timedelta(hours=16), "trust-cover-3@example.org")
			self.assertEqual(r.status_code, 409, r.text[:300])
		finally:
			profile.reload()
			profile.active = 1
			profile.save(ignore_permissions=True)
			frappe.db.commit()
		self.assertIn(iso(day + timedelta(hours=16)), self.starts(day))
