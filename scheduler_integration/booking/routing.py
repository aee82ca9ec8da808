"""A routing form's decision, as the booking page and the booking read it.

The form's controller (``scheduler_routing_form/submissions.submit``) decides where a prospect goes
(``rules.routing``) and stores the decision as a Scheduler Routing Submission with a
random 256-bit token (its SHA-256 stored). When the decision books a meeting the
prospect is sent to the type's page with ``?routed=<token>``; this module reads that
token back: which hosts the meeting is booked among, the answers that prefill the form,
and, when the booking is made, marks the submission Booked. A token books once and
stops working a day after the submission (410).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import frappe
from frappe import _

from scheduler_integration.booking.errors import LinkGone
from scheduler_integration.core.clock import to_utc, utc_now
from scheduler_integration.rules.personal_links import plausible, token_hash

DOCTYPE = "Scheduler Routing Submission"
BOOKED = "Booked"
# a routing question's answer that fills a field of the booking form
MAPS_TO = {"Name": "name", "Email": "email", "Phone": "phone", "Company": "company", "Notes": "notes"}


@dataclass(frozen=True)
class RoutedScope:
	name: str
	form: str
	meeting_type: str
	hosts: tuple[str, ...]  # the hosts it is booked among; () for the type's own
	prefill: dict  # the booking form's fields and answers (by question label)
	answers: dict  # every routing answer, by question label: kept with the booking


def _answers(row) -> dict:
	try:
		value = json.loads(row.answers) if isinstance(row.answers, str) else (row.answers or {})
	except ValueError:
		value = {}
	return value if isinstance(value, dict) else {}


def _scope(row) -> RoutedScope:
	form = frappe.get_cached_doc("Scheduler Routing Form", row.form)
	by_key = _answers(row)
	prefill: dict = {}
	labelled = {}
	for question in form.questions:
		value = by_key.get(question.question_key)
		if value in (None, "", []):
			continue
		labelled[question.label] = value
		field = MAPS_TO.get(question.maps_to or "")
		if field and isinstance(value, str):
			prefill[field] = value
	prefill["answers"] = dict(labelled)
	hosts = tuple(line.strip() for line in (row.hosts or "").splitlines() if line.strip())
	return RoutedScope(row.name, row.form, row.meeting_type, hosts, prefill, labelled)


def _row(token, for_update: bool = False):
	if not plausible(token):
		raise frappe.DoesNotExistError(_("This booking link does not exist"))
	rows = frappe.db.sql(
		"select name, form, status, meeting_type, hosts, answers, expires_at, booking "
		"from `tabScheduler Routing Submission` where token_hash = %(hash)s"
		+ (" for update" if for_update else ""),
		{"hash": token_hash(token)},
		as_dict=True,
	)
	if not rows or not rows[0].meeting_type:
		raise frappe.DoesNotExistError(_("This booking link does not exist"))
	row = rows[0]
	if row.status == BOOKED:
		raise LinkGone(_("This booking link has already been used."), "used")
	if row.expires_at and to_utc(row.expires_at) <= utc_now():
		raise LinkGone(_("This booking link has expired."), "expired")
	return row


def open_routed(token) -> RoutedScope:
	"""The decision of ``token`` while it may book (410 once booked or expired)."""
	return _scope(_row(token))


def take(token) -> RoutedScope:
	"""Lock the submission for this transaction (one booking per decision)."""
	return _scope(_row(token, for_update=True))


def booked(scope: RoutedScope, booking: str) -> None:
	frappe.db.set_value(DOCTYPE, scope.name, {"status": BOOKED, "booking": booking}, update_modified=False)
