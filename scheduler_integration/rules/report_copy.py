"""DISC-adapted copy for the scheduler section of a client report, and its tracking links.

Every line of the section that adapts to the client's DISC profile is here, each a ``Copy``:
an English template wrapped in ``_()`` (so Frappe extracts it for translation) and its
arguments. The Frappe layer shows ``frappe._(copy.template).format(*copy.args)``;
``copy.text`` is the English. The profile is read from its first letter,
case-insensitively ("d", "D", "Dominance" → D); anything else gets the default copy.

- ``section_title(disc)`` and ``section_intro(disc, phase)``. The C intro names the phase
  (a known phase in its canonical spelling, "build" → "Build"); with no phase it falls back
  to the default intro rather than print "your  phase".
- ``lead_line(disc, phase)``: the line above the recommended types ("Based on your BUILD
  phase priorities, I recommend:" for D, the phase in capitals as the seed writes it); a
  profile whose line names the phase says it without one when there is none.
- ``type_heading(disc, name, primary)``: a recommended type's heading; the types after the
  first are marked as secondary ("Optional: 60-Minute Deep Dive" for D).
- ``details_label(disc)``: the label above a type's description ("What We'll Cover:").
- ``button(disc, name, primary)``: the booking button. It names the type without a leading
  length ("30-Minute Strategy Session" → "Schedule Your Strategy Session →"), since the
  heading above it already gives the length; S asks for no decision ("Schedule a Call When
  You're Ready →").
- ``closing(disc)``: the line after the types, an emphasised part and the rest ("No
  pressure, no rush." "We'll take this at your pace." for S), or None (D: the seed's D
  example ends on its buttons).
- ``section_copy(disc, phase, names)`` gathers them all for one section.

I and C have no example in the seed; their lines follow the seed's description of each
profile (I: enthusiastic, together; C: detail, structure, analysis).

``tracking_params(phase)`` gives the report's UTM parameters and ``with_query(url, params)``
adds them to a booking link, replacing parameters of the same name and keeping the rest of
the URL (other parameters as written, fragment) untouched.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import quote, unquote_plus

from scheduler_integration.engine.i18n import _
from scheduler_integration.engine.validation import PHASES, clean_url

__all__ = [
	"DEFAULT_SOURCE",
	"Copy",
	"SectionCopy",
	"TypeCopy",
	"button",
	"closing",
	"details_label",
	"disc_letter",
	"lead_line",
	"section_copy",
	"section_intro",
	"section_title",
	"short_name",
	"tracking_params",
	"type_heading",
	"with_query",
]

DEFAULT_SOURCE = "scheduler_integration"

TITLES = {
	"D": _("Let's Discuss Your Next Steps"),
	"I": _("Let's Connect and Create Your Action Plan Together!"),
	"S": _("Let's Work Together on Your Next Steps"),
	"C": _("Schedule a Detailed Implementation Review"),
}
DEFAULT_TITLE = _("Schedule a Follow-Up Call")

INTROS = {
	"D": _(
		"Ready to move forward? Book a strategy session to create your implementation plan and hit the ground running."
	),
	"I": _(
		"This is exciting! Let's schedule a call to discuss your roadmap and get you on the path to success."
	),
	# the seed's S example: its second half is the S lead line below
	"S": _("You don't have to do this alone. I'm here to support you every step of the way."),
	"C": _(
		"Based on your {0} phase assessment, I recommend scheduling a detailed review to analyze implementation strategies and success metrics."
	),
}
DEFAULT_INTRO = _("Schedule a call to discuss your next steps.")

# the line above the types: (with the phase, without one)
LEADS = {
	"D": (_("Based on your {0} phase priorities, I recommend:"), _("Based on your priorities, I recommend:")),
	"I": (
		_("Here's what I'd love to dive into together in your {0} phase:"),
		_("Here's what I'd love to dive into together:"),
	),
	"S": (
		_(
			"Let's schedule a call to review your action plan and make sure you feel comfortable with the next steps."
		),
	)
	* 2,
	"C": (
		_("Recommended sessions for the {0} phase, in order of priority:"),
		_("Recommended sessions, in order of priority:"),
	),
}
DEFAULT_LEADS = (_("For your {0} phase, I recommend:"), _("I recommend:"))

# the heading of the types after the first
SECONDARY = {
	"D": _("Optional: {0}"),
	"I": _("Want to Go Further? {0}"),
	"S": _("When You Feel Ready: {0}"),
	"C": _("Additional Option: {0}"),
}
DEFAULT_SECONDARY = _("Optional: {0}")

DETAILS = {
	"D": _("What We'll Cover:"),
	"I": _("What We'll Talk About:"),
	"S": _("What We'll Discuss:"),
	"C": _("Agenda:"),
}
DEFAULT_DETAILS = _("What We'll Cover:")

# the button: (first type, the others); "a" or "an" by the name's first letter
BUTTONS = {
	"D": (_("Schedule Your {0} →"), (_("Schedule a {0} →"), _("Schedule an {0} →"))),
	"I": (_("Let's Book Your {0}! →"), (_("Add a {0} →"), _("Add an {0} →"))),
	"S": (
		_("Schedule a Call When You're Ready →"),
		(_("Schedule a {0} When You're Ready →"), _("Schedule an {0} When You're Ready →")),
	),
	"C": (_("Schedule the {0} →"), (_("Schedule a {0} →"), _("Schedule an {0} →"))),
}
DEFAULT_BUTTONS = (_("Schedule Your {0} →"), (_("Schedule a {0} →"), _("Schedule an {0} →")))

# the closing line: (emphasised, the rest)
CLOSINGS = {
	"I": (_("I can't wait to get started!"), _("Pick the time that suits you best.")),
	"S": (_("No pressure, no rush."), _("We'll take this at your pace.")),
	"C": (
		_("Questions before you book?"),
		_("Each session can start with the points you want to examine first."),
	),
}

# a type's leading length: "30-Minute ", "60 min – ", "1-Hour: "
_LENGTH = re.compile(r"^\s*\d+(?:[.,]\d+)?\s*-?\s*(?:minutes?|mins?|hours?|hrs?|h)\b[\s:–—-]*", re.I)


@dataclass(frozen=True, slots=True)
class Copy:
	"""A translatable template and its ``{0}``-style arguments."""

	template: str
	args: tuple = ()

	@property
	def text(self) -> str:
		"""The English text."""
		return self.template.format(*self.args) if self.args else self.template


def disc_letter(disc) -> str:
	"""'D', 'I', 'S' or 'C' from a profile such as "d" or "Dominance"; '' when unknown."""
	if not isinstance(disc, str):
		return ""
	letter = disc.strip()[:1].upper()
	return letter if letter in TITLES else ""


def section_title(disc) -> Copy:
	return Copy(TITLES.get(disc_letter(disc), DEFAULT_TITLE))


def section_intro(disc, phase="", known: Iterable[str] = PHASES) -> Copy:
	letter = disc_letter(disc)
	if letter == "C":
		phase = phase.strip() if isinstance(phase, str) else ""
		if not phase:
			return Copy(DEFAULT_INTRO)
		names = {name.casefold(): name for name in known}
		return Copy(INTROS["C"], (names.get(phase.casefold(), phase),))
	return Copy(INTROS.get(letter, DEFAULT_INTRO))


def _phase(phase, known: Iterable[str]) -> str:
	phase = phase.strip() if isinstance(phase, str) else ""
	names = {name.casefold(): name for name in known}
	return names.get(phase.casefold(), phase)


def lead_line(disc, phase="", known: Iterable[str] = PHASES) -> Copy:
	letter = disc_letter(disc)
	with_phase, without = LEADS.get(letter, DEFAULT_LEADS)
	phase = _phase(phase, known)
	if not phase or "{0}" not in with_phase:
		return Copy(without)
	return Copy(with_phase, (phase.upper() if letter == "D" else phase,))


def short_name(name) -> str:
	"""The type's name without a leading length ("30-Minute Strategy Session" → "Strategy
	Session"); the whole name when nothing else would be left."""
	name = name.strip() if isinstance(name, str) else ""
	rest = _LENGTH.sub("", name, count=1).strip()
	return rest or name


def type_heading(disc, name, primary: bool = True) -> Copy:
	name = name if isinstance(name, str) else ""
	if primary:
		return Copy("{0}", (name,))
	return Copy(SECONDARY.get(disc_letter(disc), DEFAULT_SECONDARY), (name,))


def details_label(disc) -> Copy:
	return Copy(DETAILS.get(disc_letter(disc), DEFAULT_DETAILS))


def button(disc, name, primary: bool = True) -> Copy:
	first, others = BUTTONS.get(disc_letter(disc), DEFAULT_BUTTONS)
	short = short_name(name)
	if primary:
		return Copy(first, (short,)) if "{0}" in first else Copy(first)
	vowel = short[:1].casefold() in ("a", "e", "i", "o", "u")
	return Copy(others[vowel], (short,))


def closing(disc) -> tuple[Copy, Copy] | None:
	lines = CLOSINGS.get(disc_letter(disc))
	return (Copy(lines[0]), Copy(lines[1])) if lines else None


@dataclass(frozen=True, slots=True)
class TypeCopy:
	heading: Copy
	details_label: Copy
	button: Copy


@dataclass(frozen=True, slots=True)
class SectionCopy:
	title: Copy
	intro: Copy
	lead: Copy
	types: tuple[TypeCopy, ...]
	closing: tuple[Copy, Copy] | None


def section_copy(disc, phase="", names: Iterable[str] = (), known: Iterable[str] = PHASES) -> SectionCopy:
	"""Every adapted line of one section whose recommended types are ``names``, in order."""
	known = tuple(known)
	return SectionCopy(
		title=section_title(disc),
		intro=section_intro(disc, phase, known),
		lead=lead_line(disc, phase, known),
		types=tuple(
			TypeCopy(
				type_heading(disc, name, index == 0),
				details_label(disc),
				button(disc, name, index == 0),
			)
			for index, name in enumerate(names)
		),
		closing=closing(disc),
	)


def tracking_params(phase, source: str = DEFAULT_SOURCE) -> dict[str, str]:
	"""UTM parameters of a report link; ``utm_campaign`` is left out when there is no phase."""
	params = {"utm_source": source, "utm_medium": "report"}
	phase = phase.strip() if isinstance(phase, str) else ""
	if phase:
		params["utm_campaign"] = f"phase_{phase.lower()}"
	return params


def _key(part: str) -> str:
	return unquote_plus(part.partition("=")[0])


def with_query(url: str, params: Mapping[str, object], *, field: str = "url") -> str:
	"""``url`` (http/https) with ``params`` set in its query string.

	A parameter already present under the same (decoded) name is replaced; other
	parameters keep their order and spelling; new ones are appended percent-encoded (a
	space as ``%20``); a ``None`` value is skipped; the fragment stays at the end.
	"""
	url = clean_url(url, field, required=True)
	head, hash_mark, fragment = url.partition("#")
	base, _mark, query = head.partition("?")
	added = [(str(key), str(value)) for key, value in params.items() if value is not None]
	names = {key for key, _value in added}
	kept = [part for part in query.split("&") if part and _key(part) not in names]
	kept += [f"{quote(key, safe='')}={quote(value, safe='')}" for key, value in added]
	query = "&".join(kept)
	return base + ("?" + query if query else "") + hash_mark + fragment
