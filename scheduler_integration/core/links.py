"""A save checks the links it sets, not the ones it leaves as they are stored.

Frappe checks every Link and Dynamic Link of a document on each save. The links a booking's
effects store (its Contact and CRM record, each host's Event, the tasks and to-dos it made)
are written by a worker while a host, the desk or an integration may be changing the same
booking. Frappe loads the booking for the change with ``SELECT … FOR UPDATE``, which reads
the row as last committed, but reads the linked records in the request's snapshot, taken
before the worker committed them: the change failed with "Could not find Contact". A to-do
the booking made and someone deleted since (allowed: ``ignore_links_on_delete``) blocked
every later change of it the same way. The stored value was checked when it was set."""

from __future__ import annotations

import frappe
from frappe import _


class ChecksLinksItSets:
	"""Mixin for a controller (or a child row's): drop from Frappe's invalid links the
	values this save leaves as stored (``get_doc_before_save``, read under the row's lock by
	``check_if_latest`` just before the links are checked)."""

	def get_invalid_links(self, is_submittable=False):
		stored = _stored(self)
		fields = {df.fieldname: df for df in self.meta.get_link_fields()}
		fields.update({df.fieldname: df for df in self.meta.get("fields", {"fieldtype": "Dynamic Link"})})
		kept = {
			fieldname: self.get(fieldname)
			for fieldname, df in fields.items()
			if stored is not None
			and all(
				self.get(field) == stored.get(field)
				for field in (fieldname, df.options if df.fieldtype == "Dynamic Link" else fieldname)
			)
		}
		invalid, cancelled = super().get_invalid_links(is_submittable)
		found = []
		for link in invalid:
			if link[0] in kept:
				self.set(link[0], kept[link[0]])  # Frappe blanks a link it cannot find
			else:
				found.append(link)
		if found:
			# Frappe's own refusal, titled: its box would say only "Message"
			frappe.throw(
				_("Could not find {0}").format(", ".join(link[2] for link in found)),
				frappe.LinkValidationError,
				title=_("Not found"),
			)
		return found, cancelled


def _stored(doc):
	"""``doc`` as stored before this save: the parent's copy, or the same row of it."""
	if not doc.get("parentfield"):
		return doc.get_doc_before_save()
	parent = doc.parent_doc
	before = parent.get_doc_before_save() if parent is not None and not parent.is_new() else None
	if before is None:
		return None
	return next((row for row in before.get(doc.parentfield) or [] if row.name == doc.name), None)
