"""Report-link references carried into bookings (filled in by the report integration)."""

from __future__ import annotations


def reference_from_token(ref: str | None) -> dict:
	"""Booking fields for a report-link reference token; {} when absent or unknown.

	A genuine token (see services/report_links.py) gives ``reference_doctype``,
	``reference_name`` (when the referenced document still exists) and ``source`` "report".
	"""
	from scheduler_integration.services.report_links import reference_fields

	return reference_fields(ref)
