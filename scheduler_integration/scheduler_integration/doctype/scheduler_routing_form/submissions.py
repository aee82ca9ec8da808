"""What a guest's routing form submission does, beside the form's controller.

``submit`` is the path of a submission: the answers cleaned like a booking form's
(``rules.guest_form.clean_answers``), the prospect looked up in the CRM by the answer
that fills the booking's Email (and Phone) — one person, one record, the same lookup
bookings use (``crm.records``) — the rules evaluated, and the decision
stored as a Scheduler Routing Submission (form, rule, outcome, answers, record; its
booking once made). A decision that books hands the prospect to the meeting type's page
with a token that carries the hosts, and prefills the form (``booking.routing``).
``funnel`` counts the stored decisions; ``page_data`` is what the form's page shows.

Which form a slug leads to is kept per worker process like the booking pages' slugs
(``core.versioned_cache``, ``FORMS``): the form's controller outdates a slug on every
save (its old slug too), rename and deletion; an unknown slug is cached as unknown until
a form takes it.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Literal, TypedDict

import frappe
from frappe import _
from frappe.model.document import Document

from scheduler_integration.booking import pages
from scheduler_integration.booking.meeting_types import meeting_type_doc
from scheduler_integration.booking.presentation import booking_page_url
from scheduler_integration.core.answers import Url
from scheduler_integration.core.clock import to_system, utc_now
from scheduler_integration.core.errors import FieldValidationError, translate
from scheduler_integration.core.versioned_cache import VersionedCache
from scheduler_integration.crm.records import find_by, record_owner
from scheduler_integration.engine.errors import SchedulingError
from scheduler_integration.engine.validation import clean_slug
from scheduler_integration.rules.guest_form import Question, clean_answers
from scheduler_integration.rules.personal_links import new_token, token_hash
from scheduler_integration.rules.prefill import PAGE_PARAMETERS, clean_prefill
from scheduler_integration.rules.routing import KnownRecord, RoutingCounts, route
from scheduler_integration.rules.routing import funnel as count_funnel

ROUTED_LINK_HOURS = 24  # a decision's booking link works this long (and books once)
FORMS = VersionedCache("scheduler_integration:routing_form_slug")  # slug -> active form's name


def invalidate(slugs) -> None:
	"""Outdate the forms of these slugs (old and new, on a change of slug)."""
	FORMS.invalidate(slug for slug in slugs if slug)


def _build(slugs: list[str]) -> dict[str, str | None]:
	"""The active forms of ``slugs`` in one query (None: no active form has it)."""
	found = dict(
		frappe.get_all(
			"Scheduler Routing Form",
			filters={"slug": ("in", slugs), "active": 1},
			fields=["slug", "name"],
			as_list=True,
		)
	)
	return {slug: found.get(slug) for slug in slugs}


def form_by_slug(slug) -> Document:
	"""The active form of ``slug`` (404 otherwise, also for a malformed slug)."""
	try:
		slug = clean_slug(slug, "form")
	except SchedulingError:
		raise frappe.DoesNotExistError(_("This form does not exist")) from None
	name = FORMS.get_many([slug], _build)[slug]
	if not name:
		raise frappe.DoesNotExistError(_("This form does not exist"))
	return frappe.get_cached_doc("Scheduler Routing Form", name)


def guest_questions(form) -> list[Question]:
	"""The form's questions as the engine checks them; Country questions choose among the
	site's countries."""
	out = []
	for question in form.questions_for_guests():
		if question.fieldtype == "Country":
			question = Question(question.label, "Country", question.required, pages.countries(), question.key)
		out.append(question)
	return out


def page_questions(form) -> list[dict]:
	return [
		{
			"key": q.key,
			"label": q.label,
			"fieldtype": q.fieldtype,
			"required": q.required,
			"options": list(q.options),
		}
		for q in guest_questions(form)
	]


class RoutedToBooking(TypedDict):
	"""A routing decision that books: the meeting type's page with the routed token, its
	form prefilled; ``submission`` is the stored decision."""

	action: Literal["book"]
	url: Url
	submission: str


class RoutedToPage(TypedDict):
	"""A routing decision that sends the prospect to a web page."""

	action: Literal["redirect"]
	url: Url
	submission: str


class RoutedToMessage(TypedDict):
	"""A routing decision that shows the prospect a message."""

	action: Literal["message"]
	message: str
	submission: str


RoutingDecision = RoutedToBooking | RoutedToPage | RoutedToMessage


def submit(slug, answers_in) -> RoutingDecision:
	"""Clean the answers, find the prospect, decide and store the decision. Returns what
	the page does next: ``{"action": "book", "url"}``, ``{"action": "redirect", "url"}``
	or ``{"action": "message", "message"}``."""
	form = form_by_slug(slug)
	questions = guest_questions(form)
	answers, errors = clean_answers(answers_in, questions, by_key=True)
	if errors:
		raise FieldValidationError(
			_("Please correct these fields"), {field: translate(exc) for field, exc in errors.items()}
		)
	by_role = {row.maps_to: answers.get(row.question_key) for row in form.questions or [] if row.maps_to}
	email = by_role.get("Email") if isinstance(by_role.get("Email"), str) else ""
	phone = by_role.get("Phone") if isinstance(by_role.get("Phone"), str) else ""
	found = find_by(email, phone) if (email or phone) else (None, None)
	record = None
	if found[0]:
		record = KnownRecord(found[0], str(found[1]), record_owner(*found))
	rules, fallback = form.engine_rules()
	decision = route(rules, answers, record, fallback, form.bookable_types())
	token = new_token() if decision.books else None
	# routed: a rule decided, or the fallback sent the prospect on (a meeting, a web page);
	# a fallback message is the funnel's drop-off
	status = "Routed" if (decision.rule or decision.books or decision.url) else "Submitted"
	row = frappe.get_doc(
		{
			"doctype": "Scheduler Routing Submission",
			"form": form.name,
			"form_owner": form.user,
			"status": status,
			"guest_email": email or None,
			"rule": decision.rule,
			"outcome": decision.kind,
			"meeting_type": decision.meeting_type or None,
			"hosts": "\n".join(decision.hosts),
			"url": decision.url or None,
			"message": decision.message or None,
			"answers": json.dumps(answers, ensure_ascii=False, default=str),
			"record_doctype": record.doctype if record else None,
			"record_name": record.name if record else None,
			"record_owner": record.owner if record else None,
			"passed_over": "\n".join(f"{name}: {why}" for name, why in decision.passed_over),
			"token_hash": token_hash(token) if token else None,
			"expires_at": to_system(utc_now() + timedelta(hours=ROUTED_LINK_HOURS)) if token else None,
		}
	)
	row.flags.ignore_permissions = True  # a guest's submission; only this path writes it
	row.flags.ignore_links = True  # every link was read just now
	row.insert()
	if decision.books:
		mt = meeting_type_doc(decision.meeting_type)
		return {"action": "book", "url": f"{booking_page_url(mt)}?routed={token}", "submission": row.name}
	if decision.url:
		return {"action": "redirect", "url": decision.url, "submission": row.name}
	message = decision.message or _("Thank you. We will be in touch.")
	return {"action": "message", "message": message, "submission": row.name}


def funnel(forms: list[str], since=None) -> dict[str, RoutingCounts]:
	"""{form: {"submitted", "routed", "booked"}} from the stored decisions."""
	filters = {"form": ("in", forms or [""])}
	if since:
		filters["creation"] = (">=", since)
	statuses: dict[str, list[str]] = {form: [] for form in forms}
	for row in frappe.get_all("Scheduler Routing Submission", filters=filters, fields=["form", "status"]):
		statuses.setdefault(row.form, []).append(row.status)
	return {form: count_funnel(values) for form, values in statuses.items()}


def page_data(slug, params=None) -> dict:
	"""What the form's page shows (``www/book/route.py``); ``params``: the URL's query, whose
	``?<question key>=…`` prefill the answers (cleaned like them, a bad value dropped)."""
	form = form_by_slug(slug)
	questions = guest_questions(form)
	prefill = clean_prefill(params or {}, questions, reserved=PAGE_PARAMETERS, fields=())["answers"]
	return {
		"slug": form.slug,
		"title": form.title,
		"description": form.description or "",
		"questions": page_questions(form),
		"prefill": {q.key: prefill[q.label] for q in questions if q.label in prefill},
		"organization": pages.organization(),
	}
