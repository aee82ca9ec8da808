"""The public booking pages' data: a profile and its meeting types, found by slug.

Only active profiles and types are public; an unknown or malformed slug is "does not
exist", never an error that tells more. Which names a profile slug leads to (the profile
and its active types by slug) is kept per worker process (``core.versioned_cache``): every
slot read starts there, and two lookups cost more than the rest of a one-day read. The
profile and meeting type controllers outdate the slug's entry on every change (insert,
slug or active changed, delete); an unknown slug is cached as unknown until a profile
takes it.

A team's page (``/book/team/<slug>``) lists the team's active round-robin and collective
types (``Scheduler Meeting Type.team``) and books them through the same page and API as a
profile's, headed with the team's name and branding; which types a team slug leads to is
cached the same way (``TEAMS``, outdated by the team and meeting type controllers). A
profile's page lists only its types without a team and without a booking page.

A host's extra pages (Scheduler Booking Page, seed 001's scheduling pages) share the
profiles' ``/book/<slug>`` namespace (``slug_taken``): a page's slug leads to a ``Page`` of
the host's profile that lists the types on that page (``Scheduler Meeting Type.
booking_page``), headed with the page's title, description and branding; everything below
(slots, booking, the manage page) is the profile's, so the host's hours, calendars and
bookings are one diary whichever page a guest came through.

``page_data`` is what both the pages (``www/book``) and ``api.public.get_page`` show, so
it stays below both; how a page is drawn (language, brand, embed mode, the script's
translations) is ``www/book/page_utils``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Literal, NotRequired, TypedDict

import frappe
from frappe import _

from scheduler_integration.booking import captcha, meetings, payments
from scheduler_integration.booking.captcha import CaptchaConfig
from scheduler_integration.booking.domains import BOOKING_PAGE, profile_url, type_url
from scheduler_integration.booking.errors import NotConfigured
from scheduler_integration.booking.meeting_types import (
	TYPE_ORDER,
	TypeContext,
	duration_minutes,
	type_context,
)
from scheduler_integration.core.answers import Path
from scheduler_integration.core.hosts import taking_meetings, type_hosts
from scheduler_integration.core.replica import cached_doc, cached_value
from scheduler_integration.core.settings import window_days
from scheduler_integration.core.versioned_cache import VersionedCache
from scheduler_integration.engine.adapters import FREQUENCIES
from scheduler_integration.engine.errors import SchedulingError
from scheduler_integration.engine.meetings import location_label, needs_phone
from scheduler_integration.engine.occurrences import Repeat, series_counts_offered
from scheduler_integration.engine.validation import LocationType, clean_slug
from scheduler_integration.rules import colors
from scheduler_integration.rules.colors import PageColors
from scheduler_integration.rules.domains import RESERVED_PROFILE_SLUGS
from scheduler_integration.rules.guest_form import Question
from scheduler_integration.rules.payments import HOLD_DEFAULT


@dataclass(frozen=True)
class Page:
	profile: str  # the Scheduler Profile's name
	types: dict[str, str]  # active meeting types: slug -> name
	booking_page: str | None = None  # one of the host's extra pages (Scheduler Booking Page)


@dataclass(frozen=True)
class TeamPage:
	team: str  # the Scheduler Team's name
	types: dict[str, str]  # active round-robin and collective types of the team: slug -> name


TEAM_ASSIGNMENTS = ("Round Robin", "Collective")

SLUGS = VersionedCache("scheduler_integration:page_slug")
TEAMS = VersionedCache("scheduler_integration:team_slug")


def invalidate(slugs) -> None:
	"""Outdate the pages of these profile slugs (old and new, on a change of slug)."""
	SLUGS.invalidate(slug for slug in slugs if slug)


def _build_index(owner_doctype: str, owner_field: str, slugs: list[str], make, **type_filters) -> dict:
	"""Two queries for any number of slugs: the active owners (profiles or teams) by slug,
	then their active meeting types (``owner_field`` links a type to its owner)."""
	owners = frappe.get_all(
		owner_doctype, filters={"slug": ("in", slugs), "active": 1}, fields=["name", "slug"]
	)
	types: dict[str, dict[str, str]] = {row.name: {} for row in owners}
	# no owner: no query (``in ("")`` would match every type without one, e.g. a team's)
	for row in (
		frappe.get_all(
			"Scheduler Meeting Type",
			filters={owner_field: ("in", list(types)), "active": 1, **type_filters},
			fields=["name", "slug", owner_field],
			order_by="creation asc",
		)
		if types
		else []
	):
		types[row[owner_field]].setdefault(row.slug, row.name)
	found = {row.slug: make(row.name, types[row.name]) for row in owners}
	return {slug: found.get(slug) for slug in slugs}


def _build(slugs: list[str]) -> dict[str, Page | None]:
	"""Profiles by slug, then the slugs left over among the hosts' extra pages (two queries
	more, only for those)."""
	found = _build_index("Scheduler Profile", "profile", slugs, Page)
	profiles = [page.profile for page in found.values() if page]
	if profiles:
		# a type on a page the host switched off takes no booking through any link
		for row in frappe.db.sql(
			"""select mt.profile, mt.slug from `tabScheduler Meeting Type` mt
			join `tabScheduler Booking Page` bp on bp.name = mt.booking_page
			where mt.profile in %(profiles)s and bp.active = 0""",
			{"profiles": tuple(profiles)},
			as_dict=True,
		):
			for page in found.values():
				if page and page.profile == row.profile:
					page.types.pop(row.slug, None)
	rest = [slug for slug in slugs if found[slug] is None]
	if not rest:
		return found
	rows = frappe.get_all(
		BOOKING_PAGE, filters={"slug": ("in", rest), "active": 1}, fields=["name", "slug", "user"]
	)
	# a host who switched their profile off takes none of their pages
	live = set(
		frappe.get_all(
			"Scheduler Profile",
			filters={"name": ("in", [row.user for row in rows] or [""]), "active": 1},
			pluck="name",
		)
	)
	rows = [row for row in rows if row.user in live]
	types: dict[str, dict[str, str]] = {row.name: {} for row in rows}
	for row in (
		frappe.get_all(
			"Scheduler Meeting Type",
			filters={"booking_page": ("in", list(types)), "active": 1, "team": ("is", "not set")},
			fields=["name", "slug", "booking_page"],
			order_by="creation asc",
		)
		if types
		else []
	):
		types[row.booking_page].setdefault(row.slug, row.name)
	for row in rows:
		found[row.slug] = Page(row.user, types[row.name], row.name)
	return found


def slug_taken(slug: str, doctype: str, name: str | None) -> bool:
	"""Is ``slug`` another profile's or booking page's link (both are ``/book/<slug>``), or
	one of the booking routes' own words (``/book/manage/…``, ``/book/team/…``)?

	Claims of one slug take turns: a named lock held until this transaction ends, and the
	check reads what is committed (a locking read), so two saves at once — a profile and a
	page, or two pages — cannot both take it."""
	if slug in RESERVED_PROFILE_SLUGS:
		return True
	_hold_slug(slug)
	for other in ("Scheduler Profile", BOOKING_PAGE):
		mine = name if other == doctype else ""
		found = frappe.db.sql(
			f"select name from `tab{other}` where slug = %s and name != %s lock in share mode",
			(slug, mine or ""),
		)
		if found:
			return True
	return False


SLUG_WAIT = 10  # seconds another save of the same slug may take


def _hold_slug(slug: str) -> None:
	"""Hold a database lock named after ``slug`` until the transaction commits or rolls back."""
	name = "sched-slug-" + hashlib.sha256(slug.encode()).hexdigest()[:40]  # ≤ 64 characters
	if frappe.db.db_type == "postgres":
		frappe.db.sql("select pg_advisory_xact_lock(hashtext(%s))", (name,))  # ends with it
		return
	got = frappe.db.sql("select get_lock(%s, %s)", (name, SLUG_WAIT))
	if not got or got[0][0] != 1:
		raise frappe.QueryTimeoutError(slug)  # the API answers 503: try again

	def release():
		frappe.db.sql("select release_lock(%s)", (name,))

	frappe.db.after_commit.add(release)
	frappe.db.after_rollback.add(release)


def booking_page_types(booking_page: str) -> list[dict]:
	"""The meeting types on a booking page (its form lists them)."""
	return frappe.get_all(
		"Scheduler Meeting Type",
		filters={"booking_page": booking_page},
		fields=["name", "title", "slug", "active"],
		order_by=TYPE_ORDER,
	)


def invalidate_teams(slugs) -> None:
	"""Outdate the pages of these team slugs (old and new, on a change of slug)."""
	TEAMS.invalidate(slug for slug in slugs if slug)


def _build_teams(slugs: list[str]) -> dict[str, TeamPage | None]:
	return _build_index("Scheduler Team", "team", slugs, TeamPage, assignment=("in", TEAM_ASSIGNMENTS))


def _find(cache: VersionedCache, build, slug, kind: str):
	"""The cached page of a slug; an unknown or malformed one "does not exist"."""
	try:
		slug = clean_slug(slug, kind)
	except SchedulingError:
		raise frappe.DoesNotExistError(_("This booking page does not exist")) from None
	found = cache.get_many([slug], build)[slug]
	if found is None:
		raise frappe.DoesNotExistError(_("This booking page does not exist"))
	return found


def team_page(slug) -> TeamPage:
	return _find(TEAMS, _build_teams, slug, "team")


def page(slug) -> Page:
	return _find(SLUGS, _build, slug, "profile")


def profile_by_slug(slug):
	return cached_doc("Scheduler Profile", page(slug).profile)


def public_type(profile_slug, slug, team=None, hosted: bool = True) -> TypeContext:
	"""The active meeting type ``slug`` of the active profile ``profile_slug``, or with
	``team`` of that active team. ``hosted``: refused (404 ``NOT_CONFIGURED``) while it has
	no host to book (a team type nobody accepted yet); a booking's manage page asks without."""
	found = team_page(team) if team else page(profile_slug)
	try:
		slug = clean_slug(slug, "meeting_type")
	except SchedulingError:
		raise frappe.DoesNotExistError(_("This meeting type does not exist")) from None
	name = found.types.get(slug)
	if not name:
		raise frappe.DoesNotExistError(_("This meeting type does not exist"))
	ctx = type_context(name)
	if hosted and not ctx.hosts:  # a team type whose invited hosts have not accepted yet
		raise NotConfigured(_("This meeting type has no host yet"))
	return ctx


def meeting_type_by_slug(profile, slug):
	"""The meeting type ``slug`` of ``profile`` (a Scheduler Profile) as a cached document."""
	return public_type(profile.slug, slug).doc


def active_types(
	profile_name: str | None = None, team: str | None = None, booking_page: str | None = None
) -> list:
	"""A profile's active types without a team or booking page, a team's active team types,
	or the active types on one of a host's extra pages."""
	if team:
		filters = {"team": team, "active": 1, "assignment": ("in", TEAM_ASSIGNMENTS)}
	elif booking_page:
		filters = {"booking_page": booking_page, "active": 1, "team": ("is", "not set")}
	else:
		filters = {
			"profile": profile_name,
			"active": 1,
			"team": ("is", "not set"),
			"booking_page": ("is", "not set"),
		}
	names = frappe.get_all(
		"Scheduler Meeting Type",
		filters=filters,
		order_by=TYPE_ORDER,
		pluck="name",
	)
	# a type offers nothing until one of its hosts can be booked (a team type nobody accepted,
	# hosts whose User was disabled or profile switched off): not listed
	docs = [cached_doc("Scheduler Meeting Type", name) for name in names]
	able = taking_meetings({user for doc in docs for user in type_hosts(doc)})
	return [doc for doc in docs if any(user in able for user in type_hosts(doc))]


def countries() -> tuple[str, ...]:
	"""The site's countries: a Country question's choices."""
	return tuple(frappe.get_all("Country", pluck="name", order_by="name asc"))


def questions(doc) -> list[Question]:
	return [
		Question(
			row.label,
			row.fieldtype or "Data",
			bool(row.required),
			countries()
			if row.fieldtype == "Country"
			else tuple(line.strip() for line in (row.options or "").splitlines() if line.strip()),
		)
		for row in doc.questions
	]


class Price(TypedDict):
	"""What a guest pays for a meeting type when booking it."""

	amount: float
	currency: str
	display: str
	requires_payment: bool
	hold_minutes: int


class SeriesOffer(TypedDict):
	"""A meeting type's series: how often, how many meetings at most, whether a taken one is skipped."""

	frequency: str
	max: int
	skip_taken: bool


class MeetingTypeSummary(TypedDict):
	"""A meeting type as its booking page lists it."""

	slug: str
	title: str
	duration: int
	description: str
	location_type: Literal[LocationType, ""]
	location_label: str
	color: str
	accent: PageColors
	requires_confirmation: bool
	video_link: bool
	phone_required: bool
	price: Price | None
	seats: int
	days: int
	series: SeriesOffer | None


class PageMeetingType(MeetingTypeSummary):
	"""A meeting type on its booking page, with the path of its own page."""

	url: Path


class FormQuestion(TypedDict):
	"""A question of a meeting type's booking form."""

	label: str
	fieldtype: str
	required: bool
	options: list[str]


class MeetingTypeDetails(MeetingTypeSummary):
	"""The meeting type a booking page opens: its form's questions and booking limits."""

	name: str
	questions: list[FormQuestion]
	max_advance_days: int
	max_attendees: int


class PageProfile(TypedDict):
	"""Whose booking page it is: the host (or team), their photo, words and branding."""

	slug: str
	display_name: str
	timezone: str
	photo: Path
	initial: str
	page_title: NotRequired[str]
	description: str
	brand_color: str
	logo: Path


class PageOrganization(TypedDict):
	"""The site's name and logo, shown above every booking page."""

	name: str
	logo: Path


class BookingPage(TypedDict):
	"""A booking page: its host or team, its meeting types and, when one is open, that type's form."""

	profile: PageProfile
	organization: PageOrganization
	captcha: CaptchaConfig | None
	meeting_types: list[PageMeetingType]
	max_window_days: int
	home_url: Path
	team: NotRequired[str]
	meeting_type: NotRequired[MeetingTypeDetails]


def type_summary(doc) -> MeetingTypeSummary:
	return {
		"slug": doc.slug,
		"title": doc.title,
		# the function the controller's method calls: booking/ sits below the controllers
		"duration": duration_minutes(doc),
		"description": doc.description or "",
		"location_type": doc.location_type or "",
		"location_label": location_label(doc.location_type, _),
		# written into the page's style: a colour, never other CSS (a host's field); a type
		# without one (made before the field had a default) shows the default
		"color": type_color(doc),
		# the colour as the page draws it: contrast enough on its light and dark background
		"accent": colors.page_variants(type_color(doc)),
		"requires_confirmation": bool(doc.requires_confirmation),
		# a video link is promised only when every host who could be assigned can make it
		# now; otherwise the page shows the location alone (the link still comes by email
		# once the host reconnects: the video effect retries)
		"video_link": meetings.promises_link(doc),
		"phone_required": needs_phone(doc.location_type),
		# what a paid type costs, shown before the form (booking.payments)
		"price": price_json(doc),
		# group sessions, multi-day bookings and series (engine.seats, engine.occurrences)
		"seats": int(doc.get("seats_per_slot") or 1),
		"days": int(doc.get("days") or 1),
		"series": {
			"frequency": doc.get("series_frequency") or "Weekly",
			# never more meetings than the booking window holds: the last would never be free
			"max": series_counts_offered(
				doc.get("series_max_count"),
				FREQUENCIES.get(doc.get("series_frequency") or "", Repeat.WEEKLY),
				int(doc.get("max_advance_days") or 0),
			),
			"skip_taken": doc.get("series_booking") == "Skip Taken Ones",
		}
		if doc.get("allow_series")
		else None,
	}


def type_color(doc) -> str:
	"""The type's colour (``#rrggbb``), else the default (``rules.colors``)."""
	return doc.color if colors.is_color(doc.color) else colors.DEFAULT_TYPE_COLOR


def price_json(doc) -> Price | None:
	"""The price guests pay when they book (None: a type they do not pay for on booking)."""
	if not payments.requires_payment(doc):
		return None
	return {
		"amount": float(doc.price),
		"currency": doc.currency or "",
		"display": payments.money(doc.price, doc.currency),
		"requires_payment": True,
		"hold_minutes": int(doc.get("payment_hold_minutes") or HOLD_DEFAULT),
	}


_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


def organization() -> PageOrganization:
	"""The site's name and logo (Website Settings), shown above every booking page."""
	try:
		row = cached_doc("Website Settings")
	except frappe.DoesNotExistError:
		return {"name": "", "logo": ""}
	name = row.get("app_name") or ""
	if name == "Frappe":  # the framework's placeholder, not an organisation anyone set
		name = ""
	return {"name": name, "logo": row.get("app_logo") or ""}


def host_photo(user: str) -> str:
	"""The host's photo (User → Image) when guests can load it: a public file or a web
	address, never a private file; '' otherwise (the page shows their initial)."""
	image = cached_value("User", user, "user_image") or ""
	return image if image.startswith(("/files/", "https://", "http://")) and '"' not in image else ""


def initial(name: str) -> str:
	"""The first letter of a name, for the page's avatar without a photo."""
	letter = next((ch for ch in (name or "") if ch.isalnum()), "")
	return letter.upper()


def _paths(slug: str, team: bool, on_domain: bool) -> tuple[str, str]:
	"""The page's own path and the prefix of its types' paths, on the host that serves it."""
	if on_domain:
		return "/", "/"
	home = f"/book/team/{slug}" if team else f"/book/{slug}"
	return home, home + "/"


def page_data(
	profile_slug, meeting_type_slug=None, team=None, on_domain: bool = False, hosted: bool = True
) -> BookingPage:
	"""A profile's page, or with ``team`` (a slug) a team's, headed with the team's name and
	branding; ``on_domain``: served at the root of its custom domain (``booking.domains``),
	and so are its links."""
	if team:
		owner = cached_doc("Scheduler Team", team_page(team).team)
		head = {"slug": owner.slug, "display_name": owner.title, "timezone": "", "photo": ""}
		head["initial"] = initial(owner.title)
		types = active_types(team=owner.name)
		profile = owner  # a team has no host's branding to fall back on
	else:
		found = page(profile_slug)
		profile = cached_doc("Scheduler Profile", found.profile)
		# one of the host's extra pages: its own title, words and branding, the host's face
		owner = cached_doc(BOOKING_PAGE, found.booking_page) if found.booking_page else profile
		head = {"slug": owner.slug, "display_name": profile.display_name, "timezone": profile.timezone}
		head.update(photo=host_photo(profile.user), initial=initial(profile.display_name))
		if found.booking_page:
			head["page_title"] = owner.title
		types = active_types(profile.name, booking_page=found.booking_page)
	brand = owner.brand_color or profile.brand_color or ""
	home, prefix = _paths(owner.slug, bool(team), on_domain)
	data = {
		"profile": {
			**head,
			"description": owner.description or "",
			"brand_color": brand if _COLOR.match(brand) else "",
			"logo": owner.logo or profile.logo or "",
		},
		"organization": organization(),
		"captcha": captcha.page_config(),
		"meeting_types": [{**type_summary(doc), "url": prefix + doc.slug} for doc in types],
		"max_window_days": window_days(),
		"home_url": home,
	}
	if team:
		data["team"] = owner.slug  # the booking script names the team to the API
	if meeting_type_slug:
		doc = public_type(profile_slug, meeting_type_slug, team, hosted).doc
		data["meeting_type"] = {
			"name": doc.name,  # what a personal link's or routing form's token names
			**type_summary(doc),
			"questions": [
				{
					"label": q.label,
					"fieldtype": q.fieldtype,
					"required": q.required,
					"options": list(q.options),
				}
				for q in questions(doc)
			],
			"max_advance_days": int(doc.max_advance_days or 0),
			# colleagues the guest may add (each gets the invitation)
			"max_attendees": int(doc.get("max_attendees") or 0),
		}
	return data


def share_url(profile) -> str:
	"""The link a host shares (a Scheduler Profile document): the page of its only meeting
	type when it offers one (the guest starts at the times, a click fewer), else the
	profile's page with every type."""
	types = active_types(profile.name)
	return type_url(types[0]) if len(types) == 1 else profile_url(profile)
