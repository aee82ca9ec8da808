# Copyright (c) 2026, scheduler_integration contributors
# For license information, please see license.txt

"""A routing form: public questions (``/book/route/<slug>``) and ordered rules that send a
prospect to the right meeting, web page or message (``rules.routing``).

``submit`` is the path of a submission: the answers cleaned like a booking form's
(``rules.guest_form.clean_answers``), the prospect looked up in the CRM by the answer
that fills the booking's Email (and Phone) — one person, one record, the same lookup
bookings use (``crm.records``) — the rules evaluated, and the decision
stored as a Scheduler Routing Submission (form, rule, outcome, answers, record; its
booking once made). A decision that books hands the prospect to the meeting type's page
with a token that carries the hosts, and prefills the form (``booking.routing``).
"""

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
from scheduler_integration.core.errors import FieldErrors, FieldValidationError, translate
from scheduler_integration.core.hosts import bookable_hosts, type_hosts
from scheduler_integration.core.permissions import is_manager, may_book
from scheduler_integration.core.table_text import TableRowsAsText
from scheduler_integration.crm import fields as crm_fields
from scheduler_integration.crm.records import find_by, record_owner
from scheduler_integration.engine.errors import SchedulingError
from scheduler_integration.engine.validation import (
	MAX_DESCRIPTION,
	MAX_MESSAGE,
	clean_slug,
	clean_text,
	clean_url,
	slugify,
)
from scheduler_integration.rules.guest_form import (
	MAX_QUESTIONS,
	QUESTION_KEY,
	Question,
	clean_answers,
	clean_question,
	question_options,
)
from scheduler_integration.rules.personal_links import new_token, token_hash
from scheduler_integration.rules.prefill import PAGE_PARAMETERS, clean_prefill
from scheduler_integration.rules.routing import (
	BOOKING_OUTCOMES,
	MAX_CONDITION_VALUE,
	MAX_CONDITIONS,
	MAX_RULES,
	NUMERIC,
	OPERATORS,
	Condition,
	KnownRecord,
	Outcome,
	RoutingCounts,
	Rule,
	number,
	route,
)
from scheduler_integration.rules.routing import funnel as count_funnel

ROUTED_LINK_HOURS = 24  # a decision's booking link works this long (and books once)
# outcomes that book among a subset of a type's hosts: round robin picks among them
SUBSET_OUTCOMES = ("Record Owner", "Team Hosts")


class SchedulerRoutingForm(TableRowsAsText, Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from scheduler_integration.scheduler_integration.doctype.scheduler_routing_condition.scheduler_routing_condition import (
			SchedulerRoutingCondition,
		)
		from scheduler_integration.scheduler_integration.doctype.scheduler_routing_question.scheduler_routing_question import (
			SchedulerRoutingQuestion,
		)
		from scheduler_integration.scheduler_integration.doctype.scheduler_routing_rule.scheduler_routing_rule import (
			SchedulerRoutingRule,
		)

		active: DF.Check
		builder_html: DF.HTML | None
		conditions: DF.Table[SchedulerRoutingCondition]
		description: DF.SmallText | None
		fallback_meeting_type: DF.Link | None
		fallback_message: DF.SmallText | None
		fallback_outcome: DF.Literal["Message", "Meeting Type", "External URL"]
		fallback_url: DF.SmallText | None
		funnel_html: DF.HTML | None
		questions: DF.Table[SchedulerRoutingQuestion]
		rules: DF.Table[SchedulerRoutingRule]
		slug: DF.Data
		title: DF.Data
		user: DF.Link | None

	# end: auto-generated types
	def validate(self):
		# the form is its creator's; a Scheduler Manager may give it to another host
		before = None if self.is_new() else self.get_doc_before_save()
		if not self.user or not is_manager():
			self.user = before.user if before and before.user else frappe.session.user
		errors = FieldErrors()
		errors.title_and_slug(self, _("This link is already taken"))
		self.description = errors.clean(
			"description", clean_text, self.description, "description", MAX_DESCRIPTION, multiline=True
		)
		self.validate_questions(errors)
		self.validate_rules(errors)
		errors.raise_if_any()

	def validate_questions(self, errors: FieldErrors) -> None:
		keys = set()
		if len(self.questions or []) > MAX_QUESTIONS:
			errors.add("questions", _("A form has at most {0} questions").format(MAX_QUESTIONS))
		for row in self.questions or []:
			row.question_key = (row.question_key or slugify(row.label or "").replace("-", "_")).strip()
			if not QUESTION_KEY.match(row.question_key or ""):
				errors.add(
					"questions",
					_("Row {0}: a key is lowercase letters, digits and _, starting with a letter").format(
						row.idx
					),
				)
			elif row.question_key in PAGE_PARAMETERS:
				errors.add(
					"questions", _("Row {0}: the key {1} is reserved").format(row.idx, row.question_key)
				)
			elif row.question_key in keys:
				errors.add(
					"questions", _("Row {0}: the key {1} is used twice").format(row.idx, row.question_key)
				)
			keys.add(row.question_key)
			try:
				row.label, row.fieldtype = clean_question(row.label, row.fieldtype, row.options)
			except SchedulingError as exc:
				errors.add("questions", _("Row {0}: {1}").format(row.idx, translate(exc)))
			problem = crm_fields.mapping_problem(row.crm_field) if row.crm_field else None
			if problem:
				errors.add("questions", _("Row {0}: {1}").format(row.idx, problem))

	def validate_rules(self, errors: FieldErrors) -> None:
		names = [row.rule_name for row in self.rules or []]
		if len(names) > MAX_RULES:
			errors.add("rules", _("A form has at most {0} rules").format(MAX_RULES))
		if len(set(names)) != len(names):
			errors.add("rules", _("Each rule needs its own name"))
		for row in self.rules or []:
			self.validate_outcome(
				errors, "rules", row.idx, row.outcome, row.meeting_type, row.url, row.message, row
			)
		self.validate_outcome(
			errors,
			"fallback_outcome",
			None,
			self.fallback_outcome,
			self.fallback_meeting_type,
			self.fallback_url,
			self.fallback_message,
			self,
			url_field="fallback_url",
			message_field="fallback_message",
		)
		keys = {row.question_key for row in self.questions or []}
		per_rule: dict[str, int] = {}
		for row in self.conditions or []:
			where = _("Condition {0}").format(row.idx)
			if row.rule not in names:
				errors.add("conditions", _("{0}: no rule is called {1}").format(where, row.rule))
			per_rule[row.rule] = per_rule.get(row.rule, 0) + 1
			if row.operator not in OPERATORS:
				errors.add("conditions", _("{0}: pick a condition").format(where))
			elif row.operator != "known record" and row.question not in keys:
				errors.add(
					"conditions", _("{0}: no question has the key {1}").format(where, row.question or "")
				)
			elif len(row.value or "") > MAX_CONDITION_VALUE:
				errors.add(
					"conditions",
					_("{0}: a value has at most {1} characters").format(where, MAX_CONDITION_VALUE),
				)
			elif row.operator in NUMERIC and number(row.value) is None:
				errors.add("conditions", _("{0}: compare with a number").format(where))
		if any(count > MAX_CONDITIONS for count in per_rule.values()):
			errors.add("conditions", _("A rule has at most {0} conditions").format(MAX_CONDITIONS))

	def validate_outcome(
		self,
		errors,
		field,
		idx,
		kind,
		meeting_type,
		url,
		message,
		row,
		url_field="url",
		message_field="message",
	):
		where = _("Rule {0}").format(idx) if idx else _("When no rule matches")
		if kind in BOOKING_OUTCOMES:
			if not meeting_type:
				errors.add(field, _("{0}: pick a meeting type").format(where))
				return
			# as stored now (a save): a cached copy can lag the type's host rows
			mt = frappe.get_doc("Scheduler Meeting Type", meeting_type)
			if not may_book(meeting_type, self.user):
				errors.add(field, _("{0}: {1} is not a meeting type you may book").format(where, mt.title))
			if kind in SUBSET_OUTCOMES and mt.assignment != "Round Robin":
				errors.add(
					field, _("{0}: routing to an owner or some hosts needs a round-robin type").format(where)
				)
			if kind == "Team Hosts":
				hosts = [line.strip() for line in (row.get("hosts") or "").splitlines() if line.strip()]
				row.hosts = "\n".join(hosts)
				strangers = [user for user in hosts if user not in type_hosts(mt)]
				if not hosts or strangers:
					errors.add(field, _("{0}: list hosts of {1}, one per line").format(where, mt.title))
		elif kind == "External URL":
			row.set(url_field, errors.clean(field, clean_url, row.get(url_field), url_field, required=True))
		elif kind == "Message":
			row.set(
				message_field,
				errors.clean(
					field, clean_text, row.get(message_field), message_field, MAX_MESSAGE, multiline=True
				),
			)
		else:
			errors.add(field, _("{0}: pick where to send the prospect").format(where))

	def questions_for_guests(self) -> list[Question]:
		return [
			Question(row.label, row.fieldtype or "Data", bool(row.required), _options(row), row.question_key)
			for row in self.questions or []
		]

	def engine_rules(self) -> tuple[list[Rule], Outcome]:
		conditions: dict[str, list[Condition]] = {}
		for row in self.conditions or []:
			conditions.setdefault(row.rule, []).append(
				Condition(row.question or "", row.operator, row.value or "")
			)
		rules = [
			Rule(
				row.rule_name,
				_outcome(row.outcome, row.meeting_type, row.hosts, row.url, row.message),
				tuple(conditions.get(row.rule_name, ())),
			)
			for row in self.rules or []
		]
		fallback = _outcome(
			self.fallback_outcome, self.fallback_meeting_type, "", self.fallback_url, self.fallback_message
		)
		return rules, fallback

	def bookable_types(self) -> dict[str, tuple[str, ...]]:
		"""Every active meeting type the rules name, with its candidate hosts now."""
		names = {row.meeting_type for row in self.rules or [] if row.meeting_type}
		if self.fallback_meeting_type:
			names.add(self.fallback_meeting_type)
		out = {}
		for name in names:
			if not frappe.db.exists("Scheduler Meeting Type", name):
				continue
			mt = meeting_type_doc(name)
			hosts = tuple(bookable_hosts(mt)) if mt.active else ()
			if hosts:
				out[name] = hosts
		return out

	def on_update(self):
		frappe.cache.hdel("scheduler_integration:routing_form", self.slug)
		before = self.get_doc_before_save()
		if before and before.slug != self.slug:
			frappe.cache.hdel("scheduler_integration:routing_form", before.slug)

	def on_trash(self):
		frappe.cache.hdel("scheduler_integration:routing_form", self.slug)


def _options(row) -> tuple[str, ...]:
	return question_options(row.options)


def _outcome(kind, meeting_type, hosts, url, message) -> Outcome:
	return Outcome(
		kind or "Message",
		meeting_type or "",
		tuple(line.strip() for line in (hosts or "").splitlines() if line.strip()),
		url or "",
		message or "",
	)


def form_by_slug(slug) -> "SchedulerRoutingForm":
	"""The active form of ``slug`` (404 otherwise, also for a malformed slug)."""
	try:
		slug = clean_slug(slug, "form")
	except SchedulingError:
		raise frappe.DoesNotExistError(_("This form does not exist")) from None
	name = frappe.cache.hget("scheduler_integration:routing_form", slug)
	if name is None:
		name = frappe.db.get_value("Scheduler Routing Form", {"slug": slug, "active": 1}, "name") or ""
		frappe.cache.hset("scheduler_integration:routing_form", slug, name)
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
