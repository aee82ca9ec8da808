# Copyright (c) 2026, scheduler_integration contributors
# For license information, please see license.txt
"""A host's connection to a provider: the document's own behaviour. Validation (the
provider is a registry row, its fields fit what the provider can do, the credentials fit
their kind), outdating the host's busy time when the connection changes, and the
provider's facts for the form.

What a connection does with its provider (credentials by kind, the fresh busy read,
calendar writes, the video adapter, its health) lives in
``connections/``, which ``booking/``, ``effects/`` and the jobs import directly; the few
methods below that name those actions are the form's and the API's way to them.
"""

from datetime import datetime

import frappe
from frappe import _
from frappe.model.document import Document

from scheduler_integration.booking import busy, busy_sync
from scheduler_integration.connections import adapters, status
from scheduler_integration.connections.credentials import credentials_of, spec_of
from scheduler_integration.core.errors import FieldErrors
from scheduler_integration.core.permissions import is_manager
from scheduler_integration.effects import video
from scheduler_integration.providers.errors import ProviderAuthError, ProviderError
from scheduler_integration.providers.providers import provider_info, provider_labels


class SchedulerCalendarConnection(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		account_id: DF.Data | None
		account_wide: DF.Check
		caldav_password: DF.Password | None
		caldav_url: DF.SmallText | None
		caldav_username: DF.Data | None
		check_calendars: DF.SmallText | None
		connected_app: DF.Link | None
		destination_calendar: DF.Data | None
		enabled: DF.Check
		error_count: DF.Int
		google_calendar: DF.Link | None
		host: DF.Link
		ics_url: DF.Password | None
		last_error: DF.SmallText | None
		last_sync: DF.Datetime | None
		next_retry_at: DF.Datetime | None
		provider: DF.Literal["Google", "Microsoft 365", "CalDAV", "ICS", "Zoom"]
		status: DF.Literal["Not Synced", "Connected", "Needs Reconnect", "Error"]
		sync_token: DF.LongText | None
		write_bookings: DF.Check
	# end: auto-generated types

	def validate(self):
		errors = FieldErrors()
		self.host = self.host or frappe.session.user
		if self.host != frappe.session.user and not is_manager():
			frappe.throw(_("You can only connect your own calendars"), frappe.PermissionError)
		try:
			spec = self.spec()
		except ProviderError:
			errors.add("provider", _("Choose one of: {0}").format(", ".join(provider_labels())))
			errors.raise_if_any()
		if not spec.calendar:  # a video-only provider (Zoom): no calendars, nothing written
			self.write_bookings, self.check_calendars, self.destination_calendar = 0, None, None
		if self.write_bookings and not spec.writable:
			errors.add("write_bookings", _("{0} cannot receive bookings").format(_(spec.label)))
		if self.account_wide:
			if not spec.app_tokens:
				errors.add(
					"account_wide", _("{0} has no account-level app; connect each host").format(_(spec.label))
				)
			elif not is_manager():
				errors.add("account_wide", _("Only a Scheduler Manager can connect an app for every host"))
		self.credentials().validate(self, errors)
		errors.raise_if_any()

	def on_update(self):
		if not self.enabled or not self.spec().calendar:
			frappe.db.delete("Scheduler Busy Time", {"connection": self.name})
		busy.invalidate([self.host])

	def on_trash(self):
		frappe.db.delete("Scheduler Busy Time", {"connection": self.name})
		busy.invalidate([self.host])

	def onload(self):
		self.set_onload("provider", provider_info(self.spec()) if self.provider else {})
		# what an administrator must set up first (Google Settings, a Connected App)
		self.set_onload("admin_setup", status.admin_setup_needed(self.provider) if self.provider else None)

	def spec(self):
		return spec_of(self)

	def credentials(self):
		return credentials_of(self)

	# --- actions of the form and the API (connections/) --------------------------------

	def refresh_busy(self, now: datetime | None = None) -> bool:
		return busy_sync.refresh_busy(self, now)

	def is_authorised(self) -> bool:
		return adapters.is_authorised(self)

	def authorize_url(self, success_uri: str) -> str | None:
		return adapters.authorize_url(self, success_uri)

	def record_failure(self, exc: Exception, now: datetime | None = None) -> None:
		status.record_failure(self, exc, now)

	def record_success(self, now: datetime | None = None, synced: bool = False) -> None:
		status.record_success(self, now, synced)

	def error_text(self, exc: Exception) -> str:
		return status.error_text(self, exc)

	def check_now(self) -> bool:
		"""Check the connection now (Check now, and the provider's authorisation coming back):
		a sync for calendars, a token for video-only providers; meeting links that waited for
		it are retried once it works. Commits, as its answer reports the stored status."""
		ok = False
		if self.spec().calendar:
			ok = self.refresh_busy()
		else:
			try:
				if not self.is_authorised():
					raise ProviderAuthError("{0} is not authorised yet: use Connect", self.provider)
				credentials = self.credentials()
				if hasattr(credentials, "tokens"):
					credentials.tokens(self).token()
				self.record_success()
				ok = True
			except Exception as exc:
				frappe.db.rollback()
				self.reload()
				self.record_failure(exc)
				frappe.msgprint(self.error_text(exc), indicator="red", alert=True)
			frappe.db.commit()
		if ok:
			video.retry_waiting(self.host if not self.account_wide else None)
		return ok
