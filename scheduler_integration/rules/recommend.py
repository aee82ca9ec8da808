"""Which meeting types a client report recommends for the client's phase.

Rules (the spec's "Recommendation Algorithm", with its ties made deterministic):

* only active types take part;
* they are ordered by ``priority`` (highest first), then ``sort_order`` (lowest first), then
  ``name`` (case-insensitively, then exactly) and then ``id``, so equal rows always come
  out in the same order;
* the types whose ``phases`` include the client's phase (case-insensitive; one of
  the site's phases, ``validation.PHASES`` by default) are recommended, at most ``limit`` (3) of them;
* when none matches, or the phase is empty or not one of the five, the first
  ``fallback`` (2) active types are recommended instead.

The phases are the site's Scheduler Phase documents; the Frappe layer passes their names
as ``known`` / ``known_phases``. ``validation.PHASES`` are the five a fresh site ships with.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from scheduler_integration.engine.errors import InvalidField
from scheduler_integration.engine.i18n import _
from scheduler_integration.engine.validation import PHASES

__all__ = ["FALLBACK", "LIMIT", "TypeInfo", "canonical_phase", "ordered", "recommend"]

LIMIT = 3
FALLBACK = 2
_SPLIT = re.compile(r"[,\n]")


def canonical_phase(value, known: Iterable[str] = PHASES) -> str | None:
	"""The canonical spelling of a phase name ("build " → "Build") among ``known`` (the
	site's Scheduler Phase names; the five standard ones by default), or None."""
	if not isinstance(value, str):
		return None
	key = value.strip().casefold()
	return next((phase for phase in known if phase.casefold() == key), None)


def _number(value, field: str) -> int | float:
	if value is None:
		return 0
	if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
		raise InvalidField(_("{0} must be a number"), field, field)
	return value


@dataclass(frozen=True, slots=True)
class TypeInfo:
	"""What the recommendation needs to know about one meeting type.

	``phases`` may be given as a list or a comma/newline separated string; it is stored as a
	tuple of the canonical names of the known phases it mentions (others are ignored).
	``priority``/``sort_order`` of None count as 0; ``active`` is read as a truth value.
	"""

	id: str
	name: str
	priority: int = 0
	sort_order: int = 0
	active: bool = True
	phases: tuple[str, ...] = ()
	duration: int = 30
	description: str = ""
	url: str = ""
	known_phases: tuple[str, ...] = PHASES

	def __post_init__(self):
		set_ = object.__setattr__
		set_(self, "priority", _number(self.priority, "priority"))
		set_(self, "sort_order", _number(self.sort_order, "sort_order"))
		set_(self, "active", bool(self.active))
		phases = self.phases
		if phases is None:
			phases = ()
		elif isinstance(phases, str):
			phases = _SPLIT.split(phases)
		elif not isinstance(phases, Iterable):
			raise InvalidField(_("{0} must be a list of phases"), "phases", "phases")
		known = []
		for value in phases:
			phase = canonical_phase(value, self.known_phases)
			if phase and phase not in known:
				known.append(phase)
		set_(self, "phases", tuple(known))

	def sort_key(self) -> tuple:
		name = str(self.name or "")
		return (-self.priority, self.sort_order, name.casefold(), name, str(self.id))


def ordered(types: Iterable[TypeInfo]) -> list[TypeInfo]:
	"""Active types in recommendation order."""
	return sorted((item for item in types if item.active), key=TypeInfo.sort_key)


def recommend(
	types: Iterable[TypeInfo],
	phase,
	*,
	limit: int = LIMIT,
	fallback: int = FALLBACK,
	known: Iterable[str] = PHASES,
) -> list[TypeInfo]:
	"""The types to show in a report for a client in ``phase`` (see the module docstring)."""
	candidates = ordered(types)
	wanted = canonical_phase(phase, tuple(known))
	if wanted:
		matching = [item for item in candidates if wanted in item.phases]
		if matching:
			return matching[:limit]
	return candidates[:fallback]
