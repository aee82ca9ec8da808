"""Test base class that works on Frappe v15 and v16.

v16 renamed FrappeTestCase to IntegrationTestCase (the old name stays as a deprecated
alias); importing the new one first keeps the suite quiet on v16.
"""

try:  # Frappe >= 15.x late / v16
	from frappe.tests import IntegrationTestCase as SchedulerTestCase
except ImportError:  # pragma: no cover - older v15
	from frappe.tests.utils import FrappeTestCase as SchedulerTestCase

__all__ = ["SchedulerTestCase"]
