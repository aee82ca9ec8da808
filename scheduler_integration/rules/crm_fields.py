"""Which fields of a CRM record a guest's answer may fill: an allow-list.

A question of a meeting type or routing form may name a field of the guest's CRM record
(lead, deal, opportunity, customer) that its answer fills. The answer is the guest's
word, so it may only ever fill a *plain data field*: text, a number, one of a Select's
options. Never anything that says who the record is or who owns it, where it stands, or
how it behaves: no owner, status or stage, no flag (Check), no link to another record, no
email address, nothing read-only, hidden, computed (fetched) or set once. The same rule
judges a mapping when the host saves it (an error on the question: the field must be plain
on some CRM record of the site) and every write (on the record written).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scheduler_integration.engine.errors import InvalidField
from scheduler_integration.engine.i18n import _

# field types whose values are plain data
PLAIN_TYPES = frozenset(
	{"Data", "Small Text", "Text", "Long Text", "Select", "Int", "Float", "Currency", "Percent"}
)
# Data options that make a field something other than plain text
_NOT_PLAIN_DATA = frozenset({"Email", "Name", "Barcode", "IBAN", "Color", "Icon"})
# names that say who the record is, who has it or where it stands, whatever their type
_NEVER = re.compile(
	r"^(name|owner|docstatus|idx|naming_series|title|email|email_id|amended_from|company|currency)$"
	r"|(^|_)(owner|status|stage|state|email|by|manager|series)$"
	r"|^(is|has)_"
)
_FIELDNAME = re.compile(r"^[a-z][a-z0-9_]{0,139}$")


@dataclass(frozen=True)
class Field:
	"""What the rule needs of a record's field (Frappe's DocField, as plain values)."""

	fieldname: str
	fieldtype: str
	options: str = ""
	read_only: bool = False
	hidden: bool = False
	set_only_once: bool = False
	fetch_from: str = ""


def valid_name(fieldname) -> bool:
	return isinstance(fieldname, str) and bool(_FIELDNAME.match(fieldname))


def _name_refusal(name: str) -> InvalidField | None:
	"""Why no field called ``name`` may be filled, whatever its type (None: the name may)."""
	if not valid_name(name):
		return InvalidField(_("{0} is not a field name"), "crm_field", name)
	if _NEVER.search(name):
		return InvalidField(_("{0} says who the record is, who has it or where it stands"), "crm_field", name)
	return None


def refusal(field: Field) -> InvalidField | None:
	"""Why a guest's answer may not fill ``field`` (None: it may)."""
	name = field.fieldname
	named = _name_refusal(name)
	if named:
		return named
	if field.fieldtype not in PLAIN_TYPES:
		return InvalidField(
			_("{0} is a {1} field: answers fill only text, numbers and choices"),
			"crm_field",
			name,
			field.fieldtype,
		)
	if field.fieldtype == "Data" and (field.options or "").strip() in _NOT_PLAIN_DATA:
		return InvalidField(_("{0} holds a {1}, not plain text"), "crm_field", name, field.options.strip())
	if field.read_only or field.hidden or field.set_only_once or field.fetch_from:
		return InvalidField(_("{0} is not filled in by hand"), "crm_field", name)
	return None


def mapping_refusal(fieldname, fields: dict[str, Field | None]) -> InvalidField | None:
	"""Why a question may not map to ``fieldname`` of the CRM records of this site
	(``fields``: each record DocType's field of that name, None where it has none); None when
	it may: it is plain data on some record of this site. Each write checks the record's own
	field again (``refusal``), so a record where it is not (a Deal fetches its annual revenue
	from the organization) is never written. A site with no CRM record at all (``fields``
	empty: no CRM app yet) judges the name alone: nothing is written until one is installed."""
	named = _name_refusal(fieldname)
	if named or not fields:
		return named
	found = [field for field in fields.values() if field is not None]
	if not found:
		return InvalidField(_("No CRM record of this site has a field {0}"), "crm_field", fieldname)
	reasons = [refusal(field) for field in found]
	return None if None in reasons else reasons[0]
