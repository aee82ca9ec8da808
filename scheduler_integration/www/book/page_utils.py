"""Helpers of the public booking pages."""

import functools
import hashlib
import json
import os
from urllib.parse import urlencode

import frappe
from frappe import _

from scheduler_integration.booking.errors import LinkGone
from scheduler_integration.booking.pages import page_data
from scheduler_integration.booking.routing import open_routed
from scheduler_integration.core.languages import use_asked_language
from scheduler_integration.core.limits import hit, page_limit_name
from scheduler_integration.core.replica import replica_reads
from scheduler_integration.core.settings import public_limit, setting
from scheduler_integration.engine.statuses import STATUSES
from scheduler_integration.rules import colors
from scheduler_integration.rules.guest_form import Question, form_limits
from scheduler_integration.rules.prefill import clean_prefill

# query parameters a booking page passes on to the next page (tracking, language, embed)
_KEPT = ("lang", "embed", "ref", "utm_source", "utm_medium", "utm_campaign")
# Frappe's website pages carry no translations for app scripts: the page ships the ones
# its scripts use (every literal ``__("...")`` in them) in the reader's language.
_SCRIPTS = (("public", "js", "booking_page.js"), ("public", "js", "routing_form.js"))


# The frame's own styles (templates/scheduler_booking_base.html), inlined in this order: the
# first render of a page waits on no stylesheet
_FRAME_CSS = (("public", "css", "booking_frame.css"), ("public", "css", "booking_page.css"))
_RTL = ("ar", "he", "fa", "ps")  # written right to left (as Frappe's own is_rtl)
_css_cache: dict[tuple, str] = {}
# the files the frame links (templates/scheduler_booking_base.html, book/route.html): their
# URLs carry a version, so a browser that keeps /assets a year (nginx's Cache-Control of a
# production bench) fetches a file again once it changed
_ZONES = ("public", "data", "time_zones.json")  # the time zone search's list (engine.zone_names)
_FRAME_FILES = (("public", "js", "guest_page.js"), *_SCRIPTS, *_FRAME_CSS, _ZONES)


def frame_css() -> str:
	"""The frame's CSS, read again only when a file changed."""
	paths = [frappe.get_app_path("scheduler_integration", *parts) for parts in _FRAME_CSS]
	key = tuple((path, os.stat(path).st_mtime_ns) for path in paths)
	if key not in _css_cache:
		_css_cache.clear()
		texts = []
		for path in paths:
			with open(path, encoding="utf-8") as handle:
				texts.append(handle.read().replace("</", "<\\/"))  # never ends the <style>
		_css_cache[key] = "\n".join(texts)
	return _css_cache[key]


def assets_version() -> str:
	"""A short version of the frame's files: changes when one of them changes."""
	paths = [frappe.get_app_path("scheduler_integration", *parts) for parts in _FRAME_FILES]
	stamp = "|".join(f"{os.path.basename(path)}:{os.stat(path).st_mtime_ns}" for path in paths)
	return hashlib.sha1(stamp.encode()).hexdigest()[:10]


def site_chrome() -> bool:
	"""Scheduler Settings → "Show the website's header and footer on booking pages"."""
	return bool(int(setting("booking_pages_site_chrome") or 0))


def frame(context, lang: str, description: str = "") -> None:
	"""What the page's frame needs besides the page's data: the website's chrome or the frame
	of its own (``site_chrome``), and for that one what Frappe's web.html gave — the page's
	language and direction, a description for search engines and link previews, the site's
	favicon, the app's CSS."""
	context.site_chrome = site_chrome()
	base = (lang or "en").split("-")[0].lower()
	context.frame = frappe._dict(
		lang=lang or "en",
		dir="rtl" if base in _RTL else "ltr",
		description=" ".join(str(description or "").split())[:300],
		favicon=context.get("favicon") or "/assets/frappe/images/frappe-favicon.svg",
		css="" if context.site_chrome else frame_css(),
		version=assets_version(),
	)


def describe(data: dict) -> str:
	"""A page's meta description: what its form, meeting type or host says about it."""
	form = data.get("form") or {}
	meeting_type = data.get("meeting_type") or {}
	profile = data.get("profile") or {}
	text = form.get("description") or meeting_type.get("description") or profile.get("description")
	if not text and profile.get("display_name"):
		text = _("Book a meeting with {0}").format(profile["display_name"])
	return text or ""


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


@functools.lru_cache(maxsize=1)
def script_messages() -> tuple[str, ...]:
	from frappe.translate import extract_messages_from_javascript_code

	found = set()
	for script in _SCRIPTS:
		with open(frappe.get_app_path("scheduler_integration", *script), encoding="utf-8") as handle:
			code = handle.read()
		found |= {message for _line, message, _context in extract_messages_from_javascript_code(code)}
	return tuple(sorted(found | set(STATUSES)))


def page_messages() -> dict[str, str]:
	"""{English: translation} of the booking script's strings in ``frappe.local.lang``."""
	out = {}
	for message in script_messages():
		translated = _(message)
		if translated != message:
			out[message] = translated
	return out


def not_found(context):
	"""No such page, booking or link: a short page in the booking pages' own frame (not the
	website's 404 with its navbar and login), answered 404, saying what to do."""
	lang = page_language()
	_short_page(context, lang, _("This booking page does not exist"), 404, missing=True)
	return context


def embedded() -> bool:
	"""Shown in the embed widget's frame (?embed=…): no site navbar and footer."""
	return str(frappe.form_dict.get("embed") or "") in ("1", "true", "inline", "popup")


def _short_page(context, lang: str, message: str, http_status_code: int, **flag) -> None:
	"""``context`` as a short page that only says ``message``: no booking app, no branding."""
	if context.get("boot"):
		context.boot["lang"] = lang
	context.update(
		**flag,
		http_status_code=http_status_code,
		title=message,
		busy_message=message,
		embed=embedded(),
		organization={},
		brand=frappe._dict(),
		no_breadcrumbs=1,
		# the page script finds no app to start and stops
		page_json=safe_json({"mode": "busy", "lang": lang}),
	)
	frame(context, lang)


def too_many_requests(context) -> bool:
	"""Count this request against its page's per-IP limit (Scheduler Settings → Public Requests
	per IP per Minute). Past the limit ``context`` becomes a short 429 page and True is
	returned; ``api/refusals.py`` adds its Retry-After."""
	try:
		hit(page_limit_name(frappe.local.request.path), public_limit())
	except frappe.TooManyRequestsError:
		lang = page_language()  # before the message is translated
		message = _("Too many requests: please wait a minute and try again.")
		_short_page(context, lang, message, 429, too_many=True)
		return True
	return False


def gone(context, message: str):
	"""A link that may no longer book: a short page saying why, answered 410."""
	_short_page(context, page_language(), message, 410, gone=True)
	return context


def prefill(data: dict, known: dict | None = None) -> dict:
	"""What the booking form starts with: ``known`` (a personal link's prospect, a routing
	form's answers) and, over it, the URL's own prefill parameters (``?name=…&email=…``,
	``rules.prefill``), each cleaned like the form's field; {} on a page without a form."""
	meeting_type = data.get("meeting_type")
	if not meeting_type:
		return {}
	asked_of = [
		Question(q["label"], q["fieldtype"], False, tuple(q["options"])) for q in meeting_type["questions"]
	]
	out = {**(known or {}), "answers": dict((known or {}).get("answers") or {})}
	asked = clean_prefill(frappe.form_dict, asked_of)
	out["answers"].update(asked.pop("answers"))
	out.update(asked)
	return out


def page_language() -> str:
	"""The reader's language: ``?lang=`` when it names a language of the site, else what Frappe
	chose for this request (``?_lang=``, the preferred-language cookie, Accept-Language)."""
	return use_asked_language()


def on_brand(color: str) -> str:
	"""Black or white, whichever reads better on ``color`` (#rrggbb)."""
	return colors.on_color(color)


def fill(context, mode: str, data: dict, **extra):
	"""Everything the shared page template (templates/scheduler_booking_base.html) needs."""
	lang = page_language()
	if context.get("boot"):
		context.boot["lang"] = lang  # <html lang> follows the page's language
	embed = embedded()
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
		{
			"mode": mode,
			"lang": lang,
			"embed": embed,
			"messages": page_messages(),
			"limits": form_limits(),
			"zones_url": f"/assets/scheduler_integration/{'/'.join(_ZONES[1:])}?v={assets_version()}",
			**data,
			**extra,
		}
	)
	frame(context, lang, describe(data))
	return context


def read_page(context, read, *args, **kwargs):
	"""What a guest page shows, ``read(*args, **kwargs)``, after the page's preamble: the
	reader's language first (before any text is translated), then the per-IP limit. None when
	the page became a 429 or, for a record that does not exist, a 404 (``context`` is ready
	as it is)."""
	page_language()
	if too_many_requests(context):
		return None
	try:
		return read(*args, **kwargs)
	except frappe.DoesNotExistError:
		not_found(context)
		return None


def booking_page(context, mode: str, *names: str, team: str | None = None, on_domain: bool = False):
	"""A public booking page (``mode`` ``profile`` or ``book``) of the profile (or ``team``) and
	type named in the URL, its data read from the replica when the site has one (``read_page``).
	None when the page became a 429 (``context`` is ready as it is). ``on_domain``: served at
	the root of a custom domain (``custom_domain.py``)."""
	values = [frappe.form_dict.get(name) for name in names]
	data = read_page(context, replica_reads(page_data), *values, team=team, on_domain=on_domain)
	if data is None:
		return None
	try:
		extra = routed(data)
	except LinkGone as exc:  # as the booking API answers it: 410, saying why
		gone(context, str(exc))
		return None
	fill(context, mode, data, **extra)
	return data


def routed(data: dict) -> dict:
	"""A routing form sent the guest here (``?routed=<token>``): the page books among the
	decision's hosts and its form starts with the answers. A token that may no longer book
	(used, expired) raises LinkGone, as the booking API does; an unknown token, or one for
	another type, is left out (the page is the type's own)."""
	token = frappe.form_dict.get("routed")
	scope = None
	if token and data.get("meeting_type"):
		try:
			scope = open_routed(str(token))
		except frappe.DoesNotExistError:
			scope = None
		if scope and scope.meeting_type != data["meeting_type"].get("name"):
			scope = None
	extra = {"prefill": prefill(data, scope.prefill if scope else None)}
	if scope:
		extra["routed"] = str(token)
	return extra


def list_title(data: dict) -> str:
	"""The browser title of a page of meeting types: the host's (or team's) name, and the
	title of one of the host's extra pages (Scheduler Booking Page) before it."""
	title = _("Book time with {0}").format(data["profile"]["display_name"])
	page_title = data["profile"].get("page_title")
	return f"{page_title} · {title}" if page_title else title
