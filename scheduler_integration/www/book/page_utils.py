"""Helpers of the public booking pages."""

import json
import re
from urllib.parse import urlencode

import frappe

from scheduler_integration.booking.pages import page_messages

_LANG = re.compile(r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")
# query parameters a booking page passes on to the next page (tracking, language, embed)
_KEPT = ("lang", "embed", "ref", "utm_source", "utm_medium", "utm_campaign")


def safe_json(data) -> str:
	"""JSON that is safe inside <script type="application/json"> (no </script> breakout)."""
	text = json.dumps(data, ensure_ascii=False, default=str)
	return (
		text.replace("<", "\\u003c")
		.replace(">", "\\u003e")
		.replace("&", "\\u0026")
		.replace("\u2028", "\\u2028")
		.replace("\u2029", "\\u2029")
	)


def not_found():
	frappe.local.response.http_status_code = 404
	raise frappe.PageDoesNotExistError


def page_language() -> str:
	"""The reader's language: ``?lang=`` when it names a language of the site, else what Frappe
	chose for this request (``?_lang=``, the preferred-language cookie, Accept-Language)."""
	from frappe.translate import get_all_languages, get_parent_language

	asked = str(frappe.form_dict.get("lang") or "").strip()
	if asked and _LANG.match(asked):
		known = set(get_all_languages())
		for candidate in (asked, asked.lower(), get_parent_language(asked)):
			if candidate and candidate in known:
				frappe.local.lang = candidate  # Frappe's own per-request language
				break
	return frappe.local.lang or "en"


def on_brand(color: str) -> str:
	"""Black or white, whichever reads better on ``color`` (#rrggbb)."""
	red, green, blue = (int(color[i : i + 2], 16) / 255 for i in (1, 3, 5))

	def linear(c):
		return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

	luminance = 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)
	return "#000000" if luminance > 0.179 else "#ffffff"


def fill(context, mode: str, data: dict, **extra):
	"""Everything the shared page template (templates/scheduler_booking_base.html) needs."""
	lang = page_language()
	if context.get("boot"):
		context.boot["lang"] = lang  # <html lang> follows the page's language
	embed = str(frappe.form_dict.get("embed") or "") in ("1", "true", "inline", "popup")
	kept = {key: str(frappe.form_dict.get(key))[:200] for key in _KEPT if frappe.form_dict.get(key)}
	color = data["profile"].get("brand_color") or ""
	context.data = data
	context.embed = embed
	context.query = ("?" + urlencode(kept)) if kept else ""
	context.organization = data.get("organization") or {}
	context.profile_logo = data["profile"].get("logo") or ""
	context.brand = frappe._dict(color=color, on=on_brand(color) if color else "")
	context.no_breadcrumbs = 1
	context.page_json = safe_json(
		{"mode": mode, "lang": lang, "embed": embed, "messages": page_messages(), **data, **extra}
	)
	return context
