"""The default booking emails became translatable (``{{ _("…") }}``, written in the reader's
language). Email Templates are created once and then belong to the admins, so a stored
template is replaced only when nobody changed it: never saved since it was created, or
still saying exactly what the default says (both rendered in English with sample values,
every variable set, then every one empty). An edited template is left alone."""

import re

import frappe

from scheduler_integration.effects.email_templates import DEFAULT_TEMPLATES, SMS_TEMPLATES

_NAMES = re.compile(r"\{\{\s*(\w+)|\{%\s*if\s+(\w+)")


def _same_in_english(stored: str, default: str) -> bool:
	names = {a or b for a, b in _NAMES.findall(stored + default)} - {"_"}
	for filled in (True, False):
		values = {name: f"[{name}]" if filled else "" for name in names}
		if frappe.render_template(stored or "", values) != frappe.render_template(default, values):
			return False
	return True


def execute():
	previous = frappe.local.lang
	frappe.local.lang = "en"
	try:
		for name, (subject, text) in {**DEFAULT_TEMPLATES, **SMS_TEMPLATES}.items():
			field = "response_html" if name in DEFAULT_TEMPLATES else "response"
			row = frappe.db.get_value(
				"Email Template", name, ["subject", field, "creation", "modified"], as_dict=True
			)
			if not row or "_(" in (row.get(field) or ""):
				continue
			untouched = row.modified == row.creation
			if untouched or (
				_same_in_english(row.subject, subject) and _same_in_english(row.get(field), text)
			):
				frappe.db.set_value(
					"Email Template", name, {"subject": subject, field: text}, update_modified=False
				)
				frappe.clear_document_cache("Email Template", name)
	finally:
		frappe.local.lang = previous
