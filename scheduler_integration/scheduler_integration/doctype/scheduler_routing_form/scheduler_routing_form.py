# Copyright (c) 2026, scheduler_integration contributors
# For license information, please see license.txt

"""A routing form: public questions (``/book/route/<slug>``) and ordered rules that send a
prospect to the right meeting, web page or message (``rules.routing``).

This controller holds the form's own behaviour: its validation (questions, rules,
conditions, outcomes) and its rules as the engine reads them. What a guest's submission
does — the slug's form, the answers, the decision stored, the funnel — is ``submissions``
beside it, which keeps the slug → form lookup cached; every save, rename or deletion of a
form outdates its slugs there.
"""

import frappe
from frappe import _
from frappe.model.document import Document

from scheduler_integration.booking.meeting_types import meeting_type_doc
from scheduler_integration.core.errors import FieldErrors, translate
from scheduler_integration.core.hosts import bookable_hosts, type_hosts
from scheduler_integration.core.permissions import is_manager, may_book
from scheduler_integration.core.table_text import TableRowsAsText
from scheduler_integration.crm import fields as crm_fields
from scheduler_integration.engine.errors import SchedulingError
from scheduler_integration.engine.validation import (
	MAX_DESCRIPTION,
	MAX_MESSAGE,
	clean_text,
	clean_url,
	slugify,
)
from scheduler_integration.rules.guest_form import (
	MAX_QUESTIONS,
	QUESTION_KEY,
	Question,
	clean_question,
	question_options,
)
from scheduler_integration.rules.prefill import PAGE_PARAMETERS
from scheduler_integration.rules.routing import (
	BOOKING_OUTCOMES,
	MAX_CONDITION_VALUE,
	MAX_CONDITIONS,
	MAX_RULES,
	NUMERIC,
	OPERATORS,
	Condition,
	Outcome,
	Rule,
	number,
)
from scheduler_integration.scheduler_integration.doctype.scheduler_routing_form import submissions

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
		# its slug, and the one it had: either may now lead elsewhere (or, inactive, nowhere)
		before = self.get_doc_before_save()
		submissions.invalidate([self.slug, before.slug if before else None])

	def after_rename(self, old, new, merge=False):
		submissions.invalidate([self.slug])  # the slug's entry names the old name

	def on_trash(self):
		submissions.invalidate([self.slug])


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
