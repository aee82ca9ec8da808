"""Every meeting of a booking in every calendar (issue 38, items 3 and 8), over real HTTP with
the real worker: the .ics of a weekly series and of a two-day workshop (downloaded and
attached to the emails, parsed with ``icalendar``) holds one event per meeting at the right
instants, the guest's is a file to add (PUBLISH, titled for them) and the hosts' an
invitation (REQUEST), a cancelled meeting goes out as a CANCEL of its UID, the host's desk
Events and CalDAV calendar hold every day of a workshop and follow its move and
cancellation, and the pages list every meeting with its Google and Outlook links. A browser
walks the confirmation and manage pages (sent to, end time, add to calendar, reschedule
near the booking, cancel in two steps)."""

from __future__ import annotations

import email
import json
import os
import shutil
import tempfile
from datetime import date, datetime, time, timedelta, timezone
from email import policy
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import frappe
import icalendar
import requests

from scheduler_integration.core.clock import to_utc
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
from scheduler_integration.tests.live import (
	PASSWORD,
	LiveServer,
	body,
	cleanup,
	guest_book,
	method_url,
	purge_guests,
)
from scheduler_integration.tests.pages.test_browser_e2e import node_modules, run_script
from scheduler_integration.tests.utils import SchedulerTestCase

HOST = "sched-every@example.com"
PROFILE = "every-host"
BROWSER_HOST = "sched-every-browser@example.com"
BROWSER_PROFILE = "every-browser"
PUBLIC = "scheduler_integration.api.public"
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
UTC = timezone.utc
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
GUESTS = ("series@example.org", "workshop@example.org", "page-guest@example.org", "page-series@example.org")


def token_of(url: str) -> str:
	return url.rstrip("/").rsplit("/", 1)[-1]


def next_monday(days: int) -> date:
	day = future_day(days).date()
	while day.weekday() != 0:
		day += timedelta(days=1)
	return day


def at(day: date, hour: int, zone=BERLIN) -> datetime:
	"""``hour`` o'clock on ``day`` in ``zone``, as a UTC instant."""
	return datetime.combine(day, time(hour), tzinfo=zone).astimezone(UTC)


def events_of(calendar) -> list:
	return list(calendar.walk("VEVENT"))


def instants(calendar, prop: str = "DTSTART") -> list[datetime]:
	"""Each event's ``prop`` as written: a UTC instant (``…Z``), in file order."""
	out = []
	for event in events_of(calendar):
		value = event.decoded(prop)
		assert value.tzinfo is not None and value.utcoffset() == timedelta(0), (prop, value)
		out.append(value)
	return out


def attached(booking_names: list[str], address: str) -> list:
	"""The .ics attached to the emails of these bookings to ``address``, oldest first."""
	names = frappe.get_all(
		"Email Queue",
		filters={"reference_name": ("in", booking_names)},
		pluck="name",
		order_by="creation asc",
	)
	out = []
	for name in names:
		if not frappe.db.exists("Email Queue Recipient", {"parent": name, "recipient": address}):
			continue
		message = email.message_from_string(
			frappe.db.get_value("Email Queue", name, "message"), policy=policy.default
		)
		for part in message.walk():
			if (part.get_filename() or "").endswith(".ics"):
				out.append(icalendar.Calendar.from_ical(part.get_payload(decode=True)))
	return out


def page_data(text: str) -> dict:
	"""The JSON a booking page hands its script."""
	start = text.index('id="sched-data">') + len('id="sched-data">')
	return json.loads(text[start : text.index("</script>", start)])


class TestEveryMeeting(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		cleanup([HOST], delete_users=True)  # what a killed run left
		cls._saved = set_settings(**NO_RATE_LIMITS, allow_private_calendar_hosts=1)
		cls.outbox = Outbox()
		cls.profile = make_host(HOST, PROFILE, tz="Europe/Berlin", start="09:00", end="17:00", days=WEEKDAYS)
		cls.host_name = frappe.utils.get_fullname(HOST)
		cls.server = LiveServer.get_instance()
		cls.monday = next_monday(21)

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		cls.outbox.close()
		set_settings(**cls._saved)
		cls.clear()
		purge_guests(GUESTS)
		cleanup([HOST], delete_users=True)
		super().tearDownClass()

	@classmethod
	def clear(cls):
		frappe.db.commit()
		for name in frappe.get_all("Scheduler Calendar Connection", filters={"host": HOST}, pluck="name"):
			frappe.delete_doc("Scheduler Calendar Connection", name, ignore_permissions=True, force=True)
		clear_bookings([HOST])
		frappe.db.delete("Scheduler Booking Series", {"host": HOST})
		frappe.db.commit()

	def setUp(self):
		self.clear()

	def post(self, method, **values):
		return requests.post(
			method_url(self.server, f"{PUBLIC}.{method}"),
			json=values,
			headers={"Host": self.server.site},
			timeout=60,
		)

	def download(self, token: str):
		r = self.server.get(f"/api/method/{PUBLIC}.ics?token={token}", timeout=30)
		self.assertEqual(r.status_code, 200, r.text[:300])
		return icalendar.Calendar.from_ical(r.content)

	def docs(self, names) -> list:
		frappe.db.commit()
		return [frappe.get_doc("Scheduler Booking", name) for name in names]

	# --- a weekly series ----------------------------------------------------------------------
	def test_a_weekly_series_is_one_event_per_meeting_and_a_cancelled_one_a_cancel(self):
		make_type(self.profile, "coaching", 60, allow_series=1, series_frequency="Weekly", series_max_count=4)
		starts = [at(self.monday + timedelta(weeks=k), 10) for k in range(4)]
		r = guest_book(
			self.server,
			PROFILE,
			"coaching",
			iso(starts[0]),
			name="Sara Series",
			email="series@example.org",
			timezone="America/New_York",
			count=4,
		)
		self.assertEqual(r.status_code, 201, r.text[:500])
		data = body(r)["data"]
		# the confirmation says where the email went, and lists every meeting with its end and
		# its Google Calendar and Outlook links
		self.assertEqual(data["email_sent_to"], "series@example.org")
		meetings = data["series"]["meetings"]
		self.assertEqual([m["start"] for m in meetings], [iso(s) for s in starts])
		self.assertEqual([m["end"] for m in meetings], [iso(s + timedelta(hours=1)) for s in starts])
		for meeting, start in zip(meetings, starts, strict=True):
			google = parse_qs(urlsplit(meeting["calendar"]["google"]).query)
			self.assertEqual(google["action"], ["TEMPLATE"])
			self.assertEqual(google["text"], [f"Coaching with {self.host_name}"])
			compact = "%Y%m%dT%H%M%SZ"
			self.assertEqual(
				google["dates"],
				[f"{start.strftime(compact)}/{(start + timedelta(hours=1)).strftime(compact)}"],
			)
			self.assertIn(meeting["manage_url"], google["details"][0])
			outlook = urlsplit(meeting["calendar"]["outlook"])
			self.assertEqual(
				f"{outlook.scheme}://{outlook.netloc}{outlook.path}",
				"https://outlook.live.com/calendar/0/action/compose",
			)
			query = parse_qs(outlook.query)
			self.assertEqual(
				(query["startdt"], query["enddt"]), ([iso(start)], [iso(start + timedelta(hours=1))])
			)
			self.assertEqual(query["subject"], [f"Coaching with {self.host_name}"])
		names = frappe.get_all(
			"Scheduler Booking", filters={"host": HOST}, pluck="name", order_by="series_index asc"
		)
		docs = self.docs(names)
		self.assertEqual(len(docs), 4)
		uids = [doc.ical_uid for doc in docs]

		# the guest's download: every meeting, one event each, at the right instants
		download = self.download(token_of(data["manage_url"]))
		self.assertEqual(str(download["METHOD"]), "PUBLISH")
		self.assertEqual([str(e["UID"]) for e in events_of(download)], uids)
		self.assertEqual(instants(download), starts)
		self.assertEqual(instants(download, "DTEND"), [s + timedelta(hours=1) for s in starts])
		# on the host's clock each is at 10:00 (across a change of summer time, too); on the
		# booker's, where the page said
		self.assertEqual({s.astimezone(BERLIN).time() for s in instants(download)}, {time(10)})
		booker = [s.astimezone(NEW_YORK) for s in instants(download)]
		self.assertEqual(
			[(b.date().isoformat(), b.strftime("%H:%M")) for b in booker[:1]],
			[(data["local_date"], data["local_time"])],
		)
		self.assertEqual([b.date() for b in booker], [s.astimezone(NEW_YORK).date() for s in starts])
		for event in events_of(download):
			self.assertNotIn("ATTENDEE", event)  # nothing to answer: the guest booked it
			self.assertEqual(str(event["SUMMARY"]), f"Coaching with {self.host_name}")
			self.assertEqual(str(event["ORGANIZER"]), f"mailto:{HOST}")
		self.assertIn(data["manage_url"], str(events_of(download)[0]["DESCRIPTION"]))

		# the emails: the guest's confirmation carries the same, the host's is an invitation
		run_background_jobs()
		frappe.db.commit()
		(guest,) = attached(names, "series@example.org")
		self.assertEqual(str(guest["METHOD"]), "PUBLISH")
		self.assertEqual([str(e["UID"]) for e in events_of(guest)], uids)
		self.assertEqual(instants(guest), starts)
		(host,) = attached(names, HOST)
		self.assertEqual(str(host["METHOD"]), "REQUEST")
		self.assertEqual([str(e["UID"]) for e in events_of(host)], uids)
		self.assertEqual(instants(host), starts)
		for event in events_of(host):
			people = event["ATTENDEE"] if isinstance(event["ATTENDEE"], list) else [event["ATTENDEE"]]
			guest_row = next(a for a in people if str(a) == "mailto:series@example.org")
			self.assertEqual(guest_row.params["RSVP"], "TRUE")

		# one occurrence cancelled: a CANCEL of its UID, to the guest and the host
		r = self.post("cancel", token=token_of(meetings[1]["manage_url"]))
		self.assertEqual(r.status_code, 200, r.text[:300])
		run_background_jobs()
		frappe.db.commit()
		for address in ("series@example.org", HOST):
			cancel = attached([names[1]], address)[-1]
			self.assertEqual(str(cancel["METHOD"]), "CANCEL", address)
			self.assertEqual([str(e["UID"]) for e in events_of(cancel)], [uids[1]])
			self.assertEqual([str(e["STATUS"]) for e in events_of(cancel)], ["CANCELLED"])
			self.assertEqual(instants(cancel), [starts[1]])
			self.assertEqual([int(e["SEQUENCE"]) for e in events_of(cancel)], [1])  # a new STATUS
		gone = self.download(token_of(meetings[1]["manage_url"]))
		self.assertEqual(
			(str(gone["METHOD"]), [str(e["UID"]) for e in events_of(gone)]), ("CANCEL", [uids[1]])
		)
		# the download now holds the three left
		left = self.download(token_of(data["manage_url"]))
		self.assertEqual([str(e["UID"]) for e in events_of(left)], [uids[0], *uids[2:]])
		# the rest of the series: a CANCEL of each one's UID
		r = self.post("cancel", token=token_of(meetings[2]["manage_url"]), following=1)
		self.assertEqual(r.status_code, 200, r.text[:300])
		run_background_jobs()
		frappe.db.commit()
		for index in (2, 3):
			cancel = attached([names[index]], "series@example.org")[-1]
			self.assertEqual(str(cancel["METHOD"]), "CANCEL")
			self.assertEqual([str(e["UID"]) for e in events_of(cancel)], [uids[index]])
		# the manage page lists every meeting with its end; the cancelled ones have no links
		page = self.server.get(f"/book/manage/{token_of(data['manage_url'])}", timeout=30)
		self.assertEqual(page.status_code, 200)
		listed = page_data(page.text)["booking"]["series"]["meetings"]
		self.assertEqual([m["end"] for m in listed], [iso(s + timedelta(hours=1)) for s in starts])
		self.assertEqual([bool(m.get("calendar")) for m in listed], [True, False, False, False])

	# --- a two-day workshop -------------------------------------------------------------------
	def test_a_two_day_workshop_is_two_events_in_every_calendar_and_moves_and_goes_as_one(self):
		from scheduler_integration.scheduler_integration.doctype.scheduler_calendar_connection.test_scheduler_calendar_connection import (
			radicale_class,
			writing_caldav,
		)

		make_type(
			self.profile,
			"workshop",
			"Custom",
			custom_duration=480,
			slot_interval=60,
			days=2,
			day_mode="Consecutive Days",
		)
		# the page says what it is: two days, eight hours each (not "480 min")
		page = self.server.get(f"/book/{PROFILE}/workshop", timeout=30)
		self.assertEqual(page.status_code, 200)
		head = page.text[page.text.index('<header class="sched-head">') : page.text.index("</header>")]
		self.assertIn("2 days, 8 h a day", head)
		self.assertNotIn("480 min", head)

		Radicale = radicale_class()
		radicale = Radicale(Path(tempfile.mkdtemp(prefix="radicale-")))
		radicale.start()
		try:
			account, calendar_url, _connection = writing_caldav(HOST, radicale, "Work", "work")
			self.check_workshop(account, calendar_url)
			account.close()
		finally:
			radicale.stop()

	def check_workshop(self, account, calendar_url):
		days = [at(self.monday + timedelta(days=i), 9) for i in range(2)]
		r = guest_book(
			self.server,
			PROFILE,
			"workshop",
			iso(days[0]),
			name="Wanda Workshop",
			email="workshop@example.org",
		)
		self.assertEqual(r.status_code, 201, r.text[:500])
		data = body(r)["data"]
		names = frappe.get_all(
			"Scheduler Booking", filters={"host": HOST}, pluck="name", order_by="series_index asc"
		)
		self.assertEqual(len(names), 2)
		run_background_jobs()
		docs = self.docs(names)
		uids = [doc.ical_uid for doc in docs]
		# the download and the guest's one confirmation: both days, 09:00-17:00 each
		for calendar in (
			self.download(token_of(data["manage_url"])),
			*attached(names, "workshop@example.org"),
		):
			self.assertEqual(str(calendar["METHOD"]), "PUBLISH")
			self.assertEqual([str(e["UID"]) for e in events_of(calendar)], uids)
			self.assertEqual(instants(calendar), days)
			self.assertEqual(instants(calendar, "DTEND"), [d + timedelta(hours=8) for d in days])
		self.assertEqual(len(attached(names, "workshop@example.org")), 1, "one confirmation for both days")
		(host,) = attached(names, HOST)
		self.assertEqual((str(host["METHOD"]), instants(host)), ("REQUEST", days))
		# the host's desk calendar: an Event for each day, on the guest's record
		events = [frappe.get_doc("Event", doc.hosts[0].event) for doc in docs if doc.hosts[0].event]
		self.assertEqual(len(events), 2, "an Event for each day")
		self.assertEqual([to_utc(e.starts_on) for e in events], days)
		self.assertEqual([to_utc(e.ends_on) for e in events], [d + timedelta(hours=8) for d in days])
		self.assertEqual({e.owner for e in events}, {HOST})
		self.assertEqual(
			[e.subject.endswith(f"(day {i} of 2)") for i, e in enumerate(events, 1)], [True, True]
		)
		self.assertEqual(len({(e.reference_doctype, e.reference_docname) for e in events}), 1)
		self.assertTrue(events[1].reference_docname)
		# …and the host's CalDAV calendar, one event for each day
		for uid, start in zip(uids, days, strict=True):
			stored = account.get_event(calendar_url, uid)
			self.assertIsNotNone(stored, uid)
			self.assertEqual(instants(icalendar.Calendar.from_ical(stored)), [start])

		# the guest moves it a day later: both days move, everywhere (the new first day lies on
		# the old second day's own event in the host's calendar: the app's own events are no
		# busy time)
		moved = [d + timedelta(days=1) for d in days]
		r = self.post("reschedule", token=token_of(data["manage_url"]), start=iso(moved[0]), timezone="UTC")
		self.assertEqual(r.status_code, 200, r.text[:300])
		run_background_jobs()
		docs = self.docs(names)
		guest = attached(names, "workshop@example.org")[-1]
		self.assertEqual((str(guest["METHOD"]), instants(guest)), ("PUBLISH", moved))
		self.assertEqual([int(e["SEQUENCE"]) for e in events_of(guest)], [1, 1])
		host = attached(names, HOST)[-1]
		self.assertEqual((str(host["METHOD"]), instants(host)), ("REQUEST", moved))
		self.assertEqual(
			[to_utc(frappe.db.get_value("Event", d.hosts[0].event, "starts_on")) for d in docs], moved
		)
		for uid, start in zip(uids, moved, strict=True):
			self.assertEqual(
				instants(icalendar.Calendar.from_ical(account.get_event(calendar_url, uid))), [start]
			)

		# cancelled: one CANCEL of both days, both Events cancelled, both calendar events gone
		r = self.post("cancel", token=token_of(data["manage_url"]), reason="Plans changed")
		self.assertEqual(r.status_code, 200, r.text[:300])
		run_background_jobs()
		docs = self.docs(names)
		for address in ("workshop@example.org", HOST):
			cancel = attached(names, address)[-1]
			self.assertEqual(str(cancel["METHOD"]), "CANCEL", address)
			self.assertEqual([str(e["UID"]) for e in events_of(cancel)], uids)
			self.assertEqual(instants(cancel), moved)
			self.assertEqual([int(e["SEQUENCE"]) for e in events_of(cancel)], [2, 2])  # moved, cancelled
		self.assertEqual(
			{frappe.db.get_value("Event", d.hosts[0].event, "status") for d in docs}, {"Cancelled"}
		)
		for uid in uids:
			self.assertIsNone(account.get_event(calendar_url, uid))
		download = self.download(token_of(data["manage_url"]))
		self.assertEqual(str(download["METHOD"]), "CANCEL")
		self.assertEqual([str(e["UID"]) for e in events_of(download)], uids)


class TestConfirmationAndManagePages(SchedulerTestCase):
	"""The guest's confirmation and manage pages in Chromium (playwright-core, as
	``test_browser_e2e``): screenshots (desktop and 375 px) in <bench>/logs/scheduler-e2e/."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		cleanup([BROWSER_HOST], delete_users=True)
		cls._saved = set_settings(**NO_RATE_LIMITS)
		cls.outbox = Outbox()
		cls.profile = make_host(
			BROWSER_HOST, BROWSER_PROFILE, tz="Europe/Berlin", start="09:00", end="17:00", days=WEEKDAYS
		)
		make_type(cls.profile, "call", 30)
		make_type(cls.profile, "coaching", 60, allow_series=1, series_frequency="Weekly", series_max_count=4)
		make_type(
			cls.profile,
			"workshop",
			"Custom",
			custom_duration=480,
			slot_interval=60,
			days=2,
			day_mode="Consecutive Days",
		)
		clear_bookings([BROWSER_HOST])
		cls.server = LiveServer.get_instance()
		cls.shots = Path(frappe.get_site_path("..", "..", "logs", "scheduler-e2e")).resolve()
		cls.shots.mkdir(parents=True, exist_ok=True)

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		cls.outbox.close()
		set_settings(**cls._saved)
		clear_bookings([BROWSER_HOST])
		frappe.db.delete("Scheduler Booking Series", {"host": BROWSER_HOST})
		purge_guests(GUESTS)
		cleanup([BROWSER_HOST], delete_users=True)
		frappe.db.commit()
		super().tearDownClass()

	def run_pages(self, config: dict) -> dict:
		if not shutil.which("node") or not Path(os.environ.get("CHROMIUM", "/usr/bin/chromium")).exists():
			self.skipTest("browser test not run: Node.js or Chromium is missing")
		if not (node_modules() / "playwright-core").exists():
			self.skipTest(f"browser test not run: playwright-core is not in {node_modules()}")
		seen = run_script(self, "every_meeting.mjs", self.shots, config)
		self.assertEqual((seen["errors"], seen["dialogs"]), ([], []))
		for page, violations in seen["axe"].items():
			self.assertEqual(violations, [], f"axe on the {page} page")
		for page, overflow in seen["overflow"].items():
			self.assertFalse(overflow, f"the {page} page scrolls sideways at 375 px")
		frappe.db.commit()
		return seen

	def test_confirmation_and_manage_pages(self):
		# a weekday six weeks ahead: another month than today's, wherever the test runs
		day = next_monday(42) + timedelta(days=1)
		workshop_day = next_monday(21)
		seen = self.run_pages(
			{
				"base": self.server.base,
				"site": self.server.site,
				"profile": BROWSER_PROFILE,
				"shots": str(self.shots),
				"date": day.isoformat(),
				"workshop_date": workshop_day.isoformat(),
				"zone": "America/New_York",
				"guest": "page-guest@example.org",
				"series_guest": "page-series@example.org",
				"password": PASSWORD,
			}
		)
		booking = frappe.get_doc("Scheduler Booking", seen["booking"]["id"])
		start, end = to_utc(booking.start), to_utc(booking.end)
		# confirmation: where the email went, start and end with the zone, every calendar
		self.assertEqual(seen["sent"], "We sent the details to page-guest@example.org.")
		self.assertEqual(seen["zone"], "(America/New_York)")
		local_end = end.astimezone(NEW_YORK)
		self.assertEqual(seen["end"], f"{local_end.hour % 12 or 12}:{local_end:%M} {local_end:%p}")
		google = parse_qs(urlsplit(seen["links"]["google"]).query)
		self.assertEqual(google["dates"], [f"{start:%Y%m%dT%H%M%SZ}/{end:%Y%m%dT%H%M%SZ}"])
		self.assertEqual(google["text"], [f"Call with {frappe.utils.get_fullname(BROWSER_HOST)}"])
		self.assertTrue(
			seen["links"]["outlook"].startswith("https://outlook.live.com/calendar/0/action/compose?")
		)
		self.assertEqual(parse_qs(urlsplit(seen["links"]["outlook"]).query)["startdt"], [iso(start)])
		self.assertTrue(
			seen["links"]["office"].startswith("https://outlook.office.com/calendar/0/action/compose?")
		)
		self.assertIn(f"{PUBLIC}.ics?token=", seen["links"]["ics"])
		self.assertEqual(seen["manage_end"], seen["end"])
		# reschedule opens on the booking's month and day, not today's
		local = start.astimezone(NEW_YORK)
		self.assertEqual(seen["picker_month"], local.strftime("%B %Y"))
		self.assertEqual(seen["picker_selected"], local.date().isoformat())
		# cancel is a second step: nothing happened on the first click, Escape goes back
		self.assertEqual(seen["cancel_step"]["requests"], 0)
		self.assertEqual(seen["cancel_step"]["focus"], "sched-cancel-title")
		self.assertEqual(seen["cancel_step"]["back"], {"hidden": True, "focus": "sched-cancel"})
		self.assertEqual((booking.status, booking.cancel_reason), ("Cancelled", "Changed plans"))
		self.assertIn("cancelled", seen["cancel_notice"].lower())
		# a series' confirmation lists each meeting, each with its own calendar links
		self.assertEqual(seen["series_count"], 3)
		self.assertEqual(seen["series_google"], 3)
		self.assertEqual(seen["series_office"], 3)  # each meeting: Microsoft 365 too
		self.assertEqual(seen["series_ics"], "All meetings (.ics)")
		# a workshop's header: its days and daily hours on the guest's clock (Berlin's, chosen)
		self.assertEqual(seen["workshop_length"], "2 days, 9:00 AM – 5:00 PM")
		for name in ("every-confirmation", "every-manage", "every-cancel-step", "every-series-confirmation"):
			for size in ("desktop", "375px"):
				self.assertGreater((self.shots / f"{name}-{size}.png").stat().st_size, 5000, name)
