"""What may say "paid", and how the webhooks take their deliveries (issue 37, items 1, 15,
19 and 20), over real HTTP against a local peer speaking Stripe's API and webhooks
(tests/providers/stripe_peer.py).

- The payments app's own guest card page (``make_payment``) charges whatever amount its
  caller names and then reports the payment ``Completed`` through ``on_payment_authorized``:
  a guest who pays 0.50 for a booking of 50 gets nothing confirmed, and the host is told;
  nor does another app's report of an unpaid payment; once Stripe has the real checkout
  paid, the same report confirms the booking, once.
- The webhooks refuse a body over 512 KB (413) whatever the account of their address, and
  a signed Stripe body that is JSON but no object (400).
- Stripe's deliveries count against the webhooks' own limit, not the guests' one.
- Two copies of one Stripe event at once: one acts, the other is a replay (the very same
  request) or a duplicate (a redelivery), and the booking's effects run once.

The payments app's page reaches Stripe through the ``stripe`` library's module-level
address, which no setting changes: this module runs a web server of its own whose Python
starts with tests/stripe_api_base/sitecustomize.py (test-only) pointing it at the peer.
Sites without the payments app skip this module."""

from __future__ import annotations

import json
import os
import threading
import time
import unittest
from datetime import timedelta
from pathlib import Path

import frappe
import requests

# the gateway's set-up of the paid bookings' suite (importing it puts the peers on the path)
from scheduler_integration.scheduler_integration.doctype.scheduler_payment.test_scheduler_payment import (
	AWAITING,
	CONFIG,
	GATEWAY,
	KEY,
	SECRET,
	WEBHOOK,
	drop_gateway,
	installed,
	make_gateway,
	set_config,
)
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
from scheduler_integration.tests.live import LiveServer, body, cleanup, guest_book, method_url
from scheduler_integration.tests.scope import every_site
from scheduler_integration.tests.utils import SchedulerTestCase

HOST = "sched-trust-pay-host@example.com"
PROFILE = "trust-pay-host"
TYPE = "trust-paid-consult"
DOCTYPE = "Scheduler Payment"
# the payments app's guest card page (branch version-15)
CARD_PAGE = "payments.templates.pages.stripe_checkout.make_payment"
TRACKING = "scheduler_integration.api.tracking"
ACUITY_ACCOUNT, ONCEHUB_ACCOUNT = "733700137", "USR-TRUSTPAY1"
MAX_BODY = 512 * 1024  # Stripe's own cap on a webhook's body
SITECUSTOMIZE = Path(__file__).resolve().parents[1] / "stripe_api_base"  # in tests/
CONFIRMED_MAILS = ("Scheduler: Booking Confirmed (Guest)", "Scheduler: New Booking (Host)")


@unittest.skipUnless(installed("payments"), "the payments app's checkout needs the payments app on this site")
@every_site
class TestTrustPayments(SchedulerTestCase):
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

		cls.purge_notifications()
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
		# the host's accounts at Acuity and OnceHub: their webhooks' addresses name a profile
		profile = frappe.get_doc("Scheduler Profile", cls.profile)
		profile.update(
			{
				"acuity_user_id": ACUITY_ACCOUNT,
				"acuity_api_key": "acuity-key-trust",
				"oncehub_user_id": ONCEHUB_ACCOUNT,
				"oncehub_webhook_secret": "oncehub-secret-trust",
			}
		)
		profile.save(ignore_permissions=True)
		make_type(
			cls.profile,
			TYPE,
			30,
			title="Paid Consultation",
			price=50,
			currency=cls.currency,
			require_payment=1,
			payment_hold_minutes=15,
		)
		# a web server of this module's own: its stripe library talks to the peer (see the
		# module's docstring and stripe_api_base/sitecustomize.py); the suite's shared one is
		# left as every other module knows it
		path = os.pathsep.join(p for p in (str(SITECUSTOMIZE), os.environ.get("PYTHONPATH")) if p)
		cls.server = LiveServer(
			workers=4, env={"PYTHONPATH": path, "SCHEDULER_TEST_STRIPE_API_BASE": cls.peer.url}
		)
		cls.day = future_day(21)
		cls.slot = iter(range(10_000))

	@classmethod
	def purge_notifications(cls) -> None:
		"""The refusals' notifications to the host (the users' cleanup leaves them)."""
		frappe.db.delete("Notification Log", {"for_user": HOST, "document_type": DOCTYPE})
		frappe.db.commit()

	@classmethod
	def tearDownClass(cls):
		"""Everything setUpClass made, as far as it got."""
		frappe.db.rollback()
		if getattr(cls, "server", None):
			cls.server.stop()
		clear_bookings([HOST])
		cls.purge_notifications()
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
	def hold(self, email: str) -> dict:
		"""A guest's booking of the paid type at a fresh time: Awaiting Payment."""
		start = self.day + timedelta(minutes=30 * next(self.slot))
		# a name of their own: guests of one name paying at once race for one Customer name
		name = email.split("@")[0].replace("-", " ").title()
		response = guest_book(self.server, PROFILE, TYPE, iso(start), email=email, name=name)
		self.assertEqual(response.status_code, 201, response.text[:500])
		data = body(response)["data"]
		self.assertEqual(data["status"], AWAITING)
		return data

	def payment(self, name: str):
		frappe.db.rollback()  # what the server committed
		return frappe.get_doc(DOCTYPE, name)

	def booking(self, name: str):
		frappe.db.rollback()
		return frappe.get_doc("Scheduler Booking", name)

	def state(self, booking: str) -> tuple:
		doc = self.booking(booking)
		return (doc.status, doc.payment_status, doc.amount_paid)

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

	@staticmethod
	def confirmed_mails(guest: str) -> list[tuple[str, str]]:
		"""The emails of a confirmed booking, one each."""
		return sorted(zip(CONFIRMED_MAILS, (guest, HOST), strict=True))

	def guest_mails(self, booking: str, guest: str) -> int:
		"""The booking's emails queued for the guest (a worker this test forks mutes SMTP:
		the queue is the mail)."""
		frappe.db.rollback()
		queued = frappe.get_all("Email Queue", filters={"reference_name": booking}, pluck="name")
		return frappe.db.count(
			"Email Queue Recipient", {"parent": ("in", queued or [""]), "recipient": guest}
		)

	def refusals(self, payment: str) -> list[str]:
		frappe.db.rollback()
		return frappe.get_all(
			"Comment",
			filters={"reference_doctype": DOCTYPE, "reference_name": payment, "comment_type": "Comment"},
			pluck="content",
		)

	def entries(self, reference: str) -> int:
		"""The submitted Payment Entries of a payment: the one it names, and any other with
		its gateway's payment id."""
		payment = self.payment(reference)
		self.assertTrue(payment.payment_entry and payment.payment_intent, reference)
		return frappe.db.count("Payment Entry", {"reference_no": payment.payment_intent, "docstatus": 1})

	def card_page(self, reference: str, amount: float, email: str) -> requests.Response:
		"""What the payments app's guest card page posts: a card token, and the amount and
		document its caller named."""
		data = {
			"amount": amount,
			"title": "Paid Consultation",
			"description": f"Card payment for {reference}",
			"reference_doctype": DOCTYPE,
			"reference_docname": reference,
			"payer_name": "Mallory",
			"payer_email": email,
			"order_id": reference,
			"currency": self.currency,
		}
		return requests.post(
			method_url(self.server, CARD_PAGE),
			data={
				"stripe_token_id": "tok_visa",
				"data": json.dumps(data),
				"reference_doctype": DOCTYPE,
				"reference_docname": reference,
			},
			headers={"Host": self.server.site},
			timeout=60,
		)

	def deliver(self, payload: bytes, header: str | None, session: requests.Session | None = None):
		from stripe_peer import FakeStripe

		if session is None:
			return FakeStripe.deliver(
				method_url(self.server, WEBHOOK), payload, header, host=self.server.site
			)
		return session.post(
			method_url(self.server, WEBHOOK),
			data=payload,
			headers={
				"Host": self.server.site,
				"Content-Type": "application/json; charset=utf-8",
				"Stripe-Signature": header,
			},
			timeout=60,
		)

	def signed(self, event, timestamp: int | None = None) -> tuple[bytes, str]:
		from stripe_peer import FakeStripe

		return FakeStripe.signed(event, SECRET, timestamp)

	# --- item 1: the payments app's card page, and any app's report -------------------------
	def test_the_payments_apps_card_page_cannot_confirm_a_booking_for_less(self):
		guest = "fraction@trust.example"
		data = self.hold(guest)
		name, reference = data["id"], data["payment"]["reference"]
		checkout = self.payment(reference).checkout_session
		# the guest pays 0.50 on the payments app's own page, naming the booking's payment
		answer = self.card_page(reference, 0.5, guest)
		self.assertEqual(answer.status_code, 200, answer.text[:500])
		self.assertEqual(answer.json()["message"]["status"], "Completed")  # the page took the money
		charges = [
			c for c in self.peer.charges.values() if c["description"] == f"Card payment for {reference}"
		]
		self.assertEqual(
			[(c["amount"], c["currency"], c["captured"]) for c in charges],
			[(50, self.currency.lower(), True)],
		)
		run_background_jobs()
		# … and nothing counts: the hold waits for its own checkout, no email, no money booked
		self.assertEqual(self.state(name), (AWAITING, "Unpaid", 0))
		payment = self.payment(reference)
		self.assertEqual(
			(payment.status, bool(payment.paid_at), bool(payment.payment_intent)), ("Open", False, False)
		)
		self.assertEqual(self.emails(name), [])
		self.assertFalse(payment.payment_entry)
		if installed("erpnext"):  # an entry would name the payment, or what was charged
			references = [reference, *(c["id"] for c in charges)]
			self.assertFalse(frappe.db.exists("Payment Entry", {"reference_no": ("in", references)}))
		# the host learns what came in and what the payments app's page charged
		refusals = self.refusals(reference)
		self.assertEqual(len(refusals), 1, refusals)
		self.assertIn("refused", refusals[0])
		self.assertIn(f"0.5 {self.currency.upper()}", refusals[0])
		self.assertEqual(
			frappe.db.count(
				"Notification Log", {"for_user": HOST, "document_type": DOCTYPE, "document_name": reference}
			),
			1,
		)
		self.assertTrue(
			frappe.db.exists(
				"Error Log",
				{
					"reference_doctype": DOCTYPE,
					"reference_name": reference,
					"method": ("like", "%unverified payment report%"),
				},
			)
		)
		# the door works for real payments: once Stripe has the checkout paid, the same
		# report (the payments app's contract, called in this process) confirms it
		session = self.peer.pay(checkout)
		doc = frappe.get_doc(DOCTYPE, reference)
		doc.run_method("on_payment_authorized", "Completed")
		frappe.db.commit()
		self.assertEqual(doc.flags.outcome, "confirm")
		self.assertEqual(self.state(name), ("Confirmed", "Paid", 50))
		self.assertEqual(self.payment(reference).payment_intent, session["payment_intent"])
		# … once: Stripe's webhook of it and another report after it change nothing
		response = self.deliver(*self.signed(self.peer.event("checkout.session.completed", session)))
		self.assertEqual(response.status_code, 200, response.text[:300])
		self.assertEqual(body(response)["data"]["outcome"], "nothing")
		again = frappe.get_doc(DOCTYPE, reference)
		again.run_method("on_payment_authorized", "Completed")
		frappe.db.commit()
		self.assertEqual(again.flags.outcome, "nothing")
		run_background_jobs()
		self.assertEqual(self.emails(name), self.confirmed_mails(guest))
		self.assertEqual(self.guest_mails(name, guest), 1)
		self.assertEqual(len(self.refusals(reference)), 1)  # nothing more was refused
		if installed("erpnext"):
			self.assertEqual(self.entries(reference), 1)

	def test_another_apps_report_of_an_unpaid_payment_changes_nothing(self):
		data = self.hold("unpaid@trust.example")
		name, reference = data["id"], data["payment"]["reference"]
		for status in ("Completed", "Authorized"):
			frappe.get_doc(DOCTYPE, reference).run_method("on_payment_authorized", status)
			frappe.db.commit()
		run_background_jobs()
		self.assertEqual(self.state(name), (AWAITING, "Unpaid", 0))
		self.assertEqual(self.payment(reference).status, "Open")
		self.assertEqual(self.emails(name), [])
		refusals = self.refusals(reference)
		self.assertEqual(len(refusals), 2, refusals)
		self.assertTrue(all("not report checkout" in text for text in refusals), refusals)
		self.assertNotIn("charged", refusals[0])  # nothing was charged for it anywhere

	# --- item 15: the webhooks' bodies -------------------------------------------------------
	def test_a_signed_stripe_body_that_is_no_object_is_refused(self):
		for value in ([1, 2], []):
			response = self.deliver(*self.signed(value))
			self.assertEqual(response.status_code, 400, (value, response.text[:300]))
			self.assertEqual(body(response)["code"], "INVALID_REQUEST")

	def test_a_webhook_body_over_512_kb_is_refused_whatever_the_account(self):
		from stripe_peer import signature

		# Stripe: an event of another integration padded to the cap is read; a byte more is not
		event = self.peer.event(
			"checkout.session.completed", {"id": "cs_test_theirs", "object": "checkout.session"}
		)
		event["pad"] = ""
		event["pad"] = "x" * (MAX_BODY - len(self.signed(event)[0]))
		at_cap = self.signed(event)[0]
		self.assertEqual(len(at_cap), MAX_BODY)
		response = self.deliver(at_cap, signature(at_cap, SECRET))
		self.assertEqual((response.status_code, body(response).get("data")), (200, {"ignored": True}))
		event["pad"] += "x"
		over = self.signed(event)[0]
		answers = {"stripe, signed": self.deliver(over, signature(over, SECRET))}
		# OnceHub (JSON) and Acuity (a form), at an account no profile names and at the host's
		big_json = json.dumps({"event": "booking.scheduled", "pad": "x" * MAX_BODY}).encode()
		big_form = b"action=scheduled&id=1&pad=" + b"x" * MAX_BODY
		hooks = {
			"oncehub": (big_json, "application/json", ONCEHUB_ACCOUNT, "USR-NOBODY9"),
			"acuity": (big_form, "application/x-www-form-urlencoded", ACUITY_ACCOUNT, "990000999"),
		}
		small = {}
		for provider, (payload, kind, known, unknown) in hooks.items():
			for label, account in (("known", known), ("unknown", unknown)):
				url = method_url(self.server, f"{TRACKING}.{provider}_webhook") + f"?account={account}"
				headers = {"Host": self.server.site, "Content-Type": kind}
				answers[f"{provider}, {label} account"] = requests.post(
					url, data=payload, headers=headers, timeout=60
				)
				tiny = b"{}" if kind == "application/json" else b"action=scheduled&id=1"
				small[f"{provider}, {label} account"] = requests.post(
					url, data=tiny, headers=headers, timeout=60
				).status_code
		self.assertEqual(
			{label: (r.status_code, body(r).get("code")) for label, r in answers.items()},
			{label: (413, "REQUEST_TOO_LARGE") for label in answers},
		)
		# the same addresses with a small unsigned body: the account is looked at after the size
		self.assertEqual(
			small,
			{
				"oncehub, known account": 401,
				"oncehub, unknown account": 404,
				"acuity, known account": 401,
				"acuity, unknown account": 404,
			},
		)

	# --- item 19: the webhooks' own rate limit ------------------------------------------------
	def test_stripe_is_not_limited_at_the_guests_pace(self):
		previous = set_settings(public_rate_limit=5)  # clears the limiter's counters too
		try:
			guest = requests.Session()
			codes = [
				guest.post(
					method_url(self.server, f"{TRACKING}.track_step"),
					json={"step": "no-such-step", "session_id": "trust-rate-limit"},
					headers={"Host": self.server.site},
					timeout=60,
				).status_code
				for _ in range(7)
			]
			self.assertEqual(codes, [400] * 5 + [429] * 2)  # the guests' limit holds
			stripe = requests.Session()
			answers = []
			for index in range(20):  # one address, within a minute: another integration's checkouts
				theirs = {"id": f"cs_test_theirs_{index}", "object": "checkout.session", "metadata": {}}
				payload, header = self.signed(self.peer.event("checkout.session.completed", theirs))
				response = self.deliver(payload, header, stripe)
				answers.append((response.status_code, body(response).get("data")))
			self.assertEqual(answers, [(200, {"ignored": True})] * 20)
		finally:
			set_settings(**previous)

	# --- item 20: one event twice at once ------------------------------------------------------
	def race(self, deliveries: list[tuple[bytes, str]]) -> list:
		"""The deliveries posted at the same moment, each on its own connection."""
		barrier = threading.Barrier(len(deliveries))
		results: list = [None] * len(deliveries)

		def post(index: int, payload: bytes, header: str):
			barrier.wait(timeout=30)
			try:
				results[index] = self.deliver(payload, header, requests.Session())
			except requests.RequestException as exc:
				results[index] = exc

		threads = [threading.Thread(target=post, args=(i, *d)) for i, d in enumerate(deliveries)]
		for thread in threads:
			thread.start()
		for thread in threads:
			thread.join(120)
		for result in results:
			self.assertIsInstance(result, requests.Response, result)
		return results

	def test_one_event_delivered_twice_at_once_acts_once(self):
		bookings = {}
		for round_ in range(5):
			for kind in ("same request", "redelivery"):
				guest = f"race-{kind.split()[0]}-{round_}@trust.example"
				data = self.hold(guest)
				name, reference = data["id"], data["payment"]["reference"]
				bookings[name] = (guest, reference)
				session = self.peer.pay(self.payment(reference).checkout_session)
				event = self.peer.event("checkout.session.completed", session)
				payload, header = self.signed(event)
				if kind == "same request":  # a replay of the very request
					second = (payload, header)
				else:  # Stripe's redelivery: the same event, signed at another second
					second = self.signed(event, int(time.time()) - 1)
				answers = self.race([(payload, header), second])
				seen = sorted(
					(
						r.status_code,
						body(r).get("code") or "",
						(body(r).get("data") or {}).get("outcome") or "",
					)
					for r in answers
				)
				if kind == "same request":  # one acts, the other is refused as a replay
					expected = [(200, "", "confirm"), (409, "REPLAYED", "")]
				else:  # one acts, the other is answered as a duplicate
					expected = [(200, "", ""), (200, "", "confirm")]
				self.assertEqual(seen, expected, (round_, kind, [r.text[:200] for r in answers]))
				if kind == "redelivery":
					self.assertEqual(
						sorted(bool(body(r)["data"].get("duplicate")) for r in answers), [False, True]
					)
		run_background_jobs()
		for name, (guest, reference) in bookings.items():
			self.assertEqual(self.state(name), ("Confirmed", "Paid", 50), name)
			self.assertEqual(self.emails(name), self.confirmed_mails(guest), name)
			self.assertEqual(self.guest_mails(name, guest), 1, name)
			self.assertEqual(
				frappe.db.count(
					"Integration Request", {"reference_doctype": DOCTYPE, "reference_docname": reference}
				),
				1,
				name,
			)
			if installed("erpnext"):
				self.assertEqual(self.entries(reference), 1, name)
