"""Answers that land on the CRM record: a question mapped to a field of the guest's lead,
deal or customer (a routing form question's *CRM Record Field*, or a meeting type
question's) writes its answer there — e.g. company size to ``no_of_employees``, the job
to ``job_title``.

Only into a plain data field (``rules.crm_fields``: text, numbers, a Select's options;
never owner, status, flags, links or emails — an allow-list, checked when the host maps
the question and again at every write), and only when it is empty or still holds what
Frappe put there by itself (its default; a Select's first option — Frappe CRM starts every
lead at 1-10 employees), so what a rep chose is never overwritten; each value must fit the
field (one of a Select's options, a number for a number). The record is saved as the
host, so its timeline shows the change; a save the record's own rules refuse is undone
and the booking's other CRM work stands.
"""

from __future__ import annotations

import json

import frappe

from scheduler_integration.booking.meeting_types import meeting_type_doc
from scheduler_integration.core.errors import translate
from scheduler_integration.rules.crm_fields import Field, mapping_refusal, refusal, valid_name
from scheduler_integration.rules.matching import PRECEDENCE
from scheduler_integration.rules.routing import number


def field_of(meta, fieldname: str) -> Field | None:
	"""``fieldname`` of a record's meta as the allow-list reads it (None: no such field)."""
	df = meta.get_field(fieldname) if valid_name(fieldname) else None
	if df is None:
		return None
	return Field(
		fieldname=df.fieldname,
		fieldtype=df.fieldtype or "",
		options=df.options or "",
		read_only=bool(df.read_only),
		hidden=bool(df.hidden),
		set_only_once=bool(df.set_only_once),
		fetch_from=df.fetch_from or "",
	)


def record_doctypes() -> list[str]:
	"""The CRM record DocTypes of this site a guest's booking may land on."""
	return [doctype for doctype in PRECEDENCE if frappe.db.exists("DocType", doctype)]


def mapping_problem(fieldname) -> str | None:
	"""Why a question may not map to ``fieldname`` (translated; None: it may): checked when a
	host saves a meeting type or routing form (``rules.crm_fields``)."""
	fields = {doctype: field_of(frappe.get_meta(doctype), fieldname) for doctype in record_doctypes()}
	problem = mapping_refusal(fieldname, fields)
	return translate(problem) if problem else None


def mapped_fields(doc) -> dict[str, str]:
	"""{question label: field of the record} for the booking's routing form and type."""
	out: dict[str, str] = {}
	form = doc.get("routing_submission") and frappe.db.get_value(
		"Scheduler Routing Submission", doc.routing_submission, "form"
	)
	if form and frappe.db.exists("Scheduler Routing Form", form):
		for row in frappe.get_cached_doc("Scheduler Routing Form", form).questions:
			if row.get("crm_field"):
				out[row.label] = row.crm_field
	for row in meeting_type_doc(doc.meeting_type).questions:
		if row.get("crm_field"):
			out[row.label] = row.crm_field
	return out


def coerce(df, value):
	"""``value`` as ``df`` holds it, or None when it does not fit."""
	if isinstance(value, list):
		value = ", ".join(str(item) for item in value)
	if value in (None, ""):
		return None
	kind = df.fieldtype
	if kind in ("Int", "Float", "Currency", "Percent"):
		found = number(value)
		if found is None:
			return None
		return int(found) if kind == "Int" else found
	text = str(value).strip()
	if kind == "Select":
		options = [line.strip() for line in (df.options or "").splitlines()]
		return text if text in options else None
	limit = int(df.length or 0) or (140 if kind == "Data" else 5000)
	return text[:limit]


def _unset(df, current) -> bool:
	"""Does the record's field still hold nothing a person chose?"""
	if current in (None, "", 0):
		return True
	if df.default not in (None, "") and str(current) == str(df.default):
		return True
	first = next((line.strip() for line in (df.options or "").splitlines() if line.strip()), None)
	return df.fieldtype == "Select" and str(current) == first


def apply_answers(doc) -> list[str]:
	"""Write the booking's mapped answers onto its CRM record; the fields written."""
	if not (doc.crm_doctype and doc.crm_name):
		return []
	mapping = mapped_fields(doc)
	if not mapping:
		return []
	try:
		answers = json.loads(doc.answers) if isinstance(doc.answers, str) else (doc.answers or {})
	except ValueError:
		return []
	meta = frappe.get_meta(doc.crm_doctype)
	values = {}
	for label, field in mapping.items():
		# checked again at every write: the host's form may have been saved before the rule,
		# or the record's DocType changed since
		plain = field_of(meta, field)
		if plain is None or refusal(plain) is not None:
			continue
		df = meta.get_field(field)
		value = coerce(df, (answers or {}).get(label))
		if value is not None:
			values[field] = value
	if not values:
		return []
	record = frappe.get_doc(doc.crm_doctype, doc.crm_name)
	empty = {
		field: value for field, value in values.items() if _unset(meta.get_field(field), record.get(field))
	}
	if not empty:
		return []
	record.update(empty)
	frappe.db.savepoint("scheduler_answers")
	try:
		record.save(ignore_permissions=True)
	except frappe.ValidationError:
		frappe.db.rollback(save_point="scheduler_answers")
		frappe.clear_last_message()
		return []
	return sorted(empty)
