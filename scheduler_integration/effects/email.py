"""Booking emails through Frappe's Email Queue, from Email Templates editable in the desk.

- The guest and *every host* of the booking get the email of each event (``TEMPLATES``);
  each host sees the times on their own clock. The guest's come first, in an effect of
  their own (``on_event``: what a guest waits for); the hosts' in the next
  (``on_event_hosts``), so in a burst each guest's confirmation waits for the guests'
  emails ahead of it, not for their hosts' too. Invitations carry an .ics
  (``invitations.email_attachments``): the hosts' (and the guest's colleagues') is an
  invitation (METHOD REQUEST or CANCEL) with every host and the guest as attendees, the
  guest's a file to add to their calendar (PUBLISH) or take out again (CANCEL), titled for
  them; a series' confirmation carries every meeting.
- Mail is queued in the effect's transaction (so it is queued exactly once, together with
  the effect's Done mark) and handed to the SMTP server by this job right after that
  commit: through Frappe's Email Queue, so retries, logs and unsubscribe work, but without
  waiting for the scheduler's periodic flush. The flush leaves it alone for
  ``FLUSH_GRACE`` seconds (``send_after``): both loading the mail as not sent at once, each
  sent it (a 30-minute soak delivered one mail twice). A mail the server refuses stays in
  the queue for Frappe's own retries.
- Each email handed over is written to the automation log (``effects.automation_log``)
  in the same transaction, so the log shows each exactly once.
- News that the booking has since overtaken (``engine.booking_rules.news_is_stale``) is
  not sent.
- Values are HTML-escaped before rendering, so a template edited in the desk cannot output
  a guest's markup, and guest text is only ever data in the context, never template
  source. Subjects are one line, and guest names can hold no encoded words or line breaks
  (``engine.validation.clean_guest_name``), so no guest text can become a header.
"""

from __future__ import annotations

from html import escape, unescape

import frappe
from frappe import _

from scheduler_integration.booking import host_changes as booking_host_changes
from scheduler_integration.booking import series
from scheduler_integration.booking.presentation import attendee_emails, host_users, people
from scheduler_integration.core import jinja
from scheduler_integration.core.languages import reader_language, user_language
from scheduler_integration.core.settings import setting
from scheduler_integration.effects import automation_log
from scheduler_integration.engine import host_changes
from scheduler_integration.engine.booking_rules import news_is_stale
from scheduler_integration.engine.statuses import Status
from scheduler_integration.outputs.email_values import email_values
from scheduler_integration.outputs.invitations import email_attachments

# event -> ((recipient, template name), ...)
TEMPLATES = {
	"booked": (("guest", "Scheduler: Booking Confirmed (Guest)"), ("host", "Scheduler: New Booking (Host)")),
	"pending": (
		("guest", "Scheduler: Booking Requested (Guest)"),
		("host", "Scheduler: Booking Request (Host)"),
	),
	"confirmed": (("guest", "Scheduler: Booking Confirmed (Guest)"),),
	"declined": (("guest", "Scheduler: Booking Declined (Guest)"),),
	"rescheduled": (
		("guest", "Scheduler: Booking Rescheduled (Guest)"),
		("host", "Scheduler: Booking Rescheduled (Host)"),
	),
	"cancelled": (
		("guest", "Scheduler: Booking Cancelled (Guest)"),
		("host", "Scheduler: Booking Cancelled (Host)"),
	),
	# to a host a change of hosts took the meeting from (``_tell_hosts``)
	"passed_on": (("host", "Scheduler: Booking Passed On (Host)"),),
	# a paid booking's hold ended unpaid; a payment came after it and goes back
	"hold_expired": (("guest", "Scheduler: Reservation Released (Guest)"),),
	"late_payment": (("guest", "Scheduler: Payment Refunded (Guest)"),),
	# a video link made after the booking's email went out (effects.video.announce)
	"meeting_link": (
		("guest", "Scheduler: Meeting Link (Guest)"),
		("host", "Scheduler: Meeting Link (Host)"),
	),
	"reminder": (("guest", "Scheduler: Reminder (Guest)"),),
	"reminder_host": (("host", "Scheduler: Reminder (Host)"),),
	# follow-ups after the meeting (effects.automations), sent when they fall due
	"thank_you": (("guest", "Scheduler: Thank You (Guest)"),),
	"no_show": (("guest", "Scheduler: Sorry We Missed You (Guest)"),),
	"win_back": (("guest", "Scheduler: Book Again (Guest)"),),
}
EVENTS = (
	"booked",
	"pending",
	"confirmed",
	"declined",
	"rescheduled",
	"cancelled",
	"hold_expired",
	"late_payment",
)
# the events the hosts hear of (their own effect row, after the guest's: ``on_event_hosts``)
HOST_EVENTS = tuple(event for event in EVENTS if any(reader == "host" for reader, _name in TEMPLATES[event]))
GUEST, HOST = "guest", "host"
# seconds a queued booking email is this job's to hand over before Frappe's flush may
FLUSH_GRACE = 60
# what the colleagues a guest added are told (invitations and the guest's reminders; no
# requests, no follow-ups): the guest's emails, each to them
ATTENDEE_EVENTS = ("booked", "confirmed", "declined", "rescheduled", "cancelled", "meeting_link", "reminder")


def one_line(text: str) -> str:
	return " ".join(str(text).split())


def render(template_name: str, values: dict) -> tuple[str, str]:
	"""(subject, HTML body) of a template for plain ``values``."""
	template = frappe.get_cached_doc("Email Template", template_name)
	subject = jinja.render(template.subject, {k: one_line(v) for k, v in values.items()})
	# every value escaped, but the ``_html`` ones the app builds from escaped parts
	escaped = {
		key: str(value) if key.endswith("_html") else escape(str(value), quote=True)
		for key, value in values.items()
	}
	source = template.response_html or template.response
	body = jinja.render(source, escaped)
	if escaped.get("meetings") and "meetings" not in source:
		# a template edited before series existed still tells every meeting of one
		body += "<p>" + escape(_("All meetings: {0}").format(values["meetings"])) + "</p>"
	return one_line(unescape(subject)), body


def sender() -> str | None:
	"""From: the Email Account chosen in Scheduler Settings, else Frappe's default."""
	account = setting("email_account")
	if not account:
		return None
	row = frappe.db.get_value("Email Account", account, ["email_id", "enable_outgoing"], as_dict=True)
	return row.email_id if row and row.enable_outgoing else None


def can_send() -> bool:
	"""The site has an outgoing Email Account to send booking emails from (without one they
	wait: ``outbox.retry_or_fail``)."""
	from frappe.email.doctype.email_account.email_account import EmailAccount

	return bool(sender() or EmailAccount.find_outgoing(match_by_doctype="Scheduler Booking"))


def sent_to_guest(doc) -> str:
	"""The address the guest's confirmation goes to, when its email is on its way (the
	booking's email effect is planned, the guest's template exists and the site has an
	outgoing Email Account to send it: without one it waits); '' otherwise."""
	if not can_send():
		return ""
	# written out: every booking's answer asks it (get_all builds its query and reads meta)
	planned = frappe.db.sql_list(
		"select lifecycle_event from `tabScheduler Booking Effect` where booking = %s and effect = 'email'",
		doc.name,
	)
	for event in planned:
		guest = [name for reader, name in TEMPLATES.get(event, ()) if reader == "guest"]
		if guest and frappe.db.exists("Email Template", guest[0]):
			return doc.guest_email or ""
	return ""


def send(doc, event: str, only_host: str | None = None, readers=(GUEST, HOST), hosts=None) -> int:
	"""Queue and hand over the emails of ``event`` for ``doc`` to ``readers`` (the guest's
	side, the hosts, or both; each logged in the automation log); returns how many. The
	hosts are the booking's, or ``only_host``, or the users ``hosts``."""
	sent = 0
	queued_names = []
	from_address = sender()
	users = [only_host] if only_host else host_users(doc) if hosts is None else list(hosts)
	addresses = people(users)
	for recipient, template_name in TEMPLATES.get(event, ()):
		if recipient not in readers or not frappe.db.exists("Email Template", template_name):
			continue
		if recipient == GUEST:
			targets = [(doc.guest_email, None, "guest")]
			if event in ATTENDEE_EVENTS:
				# the colleagues the guest added: the guest's email and .ics, without the
				# guest's manage link (``email_values`` for an "attendee")
				targets += [(email, None, "attendee") for email in attendee_emails(doc)]
		else:
			targets = [(addresses[u].email or u, u, "host") for u in users]
		for address, host, reader in targets:
			if not address or "@" not in address:
				continue
			with reader_language(doc.get("language") if reader != "host" else user_language(host)):
				subject, body = render(template_name, email_values(doc, reader, host))
				attachments = email_attachments(doc, event, reader)
			queued = frappe.sendmail(
				recipients=[address],
				subject=subject,
				message=body,
				attachments=attachments,
				reference_doctype="Scheduler Booking",
				reference_name=doc.name,
				sender=from_address,
				delayed=True,
				# this job hands it over right after its commit (``deliver``); Frappe's periodic
				# flush takes it only when that failed: the two never send one mail twice
				send_after=frappe.utils.add_to_date(frappe.utils.now_datetime(), seconds=FLUSH_GRACE),
			)
			if queued:
				queued_names.append(queued.name)
			automation_log.record(
				doc,
				event,
				template_name,
				recipient=address,
				host=host,
				reference=("Email Queue", queued.name) if queued else None,
			)
			sent += 1
	if queued_names:
		frappe.db.after_commit.add(lambda: deliver(queued_names))
	return sent


def deliver(names: list[str]) -> None:
	"""Hand queued mails to the SMTP server now, over one connection per Email Account (a
	new session per mail costs a handshake, and TLS and login on a real server); a mail
	that fails stays queued for Frappe's retries."""
	servers = {}
	try:
		for name in names:
			try:
				queued = frappe.get_doc("Email Queue", name)
				account = queued.get_email_account(raise_error=True)
				if account.name not in servers:
					servers[account.name] = account.get_smtp_server()
				queued.send(smtp_server_instance=servers[account.name])
			except Exception:
				frappe.db.rollback()
				frappe.log_error(
					title=f"Scheduler: sending {name} failed; it stays queued",
					reference_doctype="Email Queue",
					reference_name=name,
				)
				frappe.db.commit()
				_close(servers)  # the session may be broken: the next mail opens its own
	finally:
		_close(servers)


def _close(servers: dict) -> None:
	for server in servers.values():
		try:
			server.quit()
		except Exception:
			pass  # the mails are handed over; a failed goodbye changes nothing
	servers.clear()


def on_event(doc, event: str) -> str:
	"""The guest's (and their colleagues') email of ``event``."""
	return _news(doc, event, GUEST)


def on_event_hosts(doc, event: str) -> str:
	"""The hosts' email of ``event``."""
	return _news(doc, event, HOST)


def _news(doc, event: str, reader: str) -> str:
	if news_is_stale(event, doc.status):
		return "stale"
	if reader == HOST:
		return _tell_hosts(doc, event)
	if _told_with_first(doc, event):
		return "told with the first meeting"
	return f"{send(doc, event, readers=(reader,))} sent"


def _told_with_first(doc, event: str) -> bool:
	"""The meetings of a series booked together: its first meeting's email lists them all;
	a multi-day booking's days are told of by its first day only (booking.series)."""
	return series.follows(doc) or (event in ("booked", "pending") and series.later_meeting(doc))


def _tell_hosts(doc, event: str) -> str:
	"""Tell each host what they have not heard of the booking as it is (read under its
	lock: ``booking.host_changes.as_it_is``): a new meeting, a move, that it is passed on
	to another host or cancelled (``engine.host_changes.news``); and keep what they heard.
	Moves made before this ran are told as one; a run that finds nothing new sends nothing."""
	doc, changes = booking_host_changes.as_it_is(doc)
	hosts = host_users(doc)
	now = host_changes.state(doc.status, doc.start, doc.end)
	heard = host_changes.heard_of(changes, hosts, new=event in ("booked", "pending"))
	told = host_changes.news(
		heard,
		hosts,
		now,
		new="pending" if doc.status == Status.PENDING else "booked",
		off="passed_on" if now is not None else "cancelled",
	)
	with_first = _told_with_first(doc, event)
	sent = 0
	for news in dict.fromkeys(told.values()) if not with_first else ():
		sent += send(doc, news, readers=(HOST,), hosts=[u for u, n in told.items() if n == news])
	after = host_changes.heard_now(heard, hosts, now)
	if after != changes.get(host_changes.HEARD):
		booking_host_changes.keep_heard(doc, changes, after)
	if with_first:
		return "told with the first meeting"
	return f"{sent} sent" if told else "nothing new to tell"


def follow_up(doc, kind: str) -> int:
	"""A follow-up email after the meeting (``kind``: thank_you, no_show, win_back)."""
	return send(doc, kind)


def remind(doc, recipient: str, host: str | None = None) -> int:
	"""A reminder email: to the guest, or to one host."""
	if recipient == "Guest":
		return send(doc, "reminder")
	if not setting("remind_host"):
		return 0
	return send(doc, "reminder_host", only_host=host or doc.host)
