"""Routing forms: which meeting (or message, or web page) a prospect's answers lead to.

A routing form asks ordered questions and holds ordered rules. Each rule is a list of
conditions, all of which must hold (an empty list always holds), and an outcome. The
first rule whose conditions hold *and whose outcome can be served* decides; when none
does, the form's fallback outcome decides. Everything here is pure: the Frappe layer
loads the form, cleans the answers (``guest_form.clean_answers``), looks the prospect up
in the CRM (``matching``: one person, one record) and hands the result in as a
``KnownRecord``.

Conditions (``Condition.operator``), on the answer to ``Condition.question`` (a question
key); text compares trimmed and case-insensitively, a list answer (multi-select, several
emails) matches when one of its items does:

- ``is`` / ``is not``: the answer equals the value (``is not`` is its exact negation);
- ``contains``: the value is part of the answer;
- ``is one of``: the answer is one of the value's lines (or comma-separated items);
- ``greater than``, ``less than``, ``at least``, ``at most``: both are numbers and compare
  so (an answer that is no number never matches);
- ``is empty`` / ``is not empty``: no answer, or one;
- ``known record``: the prospect is a known CRM record, of one of the DocTypes the value
  lists (any when empty) — e.g. ``CRM Lead, CRM Deal``; ``question`` is ignored.

Outcomes (``Outcome.kind``):

- ``Meeting Type``: book that type, its hosts as usual;
- ``Record Owner``: book that type with the known record's owner as the only host
  (account-based routing). Served only when the record has an owner who is one of the
  type's hosts; otherwise the rule is passed over and the next one is tried;
- ``Team Hosts``: book that type among a subset of its hosts (those of ``hosts`` the type
  has; passed over when none is);
- ``External URL``: send the prospect to a web address;
- ``Message``: show a message (e.g. "we are not a fit yet").
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypedDict

OPERATORS = (
	"is",
	"is not",
	"contains",
	"is one of",
	"greater than",
	"less than",
	"at least",
	"at most",
	"is empty",
	"is not empty",
	"known record",
)
NUMERIC = ("greater than", "less than", "at least", "at most")
OUTCOMES = ("Meeting Type", "Record Owner", "Team Hosts", "External URL", "Message")
BOOKING_OUTCOMES = ("Meeting Type", "Record Owner", "Team Hosts")
MAX_RULES = 100
MAX_CONDITIONS = 20
MAX_CONDITION_VALUE = 1000  # characters of a condition's value: a few choices or a phrase


@dataclass(frozen=True)
class Condition:
	question: str
	operator: str
	value: str = ""


@dataclass(frozen=True)
class Outcome:
	kind: str
	meeting_type: str = ""
	hosts: tuple[str, ...] = ()
	url: str = ""
	message: str = ""


@dataclass(frozen=True)
class Rule:
	name: str
	outcome: Outcome
	conditions: tuple[Condition, ...] = ()


@dataclass(frozen=True)
class KnownRecord:
	"""The CRM record the prospect already is (``matching.pick``) and its owner."""

	doctype: str
	name: str
	owner: str | None = None


@dataclass(frozen=True)
class Decision:
	"""Where the prospect goes: the rule that decided (None: the fallback), its outcome's
	kind, and what to serve — the meeting type and the hosts it is booked among (empty:
	the type's own), the web address or the message. ``passed_over`` names the rules
	whose conditions held but whose outcome could not be served, with why."""

	rule: str | None
	kind: str
	meeting_type: str = ""
	hosts: tuple[str, ...] = ()
	url: str = ""
	message: str = ""
	passed_over: tuple[tuple[str, str], ...] = field(default=())

	@property
	def books(self) -> bool:
		return self.kind in BOOKING_OUTCOMES and bool(self.meeting_type)


def _items(value: str) -> list[str]:
	"""A condition's list value: its lines, or comma-separated items on one line."""
	parts = value.splitlines() if "\n" in value else value.split(",")
	return [part.strip().casefold() for part in parts if part.strip()]


def _texts(answer) -> list[str]:
	"""The answer as texts to compare: every item of a list, else the one value."""
	if answer is None:
		return []
	values = answer if isinstance(answer, list | tuple) else [answer]
	out = []
	for value in values:
		if value is None or value == "":
			continue
		if isinstance(value, bool):
			value = "yes" if value else "no"
		elif isinstance(value, float) and value.is_integer():
			value = int(value)
		out.append(str(value).strip().casefold())
	return [text for text in out if text]


def number(value) -> float | None:
	"""A finite number from an answer or a condition's value, else None."""
	if isinstance(value, bool) or value is None:
		return None
	try:
		if isinstance(value, int | float):
			result = float(value)
		else:
			result = float(str(value).strip().replace(",", "."))
	except (TypeError, ValueError, OverflowError):  # OverflowError: an int past any float
		return None
	return result if math.isfinite(result) else None


_COMPARE = {
	"greater than": lambda a, b: a > b,
	"less than": lambda a, b: a < b,
	"at least": lambda a, b: a >= b,
	"at most": lambda a, b: a <= b,
}


def holds(condition: Condition, answers: Mapping, record: KnownRecord | None) -> bool:
	"""Does ``condition`` hold for these answers and this record? Never raises: an
	unknown operator or a question nobody answered simply does not match (``is not`` and
	``is empty`` excepted, which hold for a missing answer)."""
	op = condition.operator
	if op == "known record":
		wanted = {item for item in _items(condition.value or "")}
		return record is not None and (not wanted or record.doctype.casefold() in wanted)
	texts = _texts(answers.get(condition.question))
	target = str(condition.value or "").strip().casefold()
	if op == "is":
		return target in texts
	if op == "is not":
		return target not in texts
	if op == "contains":
		return bool(target) and any(target in text for text in texts)
	if op == "is one of":
		return bool(set(_items(condition.value or "")) & set(texts))
	if op == "is empty":
		return not texts
	if op == "is not empty":
		return bool(texts)
	if op in _COMPARE:
		bound = number(condition.value)
		answer = answers.get(condition.question)
		values = answer if isinstance(answer, list | tuple) else [answer]
		numbers = [n for n in (number(v) for v in values) if n is not None]
		return bound is not None and any(_COMPARE[op](n, bound) for n in numbers)
	return False


def serve(
	outcome: Outcome, record: KnownRecord | None, type_hosts: Mapping[str, Iterable[str]]
) -> tuple[tuple[str, ...] | None, str]:
	"""(hosts, why not): the hosts a booking outcome is booked among (``()``: the type's
	own), or None with the reason it cannot be served."""
	if outcome.kind in ("External URL", "Message"):
		return (), ""
	if outcome.kind not in BOOKING_OUTCOMES:
		return None, "unknown outcome"
	if outcome.meeting_type not in type_hosts:
		return None, "meeting type not bookable"
	hosts = tuple(type_hosts[outcome.meeting_type])
	if outcome.kind == "Meeting Type":
		return (), ""
	if outcome.kind == "Record Owner":
		if record is None or not record.owner:
			return None, "no known record with an owner"
		if record.owner not in hosts:
			return None, "owner is not a host of the meeting type"
		return (record.owner,), ""
	subset = tuple(host for host in hosts if host in set(outcome.hosts))
	if not subset:
		return None, "none of the hosts is a host of the meeting type"
	return subset, ""


def route(
	rules: Iterable[Rule],
	answers: Mapping,
	record: KnownRecord | None,
	fallback: Outcome,
	type_hosts: Mapping[str, Iterable[str]],
) -> Decision:
	"""The decision for a submission. ``type_hosts``: each bookable meeting type the rules
	name, with its candidate hosts (a type missing from it is not bookable now)."""
	passed = []
	for rule in list(rules)[:MAX_RULES]:
		conditions = rule.conditions[:MAX_CONDITIONS]
		if not all(holds(condition, answers, record) for condition in conditions):
			continue
		hosts, why = serve(rule.outcome, record, type_hosts)
		if hosts is None:
			passed.append((rule.name, why))
			continue
		return _decision(rule.name, rule.outcome, hosts, passed)
	hosts, why = serve(fallback, record, type_hosts)
	if hosts is None:  # even the fallback cannot be served: say so, book nothing
		passed.append(("fallback", why))
		return Decision(None, "Message", passed_over=tuple(passed))
	return _decision(None, fallback, hosts, passed)


def _decision(rule: str | None, outcome: Outcome, hosts, passed) -> Decision:
	books = outcome.kind in BOOKING_OUTCOMES
	return Decision(
		rule=rule,
		kind=outcome.kind,
		meeting_type=outcome.meeting_type if books else "",
		hosts=tuple(hosts) if books else (),
		url=outcome.url if outcome.kind == "External URL" else "",
		message=outcome.message if outcome.kind == "Message" else "",
		passed_over=tuple(passed),
	)


class RoutingCounts(TypedDict):
	"""A routing form's decisions: submitted, routed (a rule decided, or the fallback sent
	the prospect on) and booked."""

	submitted: int
	routed: int
	booked: int


def funnel(statuses: Iterable[str]) -> RoutingCounts:
	"""Submitted → routed → booked counts of a form's decisions (their stored statuses):
	every submission counts as submitted; one a rule decided, or that the fallback sent to a
	meeting or web page, as routed; one whose booking was made as booked."""
	out: RoutingCounts = {"submitted": 0, "routed": 0, "booked": 0}
	for status in statuses:
		out["submitted"] += 1
		if status in ("Routed", "Booked"):
			out["routed"] += 1
		if status == "Booked":
			out["booked"] += 1
	return out
