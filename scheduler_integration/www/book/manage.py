import frappe
from frappe import _

from scheduler_integration.api.shapes import booking_json
from scheduler_integration.booking.domains import Scope, serves
from scheduler_integration.booking.meeting_types import meeting_type_doc
from scheduler_integration.booking.pages import page_data
from scheduler_integration.booking.tokens import booking_for_token
from scheduler_integration.www.book.page_utils import fill, not_found, page_language, too_many_requests

no_cache = 1


def get_context(context):
	return manage_context(context)


def manage_context(context, scope: Scope | None = None):
	"""The manage page of the booking whose token is in the URL; on a custom domain
	(``scope``, see ``custom_domain.py``) only for a booking of that domain's own types."""
	# tokens are not guessable; a crowd of tries still costs
	if too_many_requests(context):
		return context
	token = frappe.form_dict.get("token") or ""
	try:
		doc = booking_for_token(token)
		meeting_type = meeting_type_doc(doc.meeting_type)
		if scope is not None and not serves(scope, meeting_type):
			raise frappe.DoesNotExistError
		if not frappe.form_dict.get("lang") and doc.get("language"):
			frappe.form_dict.lang = doc.language  # the language the guest booked in
		page_language()
		booking = booking_json(doc, token)
		data = _page(booking, meeting_type, scope is not None)
	except frappe.DoesNotExistError:
		return not_found(context)
	context.booking = booking
	fill(context, "manage", data, token=token, booking=booking)
	context.title = _("Your booking")
	# the token is a credential: api.headers keeps it out of caches and referrers
	return context


def _page(booking: dict, meeting_type, on_domain: bool) -> dict:
	"""The page the booking was made on: its team's for a team type (its host's when the team
	page is gone: the guest may still cancel or move the booking). A booking stays manageable
	while its team type has no host who accepted (``hosted=False``)."""
	team = meeting_type.get("team") and frappe.db.get_value("Scheduler Team", meeting_type.team, "slug")
	if team:
		try:
			return page_data(None, booking["meeting_type_slug"], team, on_domain, hosted=False)
		except frappe.DoesNotExistError:
			pass
	return page_data(booking["profile_slug"], booking["meeting_type_slug"], on_domain=on_domain, hosted=False)
