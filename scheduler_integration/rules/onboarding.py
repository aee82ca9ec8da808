"""A new host's set-up checklist: what is left before their booking link works for them.

Five steps, in order: a **profile** (their booking link), working **hours**, a **calendar**
connection (so bookings never land on busy time), a first active meeting **type**, and the
**link shared** with someone. The Frappe side loads plain facts (``SetupFacts``); this
module decides each step's state and what comes next, and nothing else.

- A step is ``done``, ``todo`` or ``waiting`` (its prerequisites are not done yet: hours
  and type need the profile; sharing the link needs a page that offers times, or the
  guests it is shared with would find none). A calendar can be connected first: a
  connection is the user's, not the profile's.
- The calendar step has two more states: ``checking`` (a connection was added but has not
  synced yet) and ``failing`` (every connection the host has fails: Error or Needs
  Reconnect). Only a **working** connection completes it: one of the host's own (not an
  account-wide app), enabled, to a calendar provider, whose last sync succeeded
  (``connection_works``) — the same rule the calendar connection rate counts
  (``rules.analytics.connection_rate``).
- The link counts as shared once the host copied it from the desk, a guest opened their
  page, or anyone booked with them.
- ``page_problems`` says why a host's page offers no times, in the order the host fixes
  them: the page is switched off, no working hours, no meeting type, every type inactive,
  or hours that leave no free time in the next weeks (``offers_times``, which the Frappe
  side finds with the page's own slot search). The checklist and the profile form show
  them with their fix; sharing waits until there are none.
- ``next_step`` is the first step that is not done and not waiting; the checklist is
  ``complete`` when every step is done (the workspace then shows it all done, until the
  host hides it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal, TypedDict, get_args

StepKey = Literal["profile", "hours", "calendar", "first_type", "share_link"]
StepState = Literal["done", "todo", "waiting", "checking", "failing"]
STEPS: tuple[StepKey, ...] = get_args(StepKey)
NEEDS = {
	"profile": (),
	"hours": ("profile",),
	"calendar": (),
	"first_type": ("profile",),
	"share_link": ("profile", "hours", "first_type"),
}
DONE, TODO, WAITING, CHECKING, FAILING = get_args(StepState)
# why a page offers no times, in the order a host fixes them
PageProblemKey = Literal["page_off", "no_hours", "no_type", "types_inactive", "no_times"]
PAGE_OFF, NO_HOURS, NO_TYPE, TYPES_INACTIVE, NO_TIMES = get_args(PageProblemKey)
WORKING_STATUS = "Connected"
FAILING_STATUSES = ("Error", "Needs Reconnect")


@dataclass(frozen=True)
class SetupFacts:
	has_profile: bool = False
	has_hours: bool = False  # the profile's working hours have at least one weekly range
	connections: tuple[Mapping, ...] = ()  # the host's own: {calendar, enabled, account_wide, status}
	has_active_type: bool = False
	link_shared: bool = False
	profile_active: bool = True  # the profile's Active box: off, the page answers "not found"
	has_types: bool = False  # any meeting type, active or not
	offers_times: bool = True  # the page offers a time in the next weeks (the slot search)


class SetupFlags(TypedDict):
	"""What a host has set up (``SetupFacts`` without the connections), as the checklist
	answers it."""

	has_profile: bool
	has_hours: bool
	has_active_type: bool
	link_shared: bool
	profile_active: bool
	has_types: bool
	offers_times: bool


@dataclass(frozen=True)
class Step:
	key: StepKey
	state: StepState

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


def calendar_state(connections: Iterable[Mapping]) -> StepState:
	"""done (one works) | checking (one is set up, not synced yet) | failing | todo (none)."""
	mine = [c for c in connections if c.get("calendar") and c.get("enabled") and not c.get("account_wide")]
	if any(connection_works(c) for c in mine):
		return DONE
	if any(c.get("status") not in FAILING_STATUSES for c in mine):
		return CHECKING
	return FAILING if mine else TODO


def page_problems(facts: SetupFacts) -> list[PageProblemKey]:
	"""Why the host's page offers no times (empty: it offers some, or there is no profile
	yet, which the first step says)."""
	if not facts.has_profile:
		return []
	problems = []
	if not facts.profile_active:
		problems.append(PAGE_OFF)
	if not facts.has_hours:
		problems.append(NO_HOURS)
	if not facts.has_active_type:
		problems.append(TYPES_INACTIVE if facts.has_types else NO_TYPE)
	if not problems and not facts.offers_times:
		problems.append(NO_TIMES)
	return problems


def bookable(facts: SetupFacts) -> bool:
	"""The host's page offers times: there is a profile and nothing keeps it from it."""
	return facts.has_profile and not page_problems(facts)


def checklist(facts: SetupFacts) -> list[Step]:
	"""Every step with its state, in order."""
	own = {
		"profile": facts.has_profile,
		"hours": facts.has_profile and facts.has_hours,
		"first_type": facts.has_profile and facts.has_active_type,
		"share_link": bookable(facts) and facts.link_shared,
	}
	calendar = calendar_state(facts.connections)
	own["calendar"] = calendar == DONE
	steps = []
	for key in STEPS:
		if own[key]:
			state = DONE
		elif not all(own[need] for need in NEEDS[key]) or (key == "share_link" and not bookable(facts)):
			state = WAITING
		elif key == "calendar":
			state = calendar
		else:
			state = TODO
		steps.append(Step(key, state))
	return steps


def next_step(steps: Iterable[Step]) -> StepKey | None:
	"""The step to do now (None: nothing left to do; a connection being checked or a step
	waiting for another one asks nothing of the host)."""
	return next((s.key for s in steps if s.state in (TODO, FAILING)), None)


def complete(steps: Iterable[Step]) -> bool:
	return all(s.done for s in steps)
