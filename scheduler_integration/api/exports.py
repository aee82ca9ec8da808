"""Spreadsheet exports of the app's records: what a guest typed is text, never a formula.

Guests write names, notes and answers; the desk's Report View export
(``frappe.desk.reportview.export_query``) and the script reports' export
(``frappe.desk.query_report.export_query``) write them into CSV and Excel files as they
are, so ``=HYPERLINK(…)`` or ``=cmd|' /C calc'!A0`` in a note opens as a live formula.
Both methods are overridden (``override_whitelisted_methods``) to call Frappe's own export
unchanged and, for the app's DocTypes and reports only, to rewrite the file it made: a
cell a spreadsheet would evaluate gets the usual leading apostrophe
(``engine.validation.spreadsheet_safe``). Exports of every other DocType and report pass
through untouched. A background export (emailed when ready) is made in the foreground
for the app's records, so the file is rewritten before anyone receives it.

Not covered: Frappe's Data Export tool (Data Import templates) writes its own files;
use the Report View export for guest data.
"""

from __future__ import annotations

import csv
import io
import re

import frappe
from frappe import _

from scheduler_integration.api import parse
from scheduler_integration.api.filters import checked_filters, known_columns
from scheduler_integration.api.utils import plain_arguments
from scheduler_integration.core.errors import FieldValidationError, MissingArguments
from scheduler_integration.engine.validation import spreadsheet_safe

APP_MODULE = "Scheduler Integration"


def _ours_doctype(doctype) -> bool:
	return bool(doctype) and frappe.db.get_value("DocType", doctype, "module") == APP_MODULE


def _ours_report(report) -> bool:
	return bool(report) and frappe.db.get_value("Report", report, "module") == APP_MODULE


@frappe.whitelist(methods=["POST"])
@plain_arguments
def export_query(
	doctype: str,
	fields: str | list,
	file_format_type: str,
	title: str | None = None,
	filters: str | dict | list | None = None,
	order_by: str | None = None,
	**_kwargs,
) -> None:
	"""Report View export (CSV / Excel), formula-safe for the app's DocTypes. The named
	parameters are the ones Frappe's export reads first; Frappe's other ones
	(``csv_delimiter``, ``csv_quoting``, ``add_totals_row``, ``selected_items``, …) pass on
	unchanged."""
	from frappe.desk import reportview

	_required("doctype")
	if len(doctype) > 140 or not frappe.db.exists("DocType", doctype):
		raise frappe.DoesNotExistError(_("DocType {0} not found").format(doctype[:140]))
	_pass_on(
		file_format_type=parse.export_format(file_format_type),
		fields=_columns(_given("fields", parse.fields(fields))),
		filters=checked_filters(doctype, parse.filters(filters)),
		order_by=_order(order_by),
		title=_file_title(title, doctype),
		**_csv_options(),
	)
	return _export(reportview.export_query, _ours_doctype(frappe.form_dict.get("doctype")))


@frappe.whitelist(methods=["POST"])
@plain_arguments
def export_report(
	report_name: str,
	file_format_type: str,
	filters: str | dict | None = None,
	visible_idx: str | list | None = None,
	**_kwargs,
) -> None:
	"""Script report export (CSV / Excel), formula-safe for the app's reports. The named
	parameters are the ones Frappe's export reads first; Frappe's other ones
	(``include_indentation``, ``csv_delimiter``, …) pass on unchanged."""
	from frappe.desk import query_report

	_required("report_name")
	if not frappe.db.exists("Report", report_name):  # Frappe's export fails on it with a 500
		raise frappe.DoesNotExistError(_("Report {0} not found").format(report_name))
	_pass_on(
		file_format_type=parse.export_format(file_format_type),
		filters=parse.report_filters(filters),
		# Frappe counts the visible columns and fails (500) without them: none is all of them
		visible_idx=parse.visible_idx(visible_idx) or [],
	)
	return _export(query_report.export_query, _ours_report(frappe.form_dict.get("report_name")))


def _required(field: str) -> None:
	"""Frappe's exports fail with a 500 without the DocType or report they export."""
	if not isinstance(frappe.form_dict.get(field), str) or not frappe.form_dict.get(field):
		raise MissingArguments(_("Missing: {0}").format(field))


# a column as the Report View names it: `tabDocType`.`field` or field, or one count / sum / … of it
_COLUMN = re.compile(
	r"^(?:(?:count|sum|avg|min|max)\()?(?:`tab[\w -]{1,140}`\.)?`?\w{1,140}`?\)?(?: as `?\w{1,140}`?)?$",
	re.IGNORECASE,
)
_ORDER = re.compile(r"^(?:`tab[\w -]{1,140}`\.)?`?\w{1,140}`?(?: (?:asc|desc))?$", re.IGNORECASE)


def _columns(fields):
	"""The columns to export: each a field (of the DocType or a child table), never an
	expression (Frappe runs what it is given, and fails on most with a 500)."""
	names = frappe.parse_json(fields) if isinstance(fields, str) else fields
	if not all(isinstance(name, str) and _COLUMN.match(name) for name in names):
		message = _("fields must name the DocType's fields")
		raise FieldValidationError(message, {"fields": message})
	return fields


def _order(order_by) -> str | None:
	"""One field and its direction (400 otherwise); a field the table lacks is a 417 from
	``known_columns``."""
	if not order_by:
		return None
	if not _ORDER.match(order_by):
		message = _("order_by must be one field, then asc or desc")
		raise FieldValidationError(message, {"order_by": message})
	return order_by


def _file_title(title, doctype: str) -> str:
	"""The file's name: letters, digits, spaces and dashes (no path, no line break)."""
	cleaned = re.sub(r"[^\w \-]+", "_", str(title or doctype)).strip(" _")[:100]
	return cleaned or "export"


def _csv_options() -> dict:
	"""Frappe's CSV options as it can use them (400 otherwise): one delimiter character, a
	``csv`` quoting mode, the selected rows as a JSON list."""
	form = frappe.form_dict
	wrong = {}
	if form.get("csv_delimiter") not in (None, "") and not (
		isinstance(form.csv_delimiter, str) and len(form.csv_delimiter) == 1
	):
		wrong["csv_delimiter"] = _("One character")
	if form.get("csv_quoting") not in (None, ""):
		try:
			quoting = int(form.csv_quoting)
		except (TypeError, ValueError):
			quoting = -1
		if not 0 <= quoting <= 3 or isinstance(form.csv_quoting, bool):
			wrong["csv_quoting"] = _("A number from 0 to 3")
	if form.get("selected_items") not in (None, ""):
		try:
			items = frappe.parse_json(form.selected_items)
		except ValueError:
			items = None
		if not (isinstance(items, list) and all(isinstance(i, str | int) for i in items)):
			wrong["selected_items"] = _("A list of names")
	if wrong:
		raise FieldValidationError(_("Please correct these fields"), wrong)
	return {}


def _given(field: str, value):
	"""A required argument that parsed to nothing (empty) is missing, as Frappe fails without it."""
	if value is None:
		raise MissingArguments(_("Missing: {0}").format(field))
	return value


def _pass_on(**checked) -> None:
	"""Frappe's exports read their arguments from the request: the checked values replace
	what was sent (None: left out)."""
	for name, value in checked.items():
		if value is None:
			frappe.form_dict.pop(name, None)
		else:
			frappe.form_dict[name] = value


def _export(frappe_export, ours: bool) -> None:
	"""Frappe's own export; for the app's records in the foreground, and its file rewritten."""
	if ours:
		frappe.form_dict.export_in_background = 0
	with known_columns():  # what Frappe's query still fails on: 417 with the reason
		result = frappe_export()
	if ours:
		_rewrite_response()
	return result


def _rewrite_response() -> None:
	content = frappe.response.get("filecontent")
	name = str(frappe.response.get("filename") or "")
	if not content:
		return
	if name.endswith(".csv"):
		frappe.response["filecontent"] = safe_csv(
			content,
			delimiter=str(frappe.form_dict.get("csv_delimiter") or ",")[0],
			quoting=int(frappe.form_dict.get("csv_quoting") or csv.QUOTE_NONNUMERIC),
		)
	elif name.endswith(".xlsx"):
		frappe.response["filecontent"] = safe_xlsx(content)


def safe_csv(content: bytes, *, delimiter: str, quoting: int) -> bytes:
	"""The same CSV with every formula-leading text cell made text."""
	text = content.decode("utf-8")
	# under QUOTE_NONNUMERIC unquoted cells are numbers: read them back as numbers
	rows = list(csv.reader(io.StringIO(text), delimiter=delimiter, quoting=quoting))
	out = io.StringIO()
	writer = csv.writer(out, delimiter=delimiter, quoting=quoting)
	for row in rows:
		writer.writerow(
			[_number(cell) if isinstance(cell, float) else spreadsheet_safe(cell) for cell in row]
		)
	return out.getvalue().encode("utf-8")


def _number(value: float):
	return int(value) if value.is_integer() else value


def safe_xlsx(content: bytes) -> bytes:
	"""The same workbook with every formula cell made text (Frappe's exporter never writes
	formulas of its own: any formula in it came from a value)."""
	import openpyxl

	book = openpyxl.load_workbook(io.BytesIO(content))
	for sheet in book.worksheets:
		for row in sheet.iter_rows():
			for cell in row:
				if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith("=")):
					cell.value = spreadsheet_safe(str(cell.value))
					cell.data_type = "s"
	out = io.BytesIO()
	book.save(out)
	return out.getvalue()
