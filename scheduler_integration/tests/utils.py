"""Test base class that works on Frappe v15 and v16, and leaves the site's bot check as it
found it.

v16 renamed FrappeTestCase to IntegrationTestCase (the old name stays as a deprecated
alias); importing the new one first keeps the suite quiet on v16.

A site asks the booking form for a proof of work (Settings → Booking Challenge Bits, 12 by
default). Most suites post bookings as plain HTTP clients, not as the page's script that
solves it, so each test class runs with it off and hands the site's own value back when
it ends (the suites about the bot check switch it on themselves, inside that).

Deleting a document leaves Frappe's audit trail: a "Deleted" Comment (the feed) and, unless
deleted permanently, a Deleted Document. A test class's clean-up deletes what it made, so
the trail its run left (created since the class started) goes too: the site keeps none of
the run's documents.

With SCHEDULER_TEST_TIMINGS set to a file, each class adds one line to it when it ends (its
name, seconds from setUpClass to the end of tearDownClass, tests run): `.ci/bench-suite` prints
the slowest classes of a run from it.
"""

import json
import os
import time
import unittest
from pathlib import Path

import frappe

from scheduler_integration.tests import scope

try:  # Frappe >= 15.x late / v16
	from frappe.tests import IntegrationTestCase as _Base
except ImportError:  # pragma: no cover - older v15
	from frappe.tests.utils import FrappeTestCase as _Base

__all__ = ["SchedulerTestCase", "no_test_records"]

SETTINGS = "Scheduler Settings"
CHALLENGE = "booking_challenge_bits"


def _set_challenge(bits) -> int | None:
	"""Set the proof of work's bits (committed); the value it had before."""
	before = frappe.db.get_single_value(SETTINGS, CHALLENGE)
	if bits is not None and int(before or 0) != int(bits):
		frappe.db.set_single_value(SETTINGS, CHALLENGE, int(bits))
		frappe.db.commit()
		frappe.clear_document_cache(SETTINGS, SETTINGS)
	return before


class SchedulerTestCase(_Base):
	@classmethod
	def setUpClass(cls):
		reason = scope.skip_reason(cls)  # the bench suite's passes (tests/scope.py)
		if reason:
			raise unittest.SkipTest(reason)
		cls._clock = time.monotonic()
		super().setUpClass()
		cls._site_challenge = _set_challenge(0)
		cls._started = frappe.utils.now_datetime()  # the clock "creation" is written on

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()  # what the class left uncommitted is not the site's
		_set_challenge(getattr(cls, "_site_challenge", None))
		_sweep_deletion_trail(getattr(cls, "_started", None))
		super().tearDownClass()
		_record_duration(cls)


def _record_duration(cls) -> None:
	path = os.environ.get("SCHEDULER_TEST_TIMINGS")
	if path and hasattr(cls, "_clock"):
		tests = sum(1 for name in dir(cls) if name.startswith("test"))
		with open(path, "a") as out:  # one short write per class: whole lines even from two sites
			out.write(f"{cls.__module__}.{cls.__qualname__}\t{time.monotonic() - cls._clock:.1f}\t{tests}\n")


def _sweep_deletion_trail(since) -> None:
	"""Remove the feed Comments and Deleted Documents the class's deletions left (committed)."""
	if since is None:
		return
	frappe.db.delete("Comment", {"comment_type": "Deleted", "creation": (">=", since)})
	frappe.db.delete("Deleted Document", {"creation": (">=", since)})
	frappe.db.commit()


DOCTYPES = Path(__file__).resolve().parents[1] / "scheduler_integration" / "doctype"
E2E = Path(__file__).resolve().parent / "e2e"  # the browser tests' scripts, wherever a test file sits


def before_tests():
	"""The ``before_tests`` hook: commit what Frappe's runner wrote before it (the scheduler
	switched off while tests run). ``run-tests --doctype`` starts the next transaction
	without a commit, which a site whose scheduler runs answers with ImplicitCommitError;
	``--module`` and ``--app`` commit it on their own."""
	frappe.db.commit()


TABLES = ("Table", "Table MultiSelect")


def no_test_records(doctype: str) -> list[str]:
	"""What a ``doctype/<x>/test_<x>.py`` sets as ``test_ignore``: the DocType itself and every
	DocType its Link and Table fields (and its tables' Link fields) point to, read from the JSON
	files (no site needed, so the module imports anywhere).

	Frappe's runner, meeting a test module beside a DocType (``run-tests --app`` and
	``--doctype``), makes the stock test records of the DocType and of every Link target,
	recursively: User's would leave test@example.com and its kind on the site, and the bench
	suite fails when a site is not left as it was found. ``test_ignore`` takes them out of that
	walk; the DocType itself too, so that nothing at all is made (not even Frappe's .test_log
	line). A Dynamic Link names no DocType, and Frappe's walk skips it too."""

	def fields(name: str) -> list[dict]:
		snake = name.lower().replace(" ", "_")
		return json.loads((DOCTYPES / snake / f"{snake}.json").read_text(encoding="utf-8"))["fields"]

	out = {doctype}
	for field in fields(doctype):
		if field.get("fieldtype") == "Link" and field.get("options"):
			out.add(field["options"])
		elif field.get("fieldtype") in TABLES:
			out.add(field["options"])
			out |= {
				row["options"]
				for row in fields(field["options"])
				if row.get("fieldtype") == "Link" and row.get("options")
			}
	return sorted(out)
