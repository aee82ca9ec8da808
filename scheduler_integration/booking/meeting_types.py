"""A meeting type with everything a booking needs about it.

The candidate hosts of a type: its profile's user for an individual type, the hosts
table for round robin and collective (only hosts who accepted their invitation count), of
those only who take meetings now (``core.hosts.bookable_hosts``). Contexts are kept per
worker process (``core.versioned_cache``) and outdated whenever the meeting type or its
profile changes, or a host's profile or User (their controllers and ``host_changed`` call
``invalidate``).
"""

from __future__ import annotations

from dataclasses import dataclass

import frappe
from frappe import _

from scheduler_integration.booking import availability, leave
from scheduler_integration.core.hosts import bookable_hosts
from scheduler_integration.core.versioned_cache import VersionedCache
from scheduler_integration.engine import Assignment, SlotPolicy
from scheduler_integration.engine.adapters import multi_day_from_row, policy_from_row, series_from_row
from scheduler_integration.engine.occurrences import Occurrences
from scheduler_integration.engine.validation import clean_duration

ASSIGNMENTS = {
	"Individual": Assignment.INDIVIDUAL,
	"Round Robin": Assignment.ROUND_ROBIN,
	"Collective": Assignment.COLLECTIVE,
}


@dataclass(frozen=True)
class TypeContext:
	doc: object  # the Scheduler Meeting Type (cached document: do not change it)
	profile: object  # its Scheduler Profile (cached document)
	policy: SlotPolicy
	assignment: Assignment
	hosts: tuple[str, ...]  # candidate host users, in the type's order
	multi_day: Occurrences | None = None  # the days of a multi-day type (engine.occurrences)

	def occurrences(self, count=None) -> Occurrences | None:
		"""How a booking of this type unfolds: its days, or a series of ``count`` meetings
		the guest asked for (None: one meeting)."""
		# the document itself, not its copy as a dict: every slot read asks (twice)
		return self.multi_day or series_from_row(self.doc, count)

	@property
	def name(self) -> str:
		return self.doc.name

	@property
	def owner(self) -> str:
		return self.profile.user

	def host_row(self, user: str):
		return next((row for row in self.doc.get("hosts") or [] if row.user == user), None)


CACHE = VersionedCache("scheduler_integration:meeting_type")
# the order of a host's meeting types wherever they are listed (a page, the host API):
# pinned first, then the host's own order, then the oldest
TYPE_ORDER = "priority desc, sort_order asc, creation asc"


def invalidate(meeting_types) -> None:
	CACHE.invalidate(meeting_types)


def of_host(user: str) -> list[str]:
	"""Every meeting type ``user`` may host: their profile's and the team types they are
	invited to (their contexts change when the user stops or starts taking meetings)."""
	own = frappe.get_all("Scheduler Meeting Type", filters={"user": user}, pluck="name")
	invited = frappe.get_all(
		"Scheduler Meeting Type Host",
		filters={"parenttype": "Scheduler Meeting Type", "user": user},
		pluck="parent",
	)
	return sorted({*own, *invited})


def host_changed(doc, method=None) -> None:
	"""``doc_events`` of User: a user enabled or disabled starts or stops being offered on
	every type they host (``core.hosts.bookable_hosts``) and covering colleagues' leave."""
	before = doc.get_doc_before_save()
	if before is not None and bool(before.enabled) != bool(doc.enabled):
		invalidate(of_host(doc.name))
		availability.invalidate([doc.name, *leave.covered_by(doc.name)])


def duration_minutes(meeting_type) -> int:
	"""A meeting type's length (the document): the one definition
	(``engine.validation.clean_duration``)."""
	return clean_duration(meeting_type.duration, meeting_type.custom_duration)


def type_context(meeting_type: str) -> TypeContext:
	if not meeting_type or not isinstance(meeting_type, str):
		raise frappe.DoesNotExistError(_("This meeting type does not exist"))
	return CACHE.get_many([meeting_type], _build)[meeting_type]


def _build(names: list[str]) -> dict[str, TypeContext]:
	out = {}
	for name in names:
		if not frappe.db.exists("Scheduler Meeting Type", name):
			raise frappe.DoesNotExistError(_("This meeting type does not exist"))
		doc = frappe.get_doc("Scheduler Meeting Type", name)
		profile = frappe.get_doc("Scheduler Profile", doc.profile)
		out[name] = TypeContext(
			doc=doc,
			profile=profile,
			policy=policy_from_row(doc.as_dict(), doc.name),
			assignment=ASSIGNMENTS.get(doc.assignment or "Individual", Assignment.INDIVIDUAL),
			hosts=tuple(bookable_hosts(doc)),
			multi_day=multi_day_from_row(doc.as_dict()),
		)
	return out


def meeting_type_doc(name: str):
	"""A meeting type's document as last committed (cached per worker; do not change it).

	Not ``frappe.get_cached_doc``: Frappe's copy in Redis is written by whichever reader
	misses it, and a reader whose transaction began before a change (an effect job) writes the
	old document back after the change cleared it, to stay until the next save (a host added
	back to a team type went on missing from routing). Here a value is kept under the version
	of the rows it was built from (``core.versioned_cache``)."""
	return type_context(name).doc
