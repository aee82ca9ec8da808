"""Host API: a host's extra booking pages (seed 001: ``GET/POST/PUT/DELETE /scheduling/pages``).

A page is a Scheduler Booking Page: its own link ``/book/<slug>``, title, description,
branding and meeting types; the host's working hours and calendars. Its types are named
by ``meeting_types`` (ids of the host's own meeting types): saving the list moves those
types onto the page and the others it held back to the host's main page.
"""

from __future__ import annotations

from typing import TypedDict

import frappe
from frappe import _

from scheduler_integration.api.utils import (
	acting_user,
	api,
	check_owner,
	document_fields,
	flag,
	iso,
	ok,
	parse_json,
)
from scheduler_integration.booking.domains import booking_page_url
from scheduler_integration.booking.errors import NotConfigured
from scheduler_integration.core.answers import Answer, DateTime, Url
from scheduler_integration.core.errors import FieldValidationError
from scheduler_integration.engine.validation import clean_text

DOCTYPE = "Scheduler Booking Page"
# API name -> DocType field
FIELDS = {
	"name": "title",
	"title": "title",
	"slug": "slug",
	"description": "description",
	"is_active": "active",
	"active": "active",
	"brand_color": "brand_color",
	"logo": "logo",
	"custom_domain": "custom_domain",
}
SPECIAL = {"meeting_types"}


class ExtraBookingPage(TypedDict):
	"""One of a host's extra booking pages: its link, words, branding and meeting types (ids)."""

	id: str
	user: str
	name: str
	title: str
	slug: str
	description: str | None
	is_active: bool
	brand_color: str | None
	logo: str | None
	custom_domain: str | None
	url: Url
	meeting_types: list[str]
	created_at: DateTime
	updated_at: DateTime


class DeletedBookingPage(TypedDict):
	"""The booking page deleted."""

	id: str


def serialize_page(doc) -> ExtraBookingPage:
	return {
		"id": doc.name,
		"user": doc.user,
		"name": doc.title,
		"title": doc.title,
		"slug": doc.slug,
		"description": doc.description,
		"is_active": bool(doc.active),
		"brand_color": doc.brand_color,
		"logo": doc.logo,
		"custom_domain": doc.custom_domain,
		"url": booking_page_url(doc),
		"meeting_types": doc.types(),
		"created_at": iso(doc.creation),
		"updated_at": iso(doc.modified),
	}


def _apply(doc, fields: dict) -> list[str] | None:
	"""Set the page's fields; the ids of the meeting types it should hold (None: unchanged)."""
	# every field but the flag is text: a slug of true or 5 is a 400, never a 500
	fields = document_fields(
		fields, FIELDS, SPECIAL, [key for key, field in FIELDS.items() if field != "active"]
	)
	for key, value in fields.items():
		if key in FIELDS:
			target = FIELDS[key]
			doc.set(target, flag(value) if target == "active" else value)
	if "meeting_types" not in fields:
		return None
	types = parse_json(fields["meeting_types"], "meeting_types") or []
	if not isinstance(types, list) or not all(isinstance(name, str) for name in types):
		raise FieldValidationError(
			_("Invalid input"), {"meeting_types": _("Must be a list of meeting type ids")}
		)
	return list(dict.fromkeys(types))


def _place_types(doc, types: list[str] | None) -> None:
	"""Move ``types`` onto the page and the page's others back to the main page, each
	through its own save (its rules and caches); only the page's host's own types."""
	if types is None:
		return
	owners = dict(
		frappe.get_all(
			"Scheduler Meeting Type",
			filters={"name": ("in", types or [""])},
			fields=["name", "user"],
			as_list=True,
		)
	)
	foreign = [name for name in types if owners.get(name) != doc.user]
	if foreign:
		raise FieldValidationError(
			_("Invalid input"),
			{"meeting_types": _("Not a meeting type of this page's host: {0}").format(", ".join(foreign))},
		)
	for name in sorted(set(doc.types()) - set(types)):
		mt = frappe.get_doc("Scheduler Meeting Type", name)
		mt.booking_page = None
		mt.save()
	for name in types:
		mt = frappe.get_doc("Scheduler Meeting Type", name)
		if mt.booking_page != doc.name:
			mt.booking_page = doc.name
			mt.save()


@frappe.whitelist(methods=["GET"])
@api
def list_booking_pages(user: str | None = None, include_inactive: int = 0) -> Answer[list[ExtraBookingPage]]:
	"""Your extra booking pages (a Scheduler Manager: anyone's, with ``user``)."""
	user = acting_user(user)
	filters = {"user": user}
	if not flag(include_inactive):
		filters["active"] = 1
	names = frappe.get_all(DOCTYPE, filters=filters, order_by="creation asc", pluck="name")
	return ok([serialize_page(frappe.get_doc(DOCTYPE, name)) for name in names])


@frappe.whitelist(methods=["POST"])
@api
def create_booking_page(user: str | None = None, **fields) -> Answer[ExtraBookingPage]:
	"""Add a booking page with its own link, and optionally move meeting types onto it."""
	user = acting_user(user)
	if not frappe.db.exists("Scheduler Profile", user):
		raise NotConfigured(_("Create your scheduler settings before adding booking pages"))
	doc = frappe.new_doc(DOCTYPE)
	doc.user = user
	types = _apply(doc, fields)
	doc.insert()
	_place_types(doc, types)
	return ok(serialize_page(doc), _("Booking page created successfully"), 201)


@frappe.whitelist(methods=["POST", "PUT", "PATCH"])
@api
def update_booking_page(booking_page: str, **fields) -> Answer[ExtraBookingPage]:
	"""Change a booking page; ``meeting_types`` replaces the list of types on it."""
	booking_page = clean_text(booking_page, "booking_page", 140, required=True)  # not a filter object
	check_owner(DOCTYPE, booking_page)
	doc = frappe.get_doc(DOCTYPE, booking_page)
	types = _apply(doc, fields)
	doc.save()
	_place_types(doc, types)
	return ok(serialize_page(doc), _("Booking page updated successfully"))


@frappe.whitelist(methods=["POST", "DELETE"])
@api
def delete_booking_page(booking_page: str) -> Answer[DeletedBookingPage]:
	"""Delete a booking page: its meeting types go back to your main page."""
	booking_page = clean_text(booking_page, "booking_page", 140, required=True)
	check_owner(DOCTYPE, booking_page)
	frappe.delete_doc(DOCTYPE, booking_page)
	return ok({"id": booking_page}, _("Booking page deleted: its meeting types are back on your main page"))
