"""The report section, rendered through its Jinja methods, adapts every line of its copy
to the client's DISC profile and phase: title, intro, the line above the types, the
secondary types' heading, the description's label, the buttons and the closing line
(the copy itself is table-tested in tests/test_report_copy.py)."""

from __future__ import annotations

import html

import frappe

from scheduler_integration.tests.factory import make_host, make_type
from scheduler_integration.tests.live import cleanup
from scheduler_integration.tests.utils import SchedulerTestCase

HOST = "sched-sections@example.com"

# profile, phase → the lines the section shows, in order
EXPECTED = {
	("D", "build"): [
		"Let's Discuss Your Next Steps",
		"Ready to move forward? Book a strategy session to create your implementation plan and hit the ground running.",
		"Based on your BUILD phase priorities, I recommend:",
		"30-Minute Strategy Session",
		"What We'll Cover:",
		"Schedule Your Strategy Session →",
		"Optional: 60-Minute Deep Dive",
		"Schedule a Deep Dive →",
	],
	("S", "Stabilize"): [
		"Let's Work Together on Your Next Steps",
		"You don't have to do this alone. I'm here to support you every step of the way.",
		"Let's schedule a call to review your action plan and make sure you feel comfortable with the next steps.",
		"30-Minute Strategy Session",
		"What We'll Discuss:",
		"Schedule a Call When You're Ready →",
		"No pressure, no rush.",
		"We'll take this at your pace.",
	],
	("Influence", "Build"): [
		"Let's Connect and Create Your Action Plan Together!",
		"Here's what I'd love to dive into together in your Build phase:",
		"What We'll Talk About:",
		"Let's Book Your Strategy Session! →",
		"Want to Go Further? 60-Minute Deep Dive",
		"Add a Deep Dive →",
		"I can't wait to get started!",
	],
	("c", "grow"): [
		"Schedule a Detailed Implementation Review",
		"Based on your Grow phase assessment, I recommend scheduling a detailed review",
		"Recommended sessions for the Grow phase, in order of priority:",
		"60-Minute Deep Dive",
		"Schedule the Deep Dive →",
		"Questions before you book?",
	],
	("", "Build"): [
		"Schedule a Follow-Up Call",
		"For your Build phase, I recommend:",
		"Schedule Your Strategy Session →",
		"Optional: 60-Minute Deep Dive",
		"Schedule a Deep Dive →",
	],
}


class TestReportSections(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.profile = make_host(HOST, "sections-host")
		frappe.db.set_value("Scheduler Profile", cls.profile, {"show_in_reports": 1, "embed_in_reports": 0})
		phases = lambda *names: [{"phase": n} for n in names]  # noqa: E731
		make_type(
			cls.profile,
			"strategy",
			30,
			title="30-Minute Strategy Session",
			description="Review your top 3 priority actions\nCreate a 90-day implementation timeline",
			recommended_phases=phases("Stabilize", "Build"),
			priority=10,
		)
		make_type(
			cls.profile,
			"deep-dive",
			60,
			title="60-Minute Deep Dive",
			description="Detailed implementation roadmap",
			recommended_phases=phases("Build", "Grow"),
			priority=8,
		)
		frappe.db.commit()

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		cleanup([HOST], delete_users=True)
		super().tearDownClass()

	def render(self, method: str, disc: str, phase: str) -> str:
		return frappe.render_template(f"{{{{ {method}({HOST!r}, {phase!r}, {disc!r}) }}}}", {})

	def test_every_adapted_line_per_profile_in_html_and_markdown(self):
		for (disc, phase), lines in EXPECTED.items():
			with self.subTest(disc=disc, phase=phase):
				page = html.unescape(self.render("scheduler_section", disc, phase))
				markdown = self.render("scheduler_section_markdown", disc, phase)
				plain_md = markdown.replace("\\", "")  # Markdown's escapes
				at = -1
				for line in lines:
					self.assertIn(line, page)
					self.assertGreater(page.index(line), at, f"{line!r} out of order")
					at = page.index(line)
					self.assertIn(line, plain_md)
				self.assertNotIn("Schedule Your 30-Minute", page)

	def test_the_seeds_d_example_in_markdown(self):
		markdown = self.render("scheduler_section_markdown", "D", "Build").replace("\\", "")
		head, _sep, rest = markdown.partition("### 30-Minute Strategy Session\n")
		self.assertTrue(head.endswith("Based on your BUILD phase priorities, I recommend:\n\n"), head)
		first, _sep, second = rest.partition("---\n\n### Optional: 60-Minute Deep Dive\n")
		self.assertTrue(
			first.startswith(
				"**Duration:** 30 minutes  \n**What We'll Cover:**  \n"
				"Review your top 3 priority actions  \nCreate a 90-day implementation timeline\n\n"
				"[Schedule Your Strategy Session →](<"
			),
			first,
		)
		self.assertIn("[Schedule a Deep Dive →](<", second)
		self.assertNotIn("No pressure", markdown)  # D closes on its buttons

	def test_the_seeds_s_example_closes_gently(self):
		page = self.render("scheduler_section", "S", "Stabilize")
		self.assertIn(
			'<p class="scheduler-closing"><strong>No pressure, no rush.</strong> '
			"We&#39;ll take this at your pace.</p>",
			page.replace("&#x27;", "&#39;"),
		)
		self.assertNotIn("Optional:", page)  # one recommended type: nothing secondary
