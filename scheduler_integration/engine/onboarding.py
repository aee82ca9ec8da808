"""A new host's set-up checklist: what is left before their booking link works for them.

Five steps, in order: a **profile** (their booking link), working **hours**, a **calendar**
connection (so bookings never land on busy time), a first active meeting **type**, and the
**link shared** with someone. The Frappe side loads plain facts (``SetupFacts``); this
module decides each step's state and what comes next, and nothing else.

- A step is ``done``, ``todo`` or ``waiting`` (its prerequisites are not done yet: hours
  and type need the profile; sharing the link needs a profile with a type, or the page
  would offer nothing). A calendar can be connected first: a connection is the user's, not
  the profile's.
- The calendar step has two more states: ``checking`` (a connection was added but has not
  synced yet) and ``failing`` (every connection the host has fails: Error or Needs
  Reconnect). Only a **working** connection completes it: one of the host's own (not an
  account-wide app), enabled, to a calendar provider, whose last sync succeeded
  (``connection_works``) — the same rule the calendar connection rate counts
  (``engine.analytics.connection_rate``).
- The link counts as shared once the host copied it from the desk, a guest opened their
  page, or anyone booked with them.
- ``next_step`` is the first step that is not done and not waiting; the checklist is
  ``complete`` when every step is done, and the workspace stops showing it then.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

STEPS = ("profile", "hours", "calendar", "first_type", "share_link")
NEEDS = {
	"profile": (),
	"hours": ("profile",),
	"calendar": (),
	"first_type": ("profile",),
	"share_link": ("profile", "first_type"),
}
DONE, TODO, WAITING, CHECKING, FAILING = "done", "todo", "waiting", "checking", "failing"
WORKING_STATUS = "Connected"
FAILING_STATUSES = ("Error", "Needs Reconnect")


@dataclass(frozen=True)
class SetupFacts:
	has_profile: bool = False
	has_hours: bool = False  # the profile's working hours have at least one weekly range
	connections: tuple[Mapping, ...] = ()  # the host's own: {calendar, enabled, account_wide, status}
	has_active_type: bool = False
	link_shared: bool = False


@dataclass(frozen=True)
class Step:
	key: str
	state: str  # done | todo | waiting | checking | failing

	@property
	def done(self) -> bool:
		return self.state == DONE


def connection_works(connection: Mapping) -> bool:
	"""A working calendar connection: enabled, the host's own, a calendar provider, synced."""
	return bool(
		connection.get("calendar")
		and connection.get("enabled")
		and not connection.get("account_wide")
		and connection.get("status") == WORKING_STATUS
	)


def calendar_state(connections: Iterable[Mapping]) -> str:
	"""done (one works) | checking (one is set up, not synced yet) | failing | todo (none)."""
	mine = [c for c in connections if c.get("calendar") and c.get("enabled") and not c.get("account_wide")]
	if any(connection_works(c) for c in mine):
		return DONE
	if any(c.get("status") not in FAILING_STATUSES for c in mine):
		return CHECKING
	return FAILING if mine else TODO


def checklist(facts: SetupFacts) -> list[Step]:
	"""Every step with its state, in order."""
	own = {
		"profile": facts.has_profile,
		"hours": facts.has_profile and facts.has_hours,
		"first_type": facts.has_profile and facts.has_active_type,
		"share_link": facts.has_profile and facts.has_active_type and facts.link_shared,
	}
	calendar = calendar_state(facts.connections)
	own["calendar"] = calendar == DONE
	steps = []
	for key in STEPS:
		if own[key]:
			state = DONE
		elif not all(own[need] for need in NEEDS[key]):
			state = WAITING
		elif key == "calendar":
			state = calendar
		else:
			state = TODO
		steps.append(Step(key, state))
	return steps


def next_step(steps: Iterable[Step]) -> str | None:
	"""The step to do now (None: nothing left to do; a connection being checked or a step
	waiting for another one asks nothing of the host)."""
	return next((s.key for s in steps if s.state in (TODO, FAILING)), None)


def complete(steps: Iterable[Step]) -> bool:
	return all(s.done for s in steps)
