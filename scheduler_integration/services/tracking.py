"""Report-link references carried into bookings (filled in by the report integration)."""

from __future__ import annotations


def reference_from_token(ref: str | None) -> dict:
	"""Booking fields for a report-link reference token; {} when absent or unknown."""
	return {}
