"""Custom domains: a request whose ``Host`` is a profile's or team's custom domain gets that
page at the domain's root and nothing else.

Registered as a ``page_renderer`` hook: Frappe asks each custom renderer before its own
(``frappe.website.path_resolver.PathResolver.resolve``), so this one takes every website
path of a custom domain (Frappe's ``/app`` and ``/api`` never reach renderers) and leaves
every other host alone. Which page a path leads to is ``rules.domains.domain_route``:
``/`` the list of types, ``/<type slug>`` a type's page, ``/book/manage/<token>`` the
manage page of one of the domain's own bookings; anything else is 404. The pages are the
same templates and data as ``/book/…``, with links relative to the domain's root.
"""

from __future__ import annotations

import frappe
from frappe.website.page_renderers.base_renderer import BaseRenderer
from frappe.website.page_renderers.not_found_page import NotFoundPage
from frappe.website.page_renderers.template_page import TemplatePage

from scheduler_integration.booking import pages
from scheduler_integration.booking.domains import TEAM, Scope, request_scope, serves
from scheduler_integration.rules.domains import MANAGE, PAGE, domain_route
from scheduler_integration.www.book.manage import manage_context
from scheduler_integration.www.book.page_utils import booking_page, list_title

# the URL parts the booking pages read from ``form_dict``: on a custom domain the domain
# decides them, never the query string
_NAMES = ("profile", "team", "meeting_type", "token")


class CustomDomainPage(BaseRenderer):
	def can_render(self) -> bool:
		self.scope = request_scope()
		return self.scope is not None

	def render(self):
		# Frappe caches pages by path alone: a domain's "/" is never another host's "/"
		frappe.local.no_cache = 1
		for name in _NAMES:
			frappe.form_dict.pop(name, None)
		route = domain_route(frappe.local.request.path)
		if route is None:
			return NotFoundPage(self.path, 404).render()
		kind, value = route
		scope = self.scope
		if kind == MANAGE:
			frappe.form_dict.token = value
			return _Page("book/manage", lambda context: _manage(context, scope)).render()
		if scope.doctype == TEAM:
			frappe.form_dict.team = scope.slug
		else:
			frappe.form_dict.profile = scope.slug
		if kind == PAGE:
			return _Page("book/profile", _list).render()
		try:
			meeting_type = pages.public_type(frappe.form_dict.profile, value, frappe.form_dict.team).doc
		except frappe.DoesNotExistError:
			meeting_type = None
		if meeting_type is None or not serves(scope, meeting_type):
			return NotFoundPage(self.path, 404).render()
		frappe.form_dict.meeting_type = value
		return _Page("book/meeting_type", _type).render()


def _manage(context, scope: Scope):
	manage_context(context, scope)
	context.on_domain = True  # no site navbar or footer: their links lead nowhere here
	return context


def _list(context):
	data = booking_page(context, "profile", "profile", team=frappe.form_dict.team, on_domain=True)
	if data:
		context.title = list_title(data)
	context.on_domain = True
	return context


def _type(context):
	data = booking_page(
		context, "book", "profile", "meeting_type", team=frappe.form_dict.team, on_domain=True
	)
	if data:
		context.title = f"{data['meeting_type']['title']} · {data['profile']['display_name']}"
	context.on_domain = True
	return context


class _Page(TemplatePage):
	"""One of the booking pages' templates, its context made by ``make_context`` for the
	domain instead of by the page's own module (which reads the names from the URL)."""

	def __init__(self, template: str, make_context):
		super().__init__(template)
		self.make_context = make_context

	def update_context(self):
		self.pymodule_name = None
		super().update_context()
		self.context.no_cache = 1
		self.make_context(self.context)
		if self.context.http_status_code:
			self.http_status_code = self.context.http_status_code
