# Copyright (c) 2026, scheduler_integration contributors
# For license information, please see license.txt

"""A personal booking link: one prospect, one meeting type, the rep as host
(``rules.personal_links``, ``booking.personal_links``).

Made by *Schedule Meeting* on a CRM record (``create_link``) or in the desk; the token is
shown once (only its hash is kept) and the page it opens, ``/book/link/<token>``, is the
type's booking page prefilled with the prospect's name, email and phone. Bookings made
through it land on the link's record. ``send_to_prospect`` emails it as a Communication
of the record, so the send is on the record's timeline (Frappe CRM's Emails and Activity,
the desk form's timeline).
"""

from email.utils import formataddr
from html import escape

import frappe
from frappe import _
from frappe.model.document import Document

from scheduler_integration.booking.domains import site_url
from scheduler_integration.booking.meeting_types import meeting_type_doc
from scheduler_integration.booking.personal_links import status_of
from scheduler_integration.core.clock import to_system, to_utc
from scheduler_integration.core.errors import FieldErrors, FieldValidationError
from scheduler_integration.core.permissions import is_manager, may_book
from scheduler_integration.core.settings import setting
from scheduler_integration.engine.booking_fields import CRM_DOCTYPES
from scheduler_integration.engine.validation import clean_email, clean_guest_name, clean_phone
from scheduler_integration.rules.guest_form import MAX_NAME
from scheduler_integration.rules.personal_links import MAX_USES, new_token, token_hash


class SchedulerPersonalLink(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		expires_at: DF.Datetime
		guest_email: DF.Data | None
		guest_name: DF.Data | None
		guest_phone: DF.Data | None
		host: DF.Link | None
		last_booking: DF.Link | None
		max_uses: DF.Int
		meeting_type: DF.Link
		reference_doctype: DF.Link | None
		reference_name: DF.DynamicLink | None
		revoked: DF.Check
		status: DF.Literal["Active", "Used", "Expired", "Revoked"]
		token_hash: DF.Data | None
		uses: DF.Int

	# end: auto-generated types
	def validate(self):
		before = None if self.is_new() else self.get_doc_before_save()
		errors = FieldErrors()
		if not self.host or not is_manager():
			self.host = before.host if before else frappe.session.user
		if self.meeting_type and not may_book(self.meeting_type, self.host):
			errors.add("meeting_type", _("{0} may not book this meeting type").format(self.host))
		elif self.meeting_type:
			from scheduler_integration.core.hosts import type_hosts

			# the type as stored now (a save, not a hot path): a cached copy can lag its host
			# rows by a worker's transaction that read them before they changed
			if self.host not in type_hosts(frappe.get_doc("Scheduler Meeting Type", self.meeting_type)):
				errors.add("host", _("{0} is not a host of this meeting type").format(self.host))
		self.guest_name = errors.clean(
			"guest_name", clean_guest_name, self.guest_name, "guest_name", MAX_NAME, required=False
		)
		self.guest_email = errors.clean(
			"guest_email", clean_email, self.guest_email, "guest_email", required=False
		)
		self.guest_phone = errors.clean("guest_phone", clean_phone, self.guest_phone, "guest_phone")
		if self.reference_doctype and self.reference_doctype not in CRM_DOCTYPES:
			errors.add(
				"reference_doctype",
				_("A link can only belong to one of: {0}").format(", ".join(map(_, CRM_DOCTYPES))),
			)
		elif self.reference_name and not frappe.has_permission(
			self.reference_doctype, "read", doc=self.reference_name, user=self.host
		):
			errors.add(
				"reference_name",
				_("{0} may not read {1} {2}").format(
					self.host, _(self.reference_doctype), self.reference_name
				),
			)
		self.max_uses = max(1, min(int(self.max_uses or 1), MAX_USES))
		# what the server counts and derives: never the caller's to set
		self.uses = before.uses if before else 0
		self.last_booking = before.last_booking if before else None
		errors.raise_if_any()
		self.status = status_of(self)
		if before:
			self.token_hash = before.token_hash
		elif self.flags.token:  # create_link made the token
			self.token_hash = token_hash(self.flags.token)
		else:  # made in the desk: a token now, shown once
			self.flags.token = new_token()
			self.token_hash = token_hash(self.flags.token)

	def on_update(self):
		if self.flags.token and not self.flags.quiet and not self.flags.shown:
			self.flags.shown = True
			url = link_url(self.flags.token)
			frappe.msgprint(
				_("The link is shown only now: copy it. {0}").format(
					f'<a href="{escape(url)}">{escape(url)}</a>'
				),
				title=_("Personal booking link"),
			)

	def send_to_prospect(self, url: str, message: str = "") -> str:
		"""Email the link to the prospect as a Communication of the record (its timeline
		shows the send); returns the Communication's name."""
		if not self.guest_email:
			raise FieldValidationError(
				_("The link has no email address to send it to"),
				{"email": _("The link has no email address to send it to")},
			)
		account = outgoing_account()
		if not account:
			raise FieldValidationError(
				_("Set up an outgoing email account to send links"),
				{"send": _("Set up an outgoing email account to send links")},
			)
		mt = meeting_type_doc(self.meeting_type)
		rep = frappe.utils.get_fullname(self.host)
		subject = _("{0}: book a time with {1}").format(mt.title, rep)
		greeting = _("Hello {0},").format(self.guest_name) if self.guest_name else _("Hello,")
		expires = frappe.utils.format_datetime(self.expires_at, "d MMMM yyyy")
		parts = [f"<p>{escape(greeting)}</p>"]
		if message:
			parts.append("<p>" + "<br>".join(escape(line) for line in message.splitlines()) + "</p>")
		parts.append(
			"<p>"
			+ escape(_("Pick a time for {0} that suits you:").format(mt.title))
			+ f'<br><a href="{escape(url)}">{escape(url)}</a></p>'
		)
		parts.append(
			"<p>" + escape(_("The link is for you alone and works until {0}.").format(expires)) + "</p>"
		)
		parts.append(f"<p>{escape(rep)}</p>")
		reference = (
			(self.reference_doctype, self.reference_name)
			if self.reference_name
			else (self.doctype, self.name)
		)
		communication = frappe.get_doc(
			{
				"doctype": "Communication",
				"communication_type": "Communication",
				"communication_medium": "Email",
				"sent_or_received": "Sent",
				"subject": subject,
				"content": "".join(parts),
				"sender": formataddr((rep, account.email_id)),
				"sender_full_name": rep,
				# the account is found by the sender's address when the mail is queued; named
				# here, Frappe would also make Contacts of every address it has not seen
				"recipients": self.guest_email,
				"reference_doctype": reference[0],
				"reference_name": reference[1],
			}
		)
		communication.flags.skip_add_signature = True
		communication.insert(ignore_permissions=True)
		if reference[0] != self.doctype:  # the link's own timeline shows it too
			communication.add_link(self.doctype, self.name)
			communication.save(ignore_permissions=True)
		communication.send_email()
		return communication.name


def outgoing_account():
	"""The account booking emails go out from (Scheduler Settings), else Frappe's default."""
	from frappe.email.doctype.email_account.email_account import EmailAccount

	name = setting("email_account")
	if name and frappe.db.get_value("Email Account", name, "enable_outgoing"):
		return frappe.get_cached_doc("Email Account", name)
	return EmailAccount.find_outgoing(_raise_error=False)


def link_url(token: str) -> str:
	return site_url(f"/book/link/{token}")


def create_link(meeting_type: str, *, host: str, guest: dict, reference, max_uses: int, expires_at):
	"""A new link (the session must be ``host`` or a manager); returns (link, its URL)."""
	token = new_token()
	link = frappe.get_doc(
		{
			"doctype": "Scheduler Personal Link",
			"meeting_type": meeting_type,
			"host": host,
			"guest_name": guest.get("guest_name"),
			"guest_email": guest.get("guest_email"),
			"guest_phone": guest.get("guest_phone"),
			"reference_doctype": reference[0] if reference else None,
			"reference_name": reference[1] if reference else None,
			"max_uses": max_uses,
			"expires_at": to_system(to_utc(expires_at)),
		}
	)
	link.flags.token, link.flags.quiet = token, True
	link.insert()
	return link, link_url(token)
