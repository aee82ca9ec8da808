# Copyright (c) 2026, scheduler_integration contributors
# For license information, please see license.txt

import re

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import cint

from scheduler_integration.booking.payments import STRIPE_SETTINGS, payments_installed
from scheduler_integration.core.errors import FieldErrors, translate
from scheduler_integration.core.settings import MIN_WINDOW_DAYS, settings_changed
from scheduler_integration.engine import adapters
from scheduler_integration.engine.errors import SchedulingError
from scheduler_integration.engine.validation import clean_url
from scheduler_integration.rules.embed import frame_origins

HOST_NAME = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")


class SchedulerSettings(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		allow_private_calendar_hosts: DF.Check
		allowed_embed_hosts: DF.SmallText | None
		anonymize_ip: DF.Check
		booking_challenge_bits: DF.Int
		booking_embed_origins: DF.SmallText | None
		booking_pages_site_chrome: DF.Check
		booking_rate_limit: DF.Int
		bookings_per_host_per_hour: DF.Int
		bookings_per_type_per_day: DF.Int
		calendly_signing_key: DF.Password | None
		captcha_provider: DF.Literal["", "Cloudflare Turnstile", "hCaptcha"]
		captcha_secret_key: DF.Password | None
		captcha_site_key: DF.Data | None
		captcha_verify_url: DF.Data | None
		create_lead: DF.Check
		email_account: DF.Link | None
		crm_target: DF.Literal["Auto", "Contact Only"]
		max_effect_attempts: DF.Int
		max_reminder_attempts: DF.Int
		max_slot_window_days: DF.Int
		payment_gateway: DF.Data | None
		pending_expiry_hours: DF.Int
		public_rate_limit: DF.Int
		remind_host: DF.Check
		reminder_offsets: DF.Data | None
		sms_confirm_minutes: DF.Int
		stripe_webhook_secret: DF.Password | None
		twilio_auth_token: DF.Password | None
		webhook_rate_limit: DF.Int

	# end: auto-generated types
	def validate(self):
		errors = FieldErrors()
		try:
			adapters.parse_offsets(self.reminder_offsets)
		except SchedulingError as exc:
			errors.add("reminder_offsets", translate(exc))
		hosts = []
		for line in (self.allowed_embed_hosts or "").splitlines():
			host = line.strip().lower().rstrip(".")
			if not host:
				continue
			if not HOST_NAME.fullmatch(host):
				errors.add("allowed_embed_hosts", _("{0} is not a host name").format(host))
			hosts.append(host)
		self.allowed_embed_hosts = "\n".join(dict.fromkeys(hosts))
		origins, refused = frame_origins(self.booking_embed_origins)
		for line in refused:
			errors.add(
				"booking_embed_origins",
				_("{0} is not a website address like https://www.example.com").format(line),
			)
		self.booking_embed_origins = "\n".join(origins)
		# the secret key is sent there: an http(s) URL only
		self.captcha_verify_url = errors.clean(
			"captcha_verify_url", clean_url, self.captcha_verify_url, "captcha_verify_url"
		)
		window = cint(self.max_slot_window_days)
		if window and window < MIN_WINDOW_DAYS:
			errors.add(
				"max_slot_window_days",
				_("At least {0} days: the booking page asks a month of times at once").format(
					MIN_WINDOW_DAYS
				),
			)
		self.validate_payment_gateway(errors)
		errors.raise_if_any()

	def validate_payment_gateway(self, errors: FieldErrors) -> None:
		"""The gateway of paid bookings: a Stripe gateway of the payments app (booking.payments)."""
		self.payment_gateway = (self.payment_gateway or "").strip() or None
		if not self.payment_gateway or not self.has_value_changed("payment_gateway"):
			return  # a gateway removed since is told where it matters (booking.payments)
		if not payments_installed():
			errors.add("payment_gateway", _("Install Frappe's payments app on this site first"))
			return
		settings = frappe.db.get_value("Payment Gateway", self.payment_gateway, "gateway_settings")
		if settings is None:
			errors.add("payment_gateway", _("There is no Payment Gateway {0}").format(self.payment_gateway))
		elif settings != STRIPE_SETTINGS:
			errors.add(
				"payment_gateway",
				_(
					"{0} is not a Stripe gateway: paid bookings use Stripe's hosted checkout, its signed webhook and its refunds"
				).format(self.payment_gateway),
			)

	def on_update(self):
		settings_changed()
