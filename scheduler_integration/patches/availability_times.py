"""Availability From / To became lists of times (every 5 minutes, "HH:MM"): values stored as
free text before ("9:00", "09:00:00") are written the one way the lists spell them. A value
that is not a time, or not on the 5-minute grid, is left as it was (the form says why on the
next save) rather than moved to a time the host did not choose."""

import frappe

from scheduler_integration.engine.errors import SchedulingError
from scheduler_integration.engine.model import format_hhmm, parse_hhmm


def execute():
	for doctype in ("Scheduler Availability Rule", "Scheduler Date Override"):
		frappe.reload_doc("scheduler_integration", "doctype", frappe.scrub(doctype))
		for row in frappe.get_all(doctype, fields=["name", "from_time", "to_time"]):
			values = {}
			for field in ("from_time", "to_time"):
				value = row.get(field)
				if not value:
					continue
				try:
					minutes = parse_hhmm(str(value), field)
				except SchedulingError:
					continue
				text = format_hhmm(minutes)
				if text != value and minutes % 5 == 0:
					values[field] = text
			if values:
				frappe.db.set_value(doctype, row.name, values, update_modified=False)
