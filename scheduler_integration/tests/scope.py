"""Which bench-suite passes run a test module.

The bench suite runs every module once, on the Frappe-only site (test.localhost) with two RQ
workers and the scheduler running, as every real deployment runs them. A module runs a second
time, on the ERPNext + Frappe CRM + payments site (crm.localhost), only when those apps change
what it tests: it says so with ``@every_site`` and why, in one line. A second pass of any other
module proves nothing the first did not: the app's own code answers the same whatever else is
installed.

Why each ``@every_site`` module needs the second site (the modules say it too; ``tests/<area>/``
unless a DocType's folder is named, ``doctype/<x>/test_<x>.py``):
- the CRM effect writes Frappe CRM's leads, deals and tasks, ERPNext's Leads, Opportunities and
  to-dos instead of a bare Contact: crm/test_crm_activity, crm/test_crm_scheduling,
  crm/test_crm_schedule_browser (Frappe CRM's own UI), booking/test_booking_flow (the record a
  booking lands on), trust/test_trust_accounts (the fields a guest may write on a CRM record),
  trust/test_trust_scopes_and_effects (one Contact per guest at the CRM effect's first
  attempt), trust/test_side_doors_bookings (the CRM effect on decoded guest names),
  effects/test_automations (the no-show follow-up becomes a CRM task), trust/test_trust_races
  (the effect's writes racing desk and REST saves of the booking), booking/test_booking_deletion
  (the CRM Task a booking made goes with it), test_scheduler_profile (the first hour) and
  test_scheduler_routing_form (a prospect the CRM knows);
- the payments app: test_scheduler_payment (paid bookings), trust/test_trust_payments (its
  gateway, its guest card page, ERPNext's Payment Entries);
- ERPNext's own documents and pages: booking/test_out_of_office (its Holiday List),
  pages/test_page_frame (its website chrome);
- installing beside other apps: setup/test_installation, setup/test_demo_and_install;
- the clients generated from the document (api/test_generated_clients): their journeys book and
  confirm where those apps' records and answers take part, and must still read each answer.

`.ci/bench-suite` says which pass this is with SCHEDULER_TEST_PASS (``first-site``,
``other-site``; ``plain``: no background processes at all, every module, in long mode or when
asked for). Run by hand (no variable), or with SCHEDULER_LONG_TESTS=1 (every module in every
pass, and the pass without background processes on every site), every module runs.
"""

from __future__ import annotations

import os


def every_site(cls):
	"""Class decorator: ERPNext, Frappe CRM or payments change what the class tests, so it runs
	on every site of the bench suite (the class docstring or scope.py says why)."""
	cls.scheduler_every_site = True
	return cls


def skip_reason(cls) -> str | None:
	"""Why this pass leaves ``cls`` out, or None when it runs here."""
	if os.environ.get("SCHEDULER_LONG_TESTS") == "1":
		return None
	if os.environ.get("SCHEDULER_TEST_PASS") == "other-site" and not getattr(
		cls, "scheduler_every_site", False
	):
		return "runs on the first site (ERPNext, Frappe CRM and payments change nothing it tests)"
	return None
