"""Which bench-suite passes run a test module.

The bench suite runs on a Frappe-only site and on an ERPNext + Frappe CRM + payments site, once
with no background processes and once with workers and the scheduler. A module whose behaviour
is the app's and Frappe's alone (slots, pages, caches, reminders, video links, query shapes, the
browser flows) gives the same answer on both sites and in both passes: it runs once, on the first
site with background processes, as a real deployment runs. Modules that touch what ERPNext, Frappe
CRM or payments change (the CRM effect, Leads and Deals, payments, routing, permissions, install)
run in every pass on every site.

`.ci/bench-suite` says which pass this is with SCHEDULER_TEST_PASS; run by hand (no variable) or
with SCHEDULER_LONG_TESTS=1, every module runs.
"""

import os
import unittest

# the passes that leave the site-independent modules to the first site's background pass
_NARROW_PASSES = {"plain", "other-site"}


def _narrow() -> bool:
	return (
		os.environ.get("SCHEDULER_TEST_PASS") in _NARROW_PASSES
		and os.environ.get("SCHEDULER_LONG_TESTS") != "1"
	)


def one_site(cls):
	"""Class decorator: the module's behaviour does not depend on the site's other apps or on
	who runs its jobs; it runs in the first site's pass with background processes only."""
	return unittest.skipIf(
		_narrow(),
		"site-independent: runs on the first site with workers (SCHEDULER_LONG_TESTS=1: everywhere)",
	)(cls)
