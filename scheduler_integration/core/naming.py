"""Readable names for new scheduler documents (Frappe shows a document's name in its
breadcrumbs and links): "demo-strategy-session" rather than "gvqn5rign3". Existing
documents keep their names; a name once given never changes with the title."""

from __future__ import annotations

import re

import frappe

_UNSAFE = re.compile(r"[^\w .@()-]+", re.UNICODE)  # no "/", "#", "?", "%" or quotes in routes
_MAX = 120


def readable_name(doctype: str, base: str) -> str | None:
	"""``base`` cleaned, and made unique with " 2", " 3", …; None when nothing is left of it
	(the DocType's own naming then applies)."""
	text = " ".join(_UNSAFE.sub(" ", str(base or "")).split())[:_MAX].strip(" .-")
	if not text:
		return None
	name, counter = text, 1
	while frappe.db.exists(doctype, name):
		counter += 1
		name = f"{text} {counter}"
	return name


def titles(doctype: str, names) -> dict[str, str]:
	"""{name: title} of the ``doctype`` records among ``names``, in one query (lists and
	reports show a record's title beside its name)."""
	return dict(
		frappe.get_all(
			doctype,
			filters={"name": ("in", list(set(names)) or [""])},
			fields=["name", "title"],
			as_list=True,
		)
	)


def insert_named_after_person(doc) -> None:
	"""Insert ``doc`` (a Contact, a Customer: DocTypes that name a record after the person,
	with the next free number, found by a plain read). Two guests of one name at once both
	took the same next number, and one insert failed on the duplicate name; the other has
	committed it by then (an insert waits for that), so this one is made again under a
	name with a suffix of its own."""
	frappe.db.savepoint("scheduler_person_name")
	try:
		doc.insert(ignore_permissions=True)
	except frappe.DuplicateEntryError:
		frappe.db.rollback(save_point="scheduler_person_name")
		doc.flags.name_set = False  # else insert keeps the name it took
		doc.insert(ignore_permissions=True, set_name=f"{doc.name}-{frappe.generate_hash(length=5)}")
