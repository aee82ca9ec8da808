"""Field ownership of a Scheduler Booking on every save (the table is ``engine.booking_fields``).

The controller calls ``enforce`` first thing in ``validate``, so the desk, REST, the host
API, ``frappe.client.set_value``, a calendar drag, Data Import and the public API are
held to one rule:

0. a field the caller's copy holds as it was read, changed in the database since by
   someone else (a stale copy), keeps the stored value: it is no change of the caller's.
   What the copy held when it was read is known from the load (a REST or API change loads
   the booking in its request) or, for a copy sent whole (the desk's form,
   ``frappe.client.save``), from the log of what the system wrote since (``store_after_answer``);
1. fields the actor may not set are refused (403, naming them);
2. derived fields are put back to their stored value (empty on a new booking): the
   checked path computes them again;
3. every record a host links the booking to must be one the host may read (a CRM
   record, a Contact, a report reference), and ``crm_doctype`` one of the CRM's own;
4. a host may move a booking onto another meeting type only if they may book that type
   themselves, as when they create one (the hosts of the new type are then checked by
   the locked check like any new booking).
"""

from __future__ import annotations

import json

import frappe
from frappe import _

from scheduler_integration.booking.errors import ChangeRefused
from scheduler_integration.core.permissions import may_book
from scheduler_integration.engine.booking_fields import (
	CRM_DOCTYPES,
	DERIVED,
	FIELDS,
	log_writes,
	refused_fields,
	stale_fields,
	values_when_read,
	write_sequence,
)
from scheduler_integration.engine.booking_states import Actor

# Link fields a host may set, with the field naming their DocType (None: fixed DocType)
_LINKS = (("contact", "Contact"), ("crm_name", "crm_doctype"), ("reference_name", "reference_doctype"))
# child tables: the columns a caller may name (hosts) or none may change (crm_records)
_TABLES = {"hosts": ("user",), "crm_records": ("purpose", "record_type", "record_name", "user")}
# what the system keeps on a host row: its calendar events, and the time the row occupies
_HOST_ROW_SYSTEM = ("event", "calendar_events", "start", "end", "buffer_before", "buffer_after")


def _value(doc, field: str):
	if field in _TABLES:
		return tuple(tuple(row.get(c) for c in _TABLES[field]) for row in doc.get(field) or [])
	value = doc.get(field)
	return None if value in ("", None) else value


def _default(meta, field: str):
	df = meta.get_field(field)
	if df is None or df.fieldtype in ("Table", "Table MultiSelect"):
		return ()
	if df.default in (None, ""):
		return 0 if df.fieldtype in ("Check", "Int") else None
	return int(df.default) if df.fieldtype in ("Check", "Int") else df.default


def changed_fields(doc, before) -> set[str]:
	"""The governed fields ``doc`` sets (new) or changes (update)."""
	if before is None:
		meta = doc.meta
		return {
			field
			for field in (*FIELDS, *DERIVED)
			if _value(doc, field) not in (None, (), _default(meta, field))
		}
	return {field for field in (*FIELDS, *DERIVED) if _value(doc, field) != _value(before, field)}


def loaded_values(doc) -> dict:
	"""The governed fields as a booking read from the database holds them (kept by the
	controller's ``load_from_db``, to tell a caller's change from a stale copy)."""
	return {field: _value(doc, field) for field in (*FIELDS, *DERIVED)}


def _log(value) -> dict:
	if isinstance(value, dict):
		return value
	try:
		return json.loads(value or "{}") or {}
	except (TypeError, ValueError):
		return {}


def store_after_answer(booking: str, values: dict) -> None:
	"""Write ``values`` the system found for ``booking`` after its answer (the CRM effect's
	Contact and record, the video effect's link) without a new ``modified`` — a guest's
	action is never refused because of them — and log what each field held before, so that
	a copy read earlier tells its user's changes from values it never saw (rule 0). The
	caller holds the booking's hosts' locks; the row is read with a lock too."""
	fields = [*values, "effect_writes"]
	stored = frappe.db.get_value("Scheduler Booking", booking, fields, as_dict=True, for_update=True)
	if stored is None:
		return
	log = log_writes(_log(stored.effect_writes), values, stored)
	if log is not None:
		frappe.db.set_value(
			"Scheduler Booking", booking, {**values, "effect_writes": json.dumps(log)}, update_modified=False
		)


def _loaded_by_the_copy(doc, before) -> dict:
	"""What a copy sent whole (the desk's form) held when it was read, of the fields the
	system wrote since: its ``effect_writes`` is the log as it read it."""
	mine = write_sequence(_log(doc.get("effect_writes")))
	return values_when_read(mine, _log(before.get("effect_writes")))


def _take_stored(doc, before) -> None:
	"""Fields the caller's copy read before someone else changed them keep the stored
	value (``engine.booking_fields.stale_fields``)."""
	if before is None:
		return
	loaded = doc.flags.loaded_values or _loaded_by_the_copy(doc, before)
	if not loaded:
		return
	current = {field: _value(doc, field) for field in loaded}
	stored = {field: _value(before, field) for field in loaded}
	for field in stale_fields(loaded, current, stored):
		if field in _TABLES:
			doc.set(field, [row.as_dict() for row in before.get(field) or []])
		else:
			doc.set(field, before.get(field))


def catch_up(doc) -> None:
	"""After a change let its early locks go (``check.lock_hosts``), what others stored
	meanwhile without a new ``modified`` (the effects' Contact and CRM record, the events
	on host rows, the records a booking made) is taken into the change, as in rule 0: the
	change's copy held them as read, and saving it wrote them back empty."""
	stored = frappe.get_doc(doc.doctype, doc.name)  # read after the locks: as committed
	_take_stored(doc, stored)
	rows = {row.user: row for row in stored.get("hosts") or []}
	for row in doc.get("hosts") or []:
		if old := rows.get(row.user):
			for column in ("event", "calendar_events"):  # the effects' (``_HOST_ROW_SYSTEM``)
				row.set(column, old.get(column))
	doc._doc_before_save = stored


def enforce(doc, before, actor: Actor) -> None:
	new = before is None
	_take_stored(doc, before)
	changed = changed_fields(doc, before)
	refused = refused_fields(changed, actor, new=new)
	if refused:
		labels = ", ".join(_(doc.meta.get_label(field)) for field in refused)
		raise ChangeRefused(_("These fields are not yours to set: {0}").format(labels), "not_allowed")
	for field in DERIVED & changed:
		if field in _TABLES:
			doc.set(field, [] if new else [row.as_dict() for row in before.get(field) or []])
		else:
			doc.set(field, None if new else before.get(field))
	_keep_host_rows(doc, before)
	if actor is Actor.HOST:
		_check_links(doc, changed)
		if not new and "meeting_type" in changed and not may_book(doc.meeting_type, frappe.session.user):
			raise ChangeRefused(
				_("You cannot move this booking to meeting type {0}: it is not yours to book").format(
					doc.meeting_type
				),
				"not_allowed",
			)


def _keep_host_rows(doc, before) -> None:
	"""A host row's system columns come from the stored row of the same host (a caller who
	sends the table back, or a new one, never sets which events the effects update)."""
	stored = {row.user: row for row in (before.get("hosts") if before else None) or []}
	for row in doc.get("hosts") or []:
		old = stored.get(row.user)
		for column in _HOST_ROW_SYSTEM:
			row.set(column, old.get(column) if old else None)


def _check_links(doc, changed: set[str]) -> None:
	user = frappe.session.user
	if "crm_doctype" in changed and doc.crm_doctype and doc.crm_doctype not in CRM_DOCTYPES:
		raise ChangeRefused(
			_("A booking can only be linked to one of: {0}").format(", ".join(map(_, CRM_DOCTYPES))),
			"not_allowed",
		)
	for field, doctype_source in _LINKS:
		type_field = doctype_source if doctype_source in FIELDS else None
		if field not in changed and (type_field is None or type_field not in changed):
			continue
		name = doc.get(field)
		doctype = doc.get(type_field) if type_field else doctype_source
		if not name:
			continue
		if not doctype or not frappe.db.exists("DocType", doctype) or not frappe.db.exists(doctype, name):
			raise ChangeRefused(_("{0} {1} not found").format(_(doctype or ""), name), "not_found")
		if not frappe.has_permission(doctype, "read", doc=name, user=user):
			raise ChangeRefused(
				_("You cannot link this booking to {0} {1}: you may not read it").format(_(doctype), name),
				"not_allowed",
			)
