"""Paid bookings over real HTTP, through the payments app's Stripe gateway and a local peer
speaking Stripe's API and webhooks (tests/providers/stripe_peer.py): a paid type holds the
time as Awaiting Payment, the signed webhook confirms it and the booking's effects run once;
bad signatures, replays, events for another booking or amount change nothing; an ended hold
is released once with the site's worker and scheduler running (or not), and a payment that
comes later is refunded in full; cancellations refund by policy (a host's in full) and the
refunds reach the peer with their amounts; 50 guests racing for one paid slot make one hold;
with ERPNext the money lands in Payment Entries against the guest's Customer; revenue counts
what was paid and refunded. Sites without the payments app skip this module (one line)."""

from __future__ import annotations

import sys
import time
import unittest
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import frappe
import requests

from scheduler_integration.core.clock import to_system, to_utc, utc_now
from scheduler_integration.tests import answer_check
from scheduler_integration.tests.factory import (
	NO_RATE_LIMITS,
	Outbox,
	clear_bookings,
	future_day,
	iso,
	make_host,
	make_type,
	run_background_jobs,
	set_settings,
)
from scheduler_integration.tests.live import LiveServer, body, cleanup, guest_book, method_url, offered_starts
from scheduler_integration.tests.scope import every_site
from scheduler_integration.tests.utils import E2E, SchedulerTestCase, no_test_records

# Beside its DocType, Frappe's runner would make the stock test records of every DocType this
# one links to (test users among them) and leave them on the site: none is made
# (tests/utils.no_test_records). Frappe 16 reads the second name.
test_ignore = IGNORE_TEST_RECORD_DEPENDENCIES = no_test_records("Scheduler Payment")

REPO_TESTS = Path(frappe.get_app_path("scheduler_integration")).parent / "tests"
if str(REPO_TESTS / "providers") not in sys.path:
	sys.path.insert(0, str(REPO_TESTS / "providers"))

HOST = "sched-paid-host@example.com"
PROFILE = "paid-host"
TYPE = "paid-consult"
GATEWAY_NAME = "Scheduler Test"
GATEWAY = f"Stripe-{GATEWAY_NAME}"
KEY = "sk_test_scheduler_paid"
SECRET = "whsec_scheduler_paid_test"
CONFIG = "scheduler_provider_api"
WEBHOOK = "scheduler_integration.api.payments.stripe_webhook"
AWAITING = "Awaiting Payment"


def installed(app: str) -> bool:
	return app in frappe.get_installed_apps()


def set_config(key, value) -> None:
	from frappe.installer import update_site_config

	update_site_config(key, value if value is not None else "None")
	if value is None:
		frappe.local.conf.pop(key, None)
	else:
		frappe.local.conf[key] = value


def make_gateway() -> None:
	"""The payments app's Stripe Settings (which registers Payment Gateway ``GATEWAY`` and,
	with ERPNext, its bank account and Payment Gateway Account). Stripe's live key check
	goes to api.stripe.com: skipped, as the payments app allows (ignore_mandatory)."""
	if frappe.db.exists("Stripe Settings", GATEWAY_NAME):
		doc = frappe.get_doc("Stripe Settings", GATEWAY_NAME)
	else:
		doc = frappe.new_doc("Stripe Settings")
		doc.gateway_name = GATEWAY_NAME
	doc.publishable_key = "pk_test_scheduler_paid"
	doc.secret_key = KEY
	doc.flags.ignore_mandatory = True
	doc.save(ignore_permissions=True)
	frappe.db.commit()


def drop_gateway() -> None:
	"""Everything make_gateway made, once the test's ledger entries are gone."""
	if installed("erpnext"):
		for row in frappe.get_all(
			"Payment Gateway Account",
			filters={"payment_gateway": GATEWAY},
			fields=["name", "payment_account"],
		):
			frappe.delete_doc("Payment Gateway Account", row.name, ignore_permissions=True, force=True)
			if row.payment_account and not frappe.db.exists("GL Entry", {"account": row.payment_account}):
				frappe.delete_doc("Account", row.payment_account, ignore_permissions=True, force=True)
	for doctype, name in (("Stripe Settings", GATEWAY_NAME), ("Payment Gateway", GATEWAY)):
		if frappe.db.exists(doctype, name):
			frappe.delete_doc(doctype, name, ignore_permissions=True, force=True)
	frappe.db.commit()


@unittest.skipUnless(installed("payments"), "paid bookings need the payments app on this site")
@every_site
class TestPaidBookings(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		try:
			cls.set_up()
		except BaseException:
			cls.tearDownClass()  # unittest skips it when setUpClass fails
			raise

	@classmethod
	def set_up(cls):
		from stripe_peer import FakeStripe

		cleanup([HOST], delete_users=True)  # what a run that stopped half-way left
		cls.peer = FakeStripe(KEY).__enter__()
		cls._config = frappe.conf.get(CONFIG)
		set_config(CONFIG, {**(cls._config or {}), "stripe": cls.peer.url})
		make_gateway()
		cls._settings = set_settings(
			**NO_RATE_LIMITS,
			bookings_per_host_per_hour=10000,
			bookings_per_type_per_day=10000,
			payment_gateway=GATEWAY,
		)
		if cls._settings.get("payment_gateway") == GATEWAY:  # left by a run that was killed
			cls._settings["payment_gateway"] = None
		cls._secret = frappe.utils.password.get_decrypted_password(
			"Scheduler Settings", "Scheduler Settings", "stripe_webhook_secret", raise_exception=False
		)
		set_settings(stripe_webhook_secret=SECRET)
		cls.outbox = Outbox()
		cls.currency = (
			frappe.db.get_value("Company", frappe.defaults.get_global_default("company"), "default_currency")
			if installed("erpnext")
			else None
		) or "EUR"
		cls.profile = make_host(HOST, PROFILE, tz="UTC", start="00:00", end="24:00")
		cls.type = make_type(
			cls.profile,
			TYPE,
			30,
			title="Paid Consultation",
			price=50,
			currency=cls.currency,
			require_payment=1,
			payment_hold_minutes=15,
			refund_policy="By Notice",
			refund_full_hours=48,
			refund_partial_hours=24,
			refund_partial_percent=50,
		)
		cls.server = LiveServer.get_instance()
		cls.guest = cls.server.session(None)
		cls.day = future_day(20)
		cls.slot = iter(range(10_000))

	@classmethod
	def tearDownClass(cls):
		"""Everything setUpClass made, as far as it got."""
		frappe.db.rollback()
		clear_bookings([HOST])
		cleanup([HOST], delete_users=True)
		if getattr(cls, "outbox", None):
			cls.outbox.close()
		if hasattr(cls, "_settings"):
			set_settings(**cls._settings)
		if hasattr(cls, "_secret"):
			set_settings(stripe_webhook_secret=cls._secret or "")
		if hasattr(cls, "_config"):
			set_config(CONFIG, cls._config)
		drop_gateway()
		if getattr(cls, "peer", None):
			cls.peer.__exit__(None, None, None)
		super().tearDownClass()

	# --- helpers ----------------------------------------------------------------------------
	def start(self, days: float | None = None):
		"""A fresh half-hour start: on the class's day, or ``days`` from now."""
		if days is not None:
			moment = utc_now().replace(second=0, microsecond=0) + timedelta(days=days)
			return moment.replace(minute=0 if moment.minute < 30 else 30)
		return self.day + timedelta(minutes=30 * next(self.slot))

	def hold(self, start, email: str = "payer@example.org", **fields) -> dict:
		response = guest_book(self.server, PROFILE, TYPE, iso(start), email=email, **fields)
		self.assertEqual(response.status_code, 201, response.text[:500])
		data = body(response)["data"]
		self.assertEqual(data["status"], AWAITING)
		return data

	def payment(self, booking: str):
		frappe.db.rollback()  # what the server committed
		name = frappe.db.get_value(
			"Scheduler Payment", {"booking": booking}, "name", order_by="creation desc"
		)
		return frappe.get_doc("Scheduler Payment", name)

	def deliver(self, event: dict, *, secret: str = SECRET, header: str | None = None, payload=None):
		from stripe_peer import FakeStripe

		data, signed = FakeStripe.signed(event, secret)
		response = FakeStripe.deliver(
			method_url(self.server, WEBHOOK),
			payload if payload is not None else data,
			signed if header is None else header,
			host=self.server.site,
		)
		answer_check.check(response)  # Stripe's side of the contract: the documented answers
		return response, data, signed

	def pay(self, booking: str) -> requests.Response:
		"""The guest pays on the hosted page and Stripe reports it."""
		session = self.peer.pay(self.payment(booking).checkout_session)
		response, _data, _signed = self.deliver(self.peer.event("checkout.session.completed", session))
		self.assertEqual(response.status_code, 200, response.text[:500])
		return response

	def paid(self, start, email: str = "payer@example.org") -> str:
		name = self.hold(start, email)["id"]
		self.pay(name)
		run_background_jobs()
		return name

	def booking(self, name: str):
		frappe.db.rollback()
		return frappe.get_doc("Scheduler Booking", name)

	def emails(self, booking: str) -> list[tuple[str, str]]:
		frappe.db.rollback()
		return sorted(
			(row.action, row.recipient)
			for row in frappe.get_all(
				"Scheduler Automation Log",
				filters={"booking": booking, "channel": "Email"},
				fields=["action", "recipient"],
			)
		)

	def assertUnchanged(self, booking: str, status: str, payment_status: str):
		doc = self.booking(booking)
		self.assertEqual((doc.status, doc.payment_status), (status, payment_status))

	# --- the page ---------------------------------------------------------------------------
	def test_the_price_is_shown_before_the_form(self):
		page = self.server.get(f"/book/{PROFILE}/{TYPE}", timeout=60)
		self.assertEqual(page.status_code, 200)
		amount = frappe.utils.fmt_money(50, currency=self.currency)
		self.assertIn(amount, page.text)
		data = self.guest.get(
			method_url(self.server, "scheduler_integration.api.public.get_page"),
			params={"profile": PROFILE, "meeting_type": TYPE},
			timeout=60,
		).json()["message"]["data"]
		price = data["meeting_type"]["price"]
		self.assertEqual(
			(price["amount"], price["currency"], price["display"]), (50.0, self.currency, amount)
		)
		self.assertTrue(price["requires_payment"])
		self.assertEqual(price["hold_minutes"], 15)

	# --- paying -----------------------------------------------------------------------------
	def test_a_payment_confirms_the_booking_and_its_effects_run_once(self):
		start = self.start()
		data = self.hold(start, "ada@paid.example")
		name, token = data["id"], data["manage_url"].rsplit("/", 1)[-1]
		self.assertTrue(data["payment"]["url"].startswith("https://checkout.stripe.com/"), data["payment"])
		self.assertEqual(data["payment"]["display"], frappe.utils.fmt_money(50, currency=self.currency))
		# the hold occupies the time and nothing is told yet
		self.assertNotIn(
			iso(start),
			offered_starts(self.server, PROFILE, TYPE, iso(start), iso(start + timedelta(hours=1))),
		)
		run_background_jobs()
		self.assertEqual(self.emails(name), [])
		# what went to Stripe: the price in minor units, the booking, the receipt page — never the manage token
		created = [
			r for r in self.peer.session_requests() if b"client_reference_id=" + name.encode() in r.body
		]
		self.assertEqual(len(created), 1)
		sent = created[0].body.decode()
		self.assertNotIn(token, sent)
		from stripe_peer import form_params

		params = form_params(created[0].body)
		self.assertEqual(params["line_items"][0]["price_data"]["unit_amount"], "5000")
		self.assertEqual(params["line_items"][0]["price_data"]["currency"], self.currency.lower())
		self.assertEqual(params["customer_email"], "ada@paid.example")
		receipt = params["success_url"]
		self.assertIn("/book/receipt?key=", receipt)
		# Stripe reports the payment: confirmed, by the system, with every effect of a new booking, once
		self.pay(name)
		doc = self.booking(name)
		self.assertEqual((doc.status, doc.payment_status, doc.amount_paid), ("Confirmed", "Paid", 50))
		run_background_jobs()
		mails = self.emails(name)
		self.assertEqual(
			mails,
			sorted(
				[
					("Scheduler: Booking Confirmed (Guest)", "ada@paid.example"),
					("Scheduler: New Booking (Host)", HOST),
				]
			),
		)
		frappe.db.rollback()
		self.assertEqual(
			frappe.db.count("Scheduler Engagement", {"booking": name, "event_type": "meeting_booked"}), 1
		)
		self.assertTrue(frappe.db.count("Scheduler Reminder", {"booking": name}))
		# the guest's confirmation carries the receipt
		from scheduler_integration.tests.booking.test_booking_flow import mail_text

		payment = self.payment(name)
		# what was queued for the guest (a worker this test forks mutes SMTP: the queue is the mail)
		queued = frappe.get_all(
			"Email Queue", filters={"reference_name": name}, fields=["name", "message"], order_by="creation"
		)
		texts = [
			mail_text(row.message)
			for row in queued
			if frappe.db.exists(
				"Email Queue Recipient", {"parent": row.name, "recipient": "ada@paid.example"}
			)
		]
		receipt_line = f"Paid: {frappe.utils.fmt_money(50, currency=self.currency)}"
		self.assertTrue(any(receipt_line in t and payment.name in t for t in texts), texts)
		# Stripe's own redelivery (a new signature) and a replay of the very same request change nothing
		session = self.peer.sessions[payment.checkout_session]
		event = self.peer.event("checkout.session.completed", session)
		first, data_, signed = self.deliver(event)
		self.assertEqual(body(first)["data"]["outcome"], "nothing")
		time.sleep(1.1)  # a redelivery is signed at another second
		again, _d, _s = self.deliver(event)
		self.assertEqual(again.status_code, 200, again.text[:300])
		self.assertTrue(body(again)["data"]["duplicate"])
		replay, _d, _s = self.deliver(event, header=signed, payload=data_)
		self.assertEqual(replay.status_code, 409, replay.text[:300])
		self.assertEqual(body(replay)["code"], "REPLAYED")
		run_background_jobs()
		self.assertEqual(self.emails(name), mails)
		self.assertUnchanged(name, "Confirmed", "Paid")
		# the receipt page: amount, reference, the meeting
		page = self.server.get(urlsplit(receipt).path + "?" + urlsplit(receipt).query, timeout=60)
		self.assertEqual(page.status_code, 200)
		self.assertIn(frappe.utils.fmt_money(50, currency=self.currency), page.text)
		self.assertIn(payment.name, page.text)
		self.assertIn(payment.payment_intent, page.text)
		self.assertNotIn(token, page.text)
		if installed("erpnext"):
			entry = frappe.get_doc("Payment Entry", payment.payment_entry)
			self.assertEqual(
				(
					entry.docstatus,
					entry.payment_type,
					entry.party_type,
					entry.paid_amount,
					entry.reference_no,
				),
				(1, "Receive", "Customer", 50, payment.payment_intent),
			)
			self.assertEqual(entry.party, payment.party)
		else:
			self.assertFalse(payment.payment_entry)

	def test_forged_replayed_and_foreign_webhooks_change_nothing(self):
		first = self.hold(self.start(), "first@paid.example")["id"]
		other = self.hold(self.start(), "other@paid.example")["id"]
		payment = self.payment(first)
		session = self.peer.pay(payment.checkout_session)
		event = self.peer.event("checkout.session.completed", session)
		answers = {}
		answers["wrong secret"] = self.deliver(event, secret="whsec_someone_else")[0]
		answers["no signature"] = self.deliver(event, header="")[0]
		_r, data, signed = self.deliver(self.peer.event("customer.created", {"object": "customer"}))
		answers["body changed"] = self.deliver(
			event, header=signed, payload=data.replace(b"customer", b"checkout")
		)[0]
		from stripe_peer import FakeStripe, signature

		payload, _header = FakeStripe.signed(event, SECRET)
		stale = signature(payload, SECRET, int(time.time()) - 3600)
		answers["stale"] = self.deliver(event, header=stale, payload=payload)[0]
		foreign = dict(
			session, client_reference_id=other, metadata={**session["metadata"], "scheduler_booking": other}
		)
		answers["another booking"] = self.deliver(self.peer.event("checkout.session.completed", foreign))[0]
		answers["another amount"] = self.deliver(
			self.peer.event("checkout.session.completed", dict(session, amount_total=1))
		)[0]
		unknown = dict(session, id="cs_test_not_ours")
		answers["unknown checkout"] = self.deliver(self.peer.event("checkout.session.completed", unknown))[0]
		self.assertEqual(
			{reason: r.status_code for reason, r in answers.items()},
			{
				"wrong secret": 401,
				"no signature": 401,
				"body changed": 401,
				"stale": 400,
				"another booking": 400,
				"another amount": 400,
				"unknown checkout": 404,
			},
		)
		# a closed checkout this site does not know is acknowledged (Stripe would retry a 404
		# for days) and recorded once, however often Stripe delivers it (issue 50, item 25)
		expired = self.peer.event("checkout.session.expired", dict(unknown, status="expired"))
		for _delivery in range(2):
			r = self.deliver(expired)[0]
			self.assertEqual(
				(r.status_code, body(r)["data"]), (200, {"ignored": True, "unknown": True}), r.text
			)
		frappe.db.rollback()
		recorded = frappe.get_all(
			"Integration Request", {"request_id": expired["id"]}, ["output", "reference_docname"]
		)
		self.assertEqual(len(recorded), 1, recorded)
		self.assertIn("unknown checkout", recorded[0].output)
		frappe.db.delete("Integration Request", {"request_id": expired["id"]})
		frappe.db.commit()
		# an event of another integration on the same Stripe account is acknowledged and ignored
		theirs = dict(unknown, metadata={}, client_reference_id=None)
		ignored = self.deliver(self.peer.event("checkout.session.completed", theirs))[0]
		self.assertEqual((ignored.status_code, body(ignored)["data"]), (200, {"ignored": True}))
		for name in (first, other):
			self.assertUnchanged(name, AWAITING, "Unpaid")
		frappe.db.rollback()
		self.assertFalse(
			frappe.db.exists(
				"Integration Request",
				{"reference_doctype": "Scheduler Payment", "reference_docname": payment.name},
			)
		)
		# the real event still confirms the first booking, and only it
		self.assertEqual(self.deliver(event)[0].status_code, 200)
		self.assertUnchanged(first, "Confirmed", "Paid")
		self.assertUnchanged(other, AWAITING, "Unpaid")

	# --- holds ------------------------------------------------------------------------------
	def end_hold(self, name: str) -> None:
		"""Make the hold of ``name`` end now (the hold's minutes passed)."""
		frappe.db.set_value(
			"Scheduler Booking", name, "hold_until", to_system(utc_now() - timedelta(seconds=1))
		)
		frappe.db.commit()

	def test_an_ended_hold_frees_the_time_once(self):
		from scheduler_integration.jobs.payments import expire_holds

		start = self.start()
		name = self.hold(start, "late@paid.example")["id"]
		payment = self.payment(name)
		self.end_hold(name)
		# the site's worker and scheduler (when they run) race this test's own runs for it
		for _ in range(3):
			frappe.enqueue("scheduler_integration.jobs.payments.expire_holds", queue="short")
		frappe.db.commit()
		expire_holds()
		frappe.db.commit()
		run_background_jobs()
		expire_holds()
		run_background_jobs()
		doc = self.booking(name)
		self.assertEqual((doc.status, doc.cancel_reason), ("Cancelled", "Not paid in time"))
		self.assertEqual(
			self.emails(name), [("Scheduler: Reservation Released (Guest)", "late@paid.example")]
		)
		self.assertEqual(
			len(
				[
					r
					for r in self.peer.requests
					if r.path == f"/v1/checkout/sessions/{payment.checkout_session}/expire"
				]
			),
			1,
		)
		self.assertEqual(self.peer.sessions[payment.checkout_session]["status"], "expired")
		# the release was planned once: one row per effect of "hold_expired"
		self.assertEqual(
			frappe.get_all(
				"Scheduler Booking Effect",
				filters={"booking": name, "lifecycle_event": "hold_expired"},
				pluck="effect",
				order_by="seq asc",
			),
			["email", "payment"],
		)
		# the time is free again: offered, and bookable by the next guest
		self.assertIn(
			iso(start),
			offered_starts(self.server, PROFILE, TYPE, iso(start), iso(start + timedelta(hours=1))),
		)
		self.hold(start, "next@paid.example")

	def test_a_checkout_stripe_closed_releases_its_hold(self):
		name = self.hold(self.start(), "closed@paid.example")["id"]
		payment = self.payment(name)
		session = dict(self.peer.sessions[payment.checkout_session], status="expired", url=None)
		response, _d, _s = self.deliver(self.peer.event("checkout.session.expired", session))
		self.assertEqual(body(response)["data"]["outcome"], "released")
		run_background_jobs()
		self.assertUnchanged(name, "Cancelled", "Unpaid")
		self.assertEqual(self.payment(name).status, "Expired")
		self.assertEqual(
			self.emails(name), [("Scheduler: Reservation Released (Guest)", "closed@paid.example")]
		)

	def test_the_gateway_is_asked_before_a_hold_is_released(self):
		"""A payment whose webhook never came confirms the booking when its hold ends."""
		from scheduler_integration.jobs.payments import expire_holds

		name = self.hold(self.start(), "quiet@paid.example")["id"]
		self.peer.pay(self.payment(name).checkout_session)  # paid; Stripe's webhook is lost
		self.end_hold(name)
		self.assertEqual(expire_holds(), 1)
		self.assertUnchanged(name, "Confirmed", "Paid")

	def test_a_payment_after_the_hold_was_released_is_refunded_in_full(self):
		from calendar_peers import Reply

		from scheduler_integration.jobs.payments import expire_holds

		name = self.hold(self.start(), "slow@paid.example")["id"]
		payment = self.payment(name)
		self.end_hold(name)
		self.peer.fail(
			Reply(503, {"error": {"type": "api_error", "message": "down"}})
		)  # Stripe is down just then
		expire_holds()
		self.assertUnchanged(name, "Cancelled", "Unpaid")
		session = self.peer.pay(payment.checkout_session)  # … and the guest pays before it is closed
		response, _d, _s = self.deliver(self.peer.event("checkout.session.completed", session))
		self.assertEqual(body(response)["data"]["outcome"], "refund")
		run_background_jobs()
		self.assertEqual(
			[(r["amount"], r["status"]) for r in self.peer.refunded(session["payment_intent"])],
			[(5000, "succeeded")],
		)
		doc = self.booking(name)
		self.assertEqual(
			(doc.status, doc.payment_status, doc.amount_paid, doc.amount_refunded),
			("Cancelled", "Refunded", 50, 50),
		)
		self.assertIn(("Scheduler: Payment Refunded (Guest)", "slow@paid.example"), self.emails(name))
		if installed("erpnext"):  # the money came in and went out again: both in the books
			payment = self.payment(name)
			entries = [payment.payment_entry, payment.refunds[0].payment_entry]
			self.assertEqual(
				[
					frappe.db.get_value("Payment Entry", entry, ["payment_type", "paid_amount"])
					for entry in entries
				],
				[("Receive", 50), ("Pay", 50)],
			)

	# --- cancelling and moving --------------------------------------------------------------
	def cancel(self, name: str, as_host: bool = False):
		if as_host:
			session = self.server.session(HOST)
			return session.post(
				method_url(self.server, "scheduler_integration.api.booking.cancel_booking"),
				json={"booking": name, "reason": "Host is ill"},
				timeout=60,
			)
		token = frappe.db.get_value("Scheduler Booking", name, "token_nonce")
		from scheduler_integration.booking.tokens import token_for_nonce

		return self.guest.post(
			method_url(self.server, "scheduler_integration.api.public.cancel"),
			json={"token": token_for_nonce(token)},
			timeout=60,
		)

	def test_cancelling_refunds_by_the_policy_and_a_host_always_in_full(self):
		cases = {  # (days ahead, by the host) -> refunded minor units
			(3, False): 5000,  # 72 h notice: all of it
			(1.5, False): 2500,  # 36 h: half
			(0.5, False): 0,  # 12 h: nothing
			(0.55, True): 5000,  # the host cancels (13 h ahead): all of it, always
		}
		names = {
			case: self.paid(self.start(days=case[0]), f"c{i}@paid.example") for i, case in enumerate(cases)
		}
		for (_days, host), name in names.items():
			response = self.cancel(name, as_host=host)
			self.assertIn(response.status_code, (200, 201), response.text[:300])
		run_background_jobs()
		for case, name in names.items():
			payment = self.payment(name)
			refunds = self.peer.refunded(payment.payment_intent)
			self.assertEqual(sum(r["amount"] for r in refunds), cases[case], case)
			self.assertLessEqual(len(refunds), 1)
			doc = self.booking(name)
			self.assertEqual(doc.amount_refunded, cases[case] / 100, case)
			if installed("erpnext") and cases[case]:
				entry = frappe.get_doc("Payment Entry", payment.refunds[0].payment_entry)
				self.assertEqual(
					(entry.docstatus, entry.payment_type, entry.paid_amount, entry.reference_no),
					(1, "Pay", cases[case] / 100, refunds[0]["id"]),
				)
		# a retry of the refund effect never refunds twice
		from scheduler_integration.effects import payments as money

		doc = self.booking(names[(3, False)])
		self.assertEqual(money.refund(doc, 5000, "Cancellation"), "refunded before")
		self.assertEqual(len(self.peer.refunded(self.payment(doc.name).payment_intent)), 1)

	def test_a_paid_booking_moves_with_its_payment(self):
		name = self.paid(self.start(days=6), "mover@paid.example")
		before = len(self.peer.requests)
		token = frappe.db.get_value("Scheduler Booking", name, "token_nonce")
		from scheduler_integration.booking.tokens import token_for_nonce

		later = self.start(days=7)
		response = self.guest.post(
			method_url(self.server, "scheduler_integration.api.public.reschedule"),
			json={"token": token_for_nonce(token), "start": iso(later)},
			timeout=60,
		)
		self.assertEqual(response.status_code, 200, response.text[:300])
		run_background_jobs()
		doc = self.booking(name)
		self.assertEqual((doc.status, doc.payment_status, doc.amount_paid), ("Confirmed", "Paid", 50))
		self.assertEqual(self.peer.requests[before:], [])  # no new checkout, no refund

	def test_fifty_guests_racing_for_one_paid_slot_make_one_hold(self):
		import threading

		start = iso(self.start())
		barrier = threading.Barrier(50)
		results: list = [None] * 50

		def racer(index: int):
			barrier.wait(timeout=30)
			try:
				results[index] = guest_book(
					self.server,
					PROFILE,
					TYPE,
					start,
					email=f"racer{index}@paid.example",
					name=f"Racer {index}",
				)
			except requests.RequestException as exc:
				results[index] = exc

		threads = [threading.Thread(target=racer, args=(i,)) for i in range(50)]
		sessions_before = len(self.peer.session_requests())
		for thread in threads:
			thread.start()
		for thread in threads:
			thread.join(180)
		codes = sorted(r.status_code if isinstance(r, requests.Response) else repr(r) for r in results)
		self.assertEqual((codes.count(201), codes.count(409)), (1, 49), codes)
		winner = next(body(r)["data"] for r in results if r.status_code == 201)
		self.assertEqual(winner["status"], AWAITING)
		self.assertEqual(len(self.peer.session_requests()) - sessions_before, 1)

	# --- pages and analytics ----------------------------------------------------------------
	def test_the_manage_page_pays_a_hold_and_revenue_counts_money(self):
		from calendar_peers import Reply

		# Stripe cannot be reached when the guest books: the hold stands, the manage page pays
		self.peer.fail(Reply(503, {"error": {"type": "api_error", "message": "down"}}))
		data = self.hold(self.start(), "manage@paid.example")
		token = data["manage_url"].rsplit("/", 1)[-1]
		self.assertEqual(data["payment"]["url"], data["manage_url"])
		self.assertEqual(self.payment(data["id"]).status, "Not Started")
		page = self.server.get(f"/book/manage/{token}", timeout=60)
		self.assertEqual(page.status_code, 200)
		self.assertIn(AWAITING, page.text)
		urls = []
		for _ in range(2):  # opened once, then the same checkout again
			answer = self.guest.post(
				method_url(self.server, "scheduler_integration.api.payments.pay"),
				json={"token": token},
				timeout=60,
			)
			self.assertEqual(answer.status_code, 200, answer.text[:300])
			urls.append(body(answer)["data"]["url"])
		self.assertTrue(urls[0].startswith("https://checkout.stripe.com/"), urls)
		self.assertEqual(urls[0], urls[1])
		self.assertEqual(self.payment(data["id"]).status, "Open")
		moved = self.guest.post(  # paid first, moved after
			method_url(self.server, "scheduler_integration.api.public.reschedule"),
			json={"token": token, "start": iso(self.start())},
			timeout=60,
		)
		self.assertEqual((moved.status_code, body(moved)["reason"]), (403, "awaiting_payment"))
		self.pay(data["id"])
		paid_again = self.guest.post(
			method_url(self.server, "scheduler_integration.api.payments.pay"),
			json={"token": token},
			timeout=60,
		)
		self.assertEqual(paid_again.status_code, 403)
		# revenue: paid and refunded per currency, for the host and the Host Performance report
		from scheduler_integration.reporting.analytics import booking_revenue

		frappe.db.rollback()
		totals = frappe.db.sql(
			"""select sum(amount_paid), sum(amount_refunded) from `tabScheduler Booking`
			where host = %s and currency = %s""",
			(HOST, self.currency),
		)[0]
		revenue = booking_revenue(host=HOST)
		self.assertEqual(revenue["paid"][self.currency], round(float(totals[0]), 2))
		self.assertEqual(revenue["refunded"].get(self.currency, 0), round(float(totals[1] or 0), 2))
		from scheduler_integration.scheduler_integration.report.scheduler_host_performance.scheduler_host_performance import (
			execute,
		)

		frappe.set_user("Administrator")
		columns, rows, *_rest = execute({"host": HOST, "currency": self.currency})
		row = next(r for r in rows if r["host"] == HOST)
		self.assertIn("paid", [c["fieldname"] for c in columns])
		self.assertEqual(row["paid"], revenue["paid"][self.currency])

	def test_a_retry_after_a_lost_answer_gets_the_checkout_stripe_opened(self):
		"""Stripe opened the checkout but its answer never came: the guest's pay button, a
		second later, sends the same expiry under the same key and gets that checkout, not
		Stripe's refusal of a reused key (nor a second checkout). Once that expiry is too near
		for Stripe, a fresh one under a fresh key opens the checkout."""
		self.peer.lose()
		data = self.hold(self.start(), "lost-answer@paid.example")
		token = data["manage_url"].rsplit("/", 1)[-1]
		self.assertEqual(self.payment(data["id"]).status, "Not Started")
		opened = [s["id"] for s in self.peer.sessions.values() if s["client_reference_id"] == data["id"]]
		self.assertEqual(len(opened), 1)  # Stripe did open it
		time.sleep(1.1)  # the retry's own clock reads another second
		answer = self.guest.post(
			method_url(self.server, "scheduler_integration.api.payments.pay"),
			json={"token": token},
			timeout=60,
		)
		self.assertEqual(answer.status_code, 200, answer.text[:300])
		self.assertEqual(body(answer)["data"]["url"], self.peer.sessions[opened[0]]["url"])
		payment = self.payment(data["id"])
		self.assertEqual((payment.status, payment.checkout_session), ("Open", opened[0]))
		keys = {r.headers.get("Idempotency-Key") for r in self.peer.session_requests()[-2:]}
		self.assertEqual(len(keys), 1, keys)
		# the guest came back too late for that expiry: Stripe gets a fresh one and key
		late = self.hold(self.start(), "late-retry@paid.example")
		frappe.db.set_value(  # as if its first attempt had failed half an hour ago
			"Scheduler Payment",
			self.payment(late["id"]).name,
			{
				"status": "Not Started",
				"checkout_session": None,
				"payment_url": None,
				"expires_at": to_system(utc_now() + timedelta(minutes=29)),
			},
			update_modified=False,
		)
		frappe.db.commit()
		before = len(self.peer.sessions)
		time.sleep(1.1)  # else the fresh expiry is the hold's first one, to the second
		answer = self.guest.post(
			method_url(self.server, "scheduler_integration.api.payments.pay"),
			json={"token": late["manage_url"].rsplit("/", 1)[-1]},
			timeout=60,
		)
		self.assertEqual(answer.status_code, 200, answer.text[:300])
		payment = self.payment(late["id"])
		self.assertEqual(payment.status, "Open")
		self.assertGreaterEqual(to_utc(payment.expires_at), utc_now() + timedelta(minutes=30))
		self.assertEqual(len(self.peer.sessions), before + 1)
		self.assertEqual(payment.checkout_session, list(self.peer.sessions)[-1])

	@unittest.skipUnless(installed("erpnext"), "the ERPNext Lead of a guest needs ERPNext")
	def test_a_guests_erpnext_lead_becomes_the_customer_that_paid(self):
		email = "lead-payer@paid.example"
		lead = frappe.get_doc({"doctype": "Lead", "lead_name": "Lena Lead", "email_id": email})
		lead.insert(ignore_permissions=True)
		frappe.db.commit()
		name = self.paid(self.start(), email)
		payment = self.payment(name)
		customer = frappe.get_doc("Customer", payment.party)
		self.assertEqual((customer.lead_name, customer.customer_name), (lead.name, "Lena Lead"))
		self.assertEqual(frappe.db.get_value("Lead", lead.name, "status"), "Converted")
		self.assertEqual(frappe.db.get_value("Payment Entry", payment.payment_entry, "party"), customer.name)

	# --- in a browser -------------------------------------------------------------------------
	def test_the_pages_in_a_browser(self):
		import json
		import os
		import shutil
		import subprocess

		from scheduler_integration.tests.pages.test_browser_e2e import missing, node_modules

		if reason := missing():
			self.skipTest(f"browser test not run: {reason}")
		paid = self.paid(self.start(), "receipt@paid.example")
		payment = self.payment(paid)
		hold = self.hold(self.start(), "hold@paid.example")
		shots = Path(frappe.get_site_path("..", "..", "logs", "scheduler-e2e")).resolve()
		shots.mkdir(parents=True, exist_ok=True)
		script = shots / "paid_booking.mjs"
		shutil.copy(E2E / "paid_booking.mjs", script)
		(shots / "node_modules").unlink(missing_ok=True)
		(shots / "node_modules").symlink_to(node_modules())
		day = self.start(days=30)
		config = {
			"base": self.server.base,
			"site": self.server.site,
			"profile": PROFILE,
			"slug": TYPE,
			"date": day.strftime("%Y-%m-%d"),
			"email": "browser@paid.example",
			"receipt": f"{self.server.base}/book/receipt?key={payment.access_key}",
			"hold_manage": hold["manage_url"],
			"shots": str(shots),
		}
		run = subprocess.run(
			["node", str(script), json.dumps(config)],
			capture_output=True,
			text=True,
			timeout=300,
			env={**os.environ, "NODE_PATH": str(node_modules())},
		)
		lines = [line for line in run.stdout.splitlines() if line.startswith("{")]
		self.assertTrue(lines, f"no result: {run.stdout[-2000:]} {run.stderr[-2000:]}")
		seen = json.loads(lines[-1])
		self.assertEqual((run.returncode, seen["errors"], seen["dialogs"]), (0, [], []), seen)
		for page, violations in seen["axe"].items():  # serious and critical ones only
			self.assertEqual(violations, [], f"axe on {page}")
		self.assertEqual([page for page, overflow in seen["overflow"].items() if overflow], [])
		amount = frappe.utils.fmt_money(50, currency=self.currency)
		self.assertEqual(seen["header_price"].strip(), amount)
		self.assertIn(amount, seen["form_price"])
		self.assertEqual(seen["button"].strip(), "Continue to payment")
		self.assertEqual((seen["book_status"], seen["booking"]["status"]), (201, AWAITING))
		self.assertEqual(seen["redirected_to"], seen["booking"]["payment"]["url"])
		self.assertIn(payment.name, seen["receipt"])
		self.assertIn(amount, seen["receipt"])
		self.assertIn("Pay now", seen["manage"])
		self.assertEqual(seen["reschedule_buttons"], 0)  # a hold is paid before it moves


@unittest.skipIf(installed("payments"), "the payments app is installed on this site")
class TestWithoutThePaymentsApp(SchedulerTestCase):
	"""Everything else works unchanged; a paid type cannot be activated, and says why."""

	def test_a_paid_type_cannot_be_activated(self):
		cleanup([HOST], delete_users=True)
		try:
			profile = make_host(HOST, PROFILE)
			with self.assertRaises(frappe.ValidationError) as refused:
				make_type(profile, TYPE, 30, price=50, currency="EUR", require_payment=1)
			frappe.db.rollback()
			self.assertIn("payments app", str(refused.exception))
			# kept as a draft while inactive; a free type books as always
			make_type(profile, TYPE, 30, price=50, currency="EUR", require_payment=1, active=0)
			make_type(profile, "free-talk", 30)
			server = LiveServer.get_instance()
			response = guest_book(server, PROFILE, "free-talk", iso(future_day(9) + timedelta(hours=10)))
			self.assertEqual(response.status_code, 201, response.text[:300])
			self.assertEqual(body(response)["data"]["status"], "Confirmed")
			self.assertNotIn("url", body(response)["data"].get("payment") or {})
		finally:
			frappe.db.rollback()
			cleanup([HOST], delete_users=True)
