"""Providers' marks and meeting type colours (issue 53, items 2 and 3), on the real site.

Every new meeting type gets the default colour, whichever way it is made (the desk's
defaults, the host API, the quick set-up); a type stored without one shows the default on
the page. In a browser: the profile's connections, a connection's form, the connections list
and the meeting type's location picker show the provider's mark (loaded, with alt text)
beside its name and colour; the host's page with a pale yellow type and a default one passes
axe's colour-contrast rule in light and dark mode, each type's edge 3:1 from the card.
"""

from __future__ import annotations

import re
from pathlib import Path

import frappe

from scheduler_integration.booking.pages import page_data, type_summary
from scheduler_integration.rules.branding import BRANDS
from scheduler_integration.rules.colors import ACCENT, DEFAULT_TYPE_COLOR, contrast
from scheduler_integration.scheduler_integration.doctype.scheduler_profile import booking_page_setup
from scheduler_integration.tests.desk_setup import finish_setup, restore_setup
from scheduler_integration.tests.factory import make_host, make_type
from scheduler_integration.tests.live import PASSWORD, LiveServer, body, cleanup, make_user, method_url
from scheduler_integration.tests.pages.test_browser_e2e import missing, run_script
from scheduler_integration.tests.utils import SchedulerTestCase

HOST = "sched-marks-host@example.com"
SETUP_HOST = "sched-marks-setup@example.com"
PALE = "#FEF9C3"  # a pale yellow: nearly white on a white page


def hex_of(css: str) -> str:
	"""``rgb(r, g, b)`` as ``#rrggbb``."""
	red, green, blue = (int(n) for n in re.findall(r"\d+", css)[:3])
	return f"#{red:02x}{green:02x}{blue:02x}"


class TestProviderMarks(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cleanup([HOST, SETUP_HOST], delete_users=True)  # what a killed run left
		cls.profile = make_host(HOST, "marks-host", tz="UTC")
		cls.pale = make_type(cls.profile, "pale-call", 30, color=PALE, location_type="In Person")
		cls.plain = make_type(cls.profile, "plain-call", 30)
		frappe.set_user(HOST)
		cls.connections = [
			frappe.get_doc({"doctype": "Scheduler Calendar Connection", "host": HOST, **values}).insert().name
			for values in (
				# off: nothing syncs with these made-up addresses
				{"provider": "ICS", "enabled": 0, "ics_url": "https://calendar.example.com/marks.ics"},
				{"provider": "CalDAV", "enabled": 0, "caldav_url": "https://dav.example.com/marks/"},
			)
		]
		frappe.set_user("Administrator")
		frappe.db.commit()
		cls.server = LiveServer.get_instance()
		cls.setup = finish_setup()  # else the desk opens the setup wizard, not the form

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		restore_setup(getattr(cls, "setup", None))
		cleanup([HOST, SETUP_HOST], delete_users=True)  # types, profiles, connections too
		super().tearDownClass()

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()

	def test_every_new_meeting_type_gets_the_default_colour_and_keeps_another(self):
		self.assertEqual(
			frappe.db.get_value("Scheduler Meeting Type", self.plain, "color"), DEFAULT_TYPE_COLOR
		)
		self.assertEqual(frappe.db.get_value("Scheduler Meeting Type", self.pale, "color"), PALE)
		# the host API
		host = self.server.session(HOST)
		r = host.post(
			method_url(self.server, "scheduler_integration.api.meeting_type.create_meeting_type"),
			json={"name": "From the API", "slug": "api-call", "duration_minutes": 30},
			timeout=30,
		)
		self.assertEqual(r.status_code, 201, r.text[:300])
		made = body(r)["data"]["id"]
		self.addCleanup(self.delete_type, made)
		frappe.db.rollback()  # see what the web server committed
		self.assertEqual(frappe.db.get_value("Scheduler Meeting Type", made, "color"), DEFAULT_TYPE_COLOR)
		# the quick set-up of a new host's booking page
		make_user(SETUP_HOST)
		frappe.set_user(SETUP_HOST)
		setup = booking_page_setup.set_up(
			SETUP_HOST,
			booking_page_setup.Setup(display_name="Marks Setup", slug="marks-setup", timezone="UTC"),
		)
		frappe.set_user("Administrator")
		frappe.db.commit()
		self.assertEqual(setup.meeting_type.color, DEFAULT_TYPE_COLOR)

	@staticmethod
	def delete_type(name: str) -> None:
		frappe.set_user("Administrator")
		frappe.delete_doc("Scheduler Meeting Type", name, ignore_permissions=True, force=True)
		frappe.db.commit()

	def test_a_type_stored_without_a_colour_shows_the_default(self):
		doc = frappe.get_doc("Scheduler Meeting Type", self.plain)
		doc.color = None  # as types made before the field had a default are stored
		summary = type_summary(doc)
		self.assertEqual(summary["color"], DEFAULT_TYPE_COLOR)
		self.assertEqual(summary["accent"], {"light": "#3b82f6", "dark": "#3b82f6"})
		pale = type_summary(frappe.get_doc("Scheduler Meeting Type", self.pale))
		self.assertEqual(pale["color"], PALE)
		self.assertNotEqual(pale["accent"]["light"], PALE.lower())  # darkened for the white page
		self.assertEqual(pale["accent"]["dark"], PALE.lower())  # already stands out on the dark one
		listed = {t["slug"]: t for t in page_data("marks-host")["meeting_types"]}
		self.assertEqual(set(listed), {"pale-call", "plain-call"})

	def test_in_the_browser_marks_in_the_desk_and_readable_colours_on_the_page(self):
		if reason := missing():
			self.skipTest(f"browser test not run: {reason}")
		# the plain type as an older site stores it: no colour
		frappe.db.set_value("Scheduler Meeting Type", self.plain, "color", None, update_modified=False)
		frappe.db.commit()
		shots = Path(frappe.get_site_path("..", "..", "logs", "scheduler-e2e")).resolve()
		shots.mkdir(parents=True, exist_ok=True)
		seen = run_script(
			self,
			"provider_marks.mjs",
			shots,
			{
				"base": self.server.base,
				"site": self.server.site,
				"shots": str(shots),
				"user": HOST,
				"password": PASSWORD,
				"profile": self.profile,
				"connection": self.connections[0],
				"meeting_type": self.pale,
				"page": "marks-host",
			},
		)
		self.assertEqual(seen["errors"], [])
		desk = seen["desk"]

		def shown(marks, *values):
			"""Every mark loaded, with its name as alt text, and the ones of ``values``."""
			for mark in marks:
				self.assertTrue(mark["loaded"], mark)
				self.assertTrue(mark["alt"], mark)
			self.assertEqual(
				[(m["file"], m["alt"]) for m in marks], [(BRANDS[v].icon, BRANDS[v].label) for v in values]
			)

		# the profile's connections: mark, name and the brand's colour on the row's edge
		shown(desk["profile"], "ICS", "CalDAV")
		self.assertEqual([row["text"] for row in desk["profile_rows"]], ["ICS", "CalDAV"])
		self.assertEqual(
			[hex_of(row["edge"]) for row in desk["profile_rows"]],
			[BRANDS["ICS"].color, BRANDS["CalDAV"].color],
		)
		self.assertEqual({row["edge_width"] for row in desk["profile_rows"]}, {"4px"})
		shown(desk["connection"], "ICS")  # the connection's form
		# the connections list (newest first)
		shown(desk["list"], "CalDAV", "ICS")
		# the location picker: the chosen location's mark in the Select, another when changed,
		# none when cleared
		shown(desk["location"], "In Person")
		self.assertEqual(desk["location_select"]["value"], "In Person")
		self.assertTrue(desk["location_select"]["visible"])
		shown(desk["location_changed"], "Zoom")
		self.assertEqual(desk["location_cleared"], [])
		# the page: no text below 4.5:1, light and dark; each type's edge 3:1 from its card
		for scheme in ("light", "dark"):
			self.assertEqual(seen["axe"][f"page, {scheme}"], [], scheme)
			cards = {card["type"]: card for card in seen["page"][scheme]}
			self.assertEqual(set(cards), {"pale-call", "plain-call"})
			for card in cards.values():
				self.assertGreaterEqual(
					contrast(hex_of(card["edge"]), hex_of(card["background"])), ACCENT, card
				)
			self.assertEqual(hex_of(cards["plain-call"]["edge"]), DEFAULT_TYPE_COLOR.lower())
		# the pale type: darkened on the light page, itself on the dark one
		pale = {
			scheme: next(c for c in seen["page"][scheme] if c["type"] == "pale-call")
			for scheme in seen["page"]
		}
		self.assertNotEqual(hex_of(pale["light"]["edge"]), PALE.lower())
		self.assertEqual(hex_of(pale["dark"]["edge"]), PALE.lower())
