"""Guest text stored before it was decoded once at the boundary: outputs no longer decode
entities (``booking.presentation.plain``), so older rows holding them (Frappe's form
sanitiser escaped markup a guest sent) are decoded now, as the check does for new ones."""

import re

import frappe

from scheduler_integration.engine.validation import ANGLES, decoded

# one-line fields lose line breaks a decoded entity would bring; free text keeps them
FIELDS = {"guest_name": False, "guest_company": False, "notes": True, "cancel_reason": True}


def clean(value: str, multiline: bool) -> str:
	try:
		text = decoded(value)
	except Exception:
		text = value
	if not multiline:
		text = re.sub(r"[\r\n]+", " ", text)
	return text.translate(ANGLES)


def execute():
	for field, multiline in FIELDS.items():
		rows = frappe.db.sql(
			f"select name, `{field}` from `tabScheduler Booking` where `{field}` like %s", "%&%;%"
		)
		for name, value in rows:
			text = clean(value, multiline)
			if text != value:
				frappe.db.set_value("Scheduler Booking", name, field, text, update_modified=False)
