"""DISC-adapted copy for the scheduler section of a client report, and its tracking links.

``section_title(disc)`` and ``section_intro(disc, phase)`` return a ``Copy``: an English
template wrapped in ``_()`` (so Frappe extracts it for translation) and its arguments. The
Frappe layer shows ``frappe._(copy.template).format(*copy.args)``; ``copy.text`` is the
English. The profile is read from its first letter, case-insensitively ("d", "D",
"Dominance" → D); anything else gets the default copy. The C intro names the phase (a known
phase in its canonical spelling, "build" → "Build"); with no phase it falls back to the
default intro rather than print "your  phase".

``tracking_params(phase)`` gives the report's UTM parameters and ``with_query(url, params)``
adds them to a booking link, replacing parameters of the same name and keeping the rest of
the URL (other parameters as written, fragment) untouched.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import quote, unquote_plus

from .i18n import _
from .validation import PHASES, clean_url

__all__ = [
	"DEFAULT_SOURCE",
	"Copy",
	"disc_letter",
	"section_intro",
	"section_title",
	"tracking_params",
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
	"S": _(
		"You don't have to do this alone. I'm here to support you every step of the way. Let's schedule a call to review your action plan at a comfortable pace."
	),
	"C": _(
		"Based on your {0} phase assessment, I recommend scheduling a detailed review to analyze implementation strategies and success metrics."
	),
}
DEFAULT_INTRO = _("Schedule a call to discuss your next steps.")


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
