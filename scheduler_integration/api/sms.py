"""Texts guests send back to the app's SMS, through Twilio's inbound webhook.

``POST twilio_reply`` is the number's "A message comes in" webhook: Twilio posts the message
form-encoded (``From``, ``To``, ``Body``, ``MessageSid``, …) and signs it
(``X-Twilio-Signature``, checked by ``rules.sms_replies.verify_twilio`` with the auth token
of Scheduler Settings). A request that is not signed with it is answered like every
webhook's (docs/api.md): 401 with the app's failure, code ``UNAUTHORIZED``, and changes
nothing; with no token set every request is (replies are off). A signed one is handed to
the Scheduler SMS Reply controller (``receive``: CANCEL, then YES, cancels the guest's next
booking) and answered 200 with TwiML, Twilio's XML, as Twilio reads it: the text to send
back, or an empty ``<Response/>`` (no answer: an unknown sender, a replayed MessageSid,
STOP). A signed request without a message id is a 400 (``INVALID_REQUEST``).

Twilio signs the URL it was given. Behind a proxy that ends TLS the request reaches Frappe
as http; the signature is checked against the URL as received, as https when the proxy says
so (``X-Forwarded-Proto``), and as this site's own URL (``host_name``).
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

import frappe
from frappe import _
from werkzeug.wrappers import Response

from scheduler_integration.api.utils import api
from scheduler_integration.api.webhooks import raw_body, webhook_limit
from scheduler_integration.core.errors import RequestRefused, Unauthorized
from scheduler_integration.core.limits import per_ip
from scheduler_integration.rules.sms_replies import verify_twilio
from scheduler_integration.scheduler_integration.doctype.scheduler_sms_reply.scheduler_sms_reply import (
	receive,
)

_SID = re.compile(r"^[A-Za-z0-9]{10,64}$")


def twiml(text: str | None = None) -> Response:
	message = f"<Message>{escape(text)}</Message>" if text else ""
	body = f'<?xml version="1.0" encoding="UTF-8"?><Response>{message}</Response>'
	return Response(body, status=200, content_type="text/xml; charset=utf-8")


def _urls(request) -> list[str]:
	urls = [request.url]
	if (request.headers.get("X-Forwarded-Proto") or "").lower() == "https":
		urls.append("https://" + request.url.split("://", 1)[1])
	urls.append(frappe.utils.get_url(request.full_path.rstrip("?")))
	return urls


@frappe.whitelist(allow_guest=True, methods=["POST"])
@per_ip(webhook_limit, seconds=60)
@api
def twilio_reply(**_kwargs):
	"""Twilio's inbound SMS webhook: TwiML, 401 unless signed with the auth token."""
	from frappe.utils.password import get_decrypted_password

	request = frappe.request
	raw_body()  # capped like every webhook's (413)
	params = list(request.form.items(multi=True))
	token = get_decrypted_password(
		"Scheduler Settings", "Scheduler Settings", "twilio_auth_token", raise_exception=False
	)
	if not verify_twilio(request.headers.get("X-Twilio-Signature"), _urls(request), params, token):
		raise Unauthorized(_("Invalid webhook signature"))
	form = request.form
	sid = form.get("MessageSid") or form.get("SmsSid") or ""
	if not _SID.match(sid):
		raise RequestRefused(_("Invalid input"))
	answer = receive(form.get("From") or "", form.get("To") or "", form.get("Body") or "", sid)
	frappe.db.commit()
	return twiml(answer)
