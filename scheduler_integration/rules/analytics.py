"""Engagement analytics as pure aggregations over rows (mappings) loaded by the Frappe layer.

* ``summarize(rows, type_names)`` — the spec's ``scheduler-analytics`` figures:
  ``total_clicks`` (link_clicked), ``total_bookings`` (meeting_booked), ``total_completed``
  (meeting_completed), ``conversion_rate`` = bookings / clicks × 100 rounded to 2 places
  (0 without clicks); ``by_meeting_type`` (every type with any of those events, most clicks
  first, then most bookings, then name); ``by_phase`` ({phase: {clicks, bookings}}, the five
  phases in their order first, then others by name; rows without a phase are left out).
* ``breakdown(rows, key)`` — clicks, bookings, completed, cancelled, no-shows and conversion
  per meeting type / phase / host (the desk report "Scheduler Engagement Analysis").
* ``provider_stats(bookings, calls)`` — per video provider (Zoom, Microsoft 365, Google):
  the meetings it made (bookings that got a link from it), completed and no-show counts and
  their rates over those meetings (%), and from the video meeting log the calls, failed
  calls and ``failure_rate`` (% of calls that failed) with ``reliability`` = 100 − that
  (100 without calls); most meetings first, then by name.
* ``funnel(rows)`` — the booking page funnel per anonymous session: a session counts for
  every step up to the furthest step it reached (page viewed → type selected → slot
  selected → form submitted → booked), so the counts never grow down the funnel;
  ``drop_off`` is the number lost since the previous step and ``drop_off_rate`` its share
  of the previous step (%), ``conversion_rate`` the share of the first step (%).
* ``host_performance(bookings, zones, now, currency)`` — per host: bookings,
  completed/cancelled/no-show counts and their rates over all bookings (%), average lead
  time (hours from booking to meeting start), the peak hours (the up to three hours of day
  with most meeting starts *on the host's own clock* when ``zones`` names it, most first,
  ties to the earlier hour), and the host's revenue and forecast in ``currency``, with what
  guests paid for their bookings and what went back to them (``paid``, ``refunded``).
* ``connection_rate(hosts)`` — the calendar connection rate: of the active hosts
  (``{host: [their connections]}``), the share (%) with a working calendar connection
  (``rules.onboarding.connection_works``), with both counts and the hosts still without one.
* ``last_months(today, count)`` and ``per_month(days, months)`` — bookings per calendar
  month (the workspace's "Bookings per Month"): the first days of the ``count`` months up to
  ``today``'s, oldest first, and the rows ``(day, bookings)`` summed into those months (a
  month without bookings counts 0; days outside them are left out). Days are calendar days
  of the zone the caller counted them in (the system's: where ``creation`` is stored).
* ``revenue(bookings, now)`` — money, per currency (amounts in different currencies are
  never added): ``revenue`` = the prices of Completed bookings, ``forecast`` = the prices of
  Confirmed bookings that start after ``now``; the same per host and per meeting type.
  A booking counts for its organiser (``host``), so the hosts' figures add up to the total.
  Paid bookings add the money itself (rows' ``amount_paid`` and ``amount_refunded``, in
  the booking's currency): ``paid``, ``refunded`` and ``net`` (paid − refunded) per
  currency, whatever the booking's status (a refunded cancellation counts in both).
  Amounts are rounded to 2 places once, after adding.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import TypedDict

from scheduler_integration.engine.statuses import Status
from scheduler_integration.engine.timezones import get_zone
from scheduler_integration.engine.validation import PHASES

from .onboarding import connection_works

__all__ = [
	"EVENT_TYPES",
	"FUNNEL_STEPS",
	"breakdown",
	"funnel",
	"host_performance",
	"last_months",
	"per_month",
	"rate",
	"revenue",
	"summarize",
]

EVENT_TYPES = (
	"page_viewed",
	"type_selected",
	"slot_selected",
	"form_submitted",
	"link_clicked",
	"meeting_booked",
	"meeting_completed",
	"meeting_cancelled",
	"no_show",
)
FUNNEL_STEPS = ("page_viewed", "type_selected", "slot_selected", "form_submitted", "meeting_booked")
_COUNTED = {"link_clicked": "clicks", "meeting_booked": "bookings", "meeting_completed": "completed"}

CONFIRMED, CANCELLED, COMPLETED, NO_SHOW = (
	s.value for s in (Status.CONFIRMED, Status.CANCELLED, Status.COMPLETED, Status.NO_SHOW)
)


class EngagementTotals(TypedDict):
	"""A host's report link clicks, bookings and completed meetings, and bookings per click (%)."""

	total_clicks: int
	total_bookings: int
	conversion_rate: float
	total_completed: int


class MeetingTypeEngagement(TypedDict):
	"""One meeting type's report link clicks, bookings, completed meetings and bookings per
	click (%)."""

	meeting_type_id: str
	name: str
	clicks: int
	bookings: int
	completed: int
	conversion_rate: float


class PhaseEngagement(TypedDict):
	"""One phase's report link clicks and bookings."""

	clicks: int
	bookings: int


class EngagementFigures(TypedDict):
	"""The engagement figures of ``summarize``: totals, per meeting type, per phase."""

	summary: EngagementTotals
	by_meeting_type: list[MeetingTypeEngagement]
	by_phase: dict[str, PhaseEngagement]


class ProviderStats(TypedDict):
	"""One video provider's meetings, their outcomes (rates in %) and the provider calls
	logged, failed and ``reliability`` (% that did not fail)."""

	provider: str
	meetings: int
	completed: int
	no_show: int
	cancelled: int
	completion_rate: float
	no_show_rate: float
	calls: int
	failures: int
	failure_rate: float
	reliability: float


class MoneyRow(TypedDict):
	"""Money of one group in one currency (the base of ``HostMoney``, ``MeetingTypeMoney``)."""

	currency: str
	revenue: float
	forecast: float
	paid: float
	refunded: float
	completed: int
	upcoming: int


class HostMoney(MoneyRow):
	"""A host's revenue, forecast, paid and refunded amounts in one currency, with the
	completed and upcoming bookings counted."""

	host: str


class MeetingTypeMoney(MoneyRow):
	"""A meeting type's money in one currency (``HostMoney``'s figures)."""

	meeting_type: str


class MoneyTotals(TypedDict):
	"""Revenue, forecast, paid, refunded and net amounts, each per currency."""

	revenue: dict[str, float]
	forecast: dict[str, float]
	paid: dict[str, float]
	refunded: dict[str, float]
	net: dict[str, float]


class RevenueFigures(MoneyTotals):
	"""``revenue``'s answer: the totals per currency, and per host and meeting type."""

	by_host: list[HostMoney]
	by_meeting_type: list[MeetingTypeMoney]


class ConnectionRate(TypedDict):
	"""Of the active hosts, the share (%) with a working calendar connection, both counts,
	and the hosts still without one."""

	rate: float
	connected: int
	hosts: int
	unconnected: list[str]


def rate(part: float, whole: float) -> float:
	"""``part`` as a percentage of ``whole``, rounded to 2 places; 0 when ``whole`` is 0."""
	return round(part * 100.0 / whole, 2) if whole else 0.0


def summarize(
	rows: Iterable[Mapping], type_names: Mapping[str, str] | None = None, phases: Iterable[str] = PHASES
) -> EngagementFigures:
	type_names = type_names or {}
	totals = Counter()
	per_type: dict[str, Counter] = defaultdict(Counter)
	per_phase: dict[str, Counter] = defaultdict(Counter)
	for row in rows:
		key = _COUNTED.get(row.get("event_type"))
		if not key:
			continue
		totals[key] += 1
		if row.get("meeting_type"):
			per_type[row["meeting_type"]][key] += 1
		if row.get("phase") and key != "completed":
			per_phase[row["phase"]][key] += 1
	by_type = [
		{
			"meeting_type_id": name,
			"name": type_names.get(name) or name,
			"clicks": counts["clicks"],
			"bookings": counts["bookings"],
			"completed": counts["completed"],
			"conversion_rate": rate(counts["bookings"], counts["clicks"]),
		}
		for name, counts in per_type.items()
	]
	by_type.sort(key=lambda item: (-item["clicks"], -item["bookings"], item["name"], item["meeting_type_id"]))
	order = {phase: index for index, phase in enumerate(phases)}
	phases = sorted(per_phase, key=lambda p: (order.get(p, len(order)), p))
	return {
		"summary": {
			"total_clicks": totals["clicks"],
			"total_bookings": totals["bookings"],
			"conversion_rate": rate(totals["bookings"], totals["clicks"]),
			"total_completed": totals["completed"],
		},
		"by_meeting_type": by_type,
		"by_phase": {
			p: {"clicks": per_phase[p]["clicks"], "bookings": per_phase[p]["bookings"]} for p in phases
		},
	}


def breakdown(rows: Iterable[Mapping], key: str) -> list[dict]:
	"""Outcome counts per value of ``key`` (rows without one are grouped under ''), most clicks first."""
	groups: dict[str, Counter] = defaultdict(Counter)
	for row in rows:
		groups[row.get(key) or ""][row.get("event_type")] += 1
	out = [
		{
			"group": group,
			"clicks": counts["link_clicked"],
			"bookings": counts["meeting_booked"],
			"completed": counts["meeting_completed"],
			"cancelled": counts["meeting_cancelled"],
			"no_show": counts["no_show"],
			"conversion_rate": rate(counts["meeting_booked"], counts["link_clicked"]),
		}
		for group, counts in groups.items()
	]
	out.sort(key=lambda item: (-item["clicks"], -item["bookings"], item["group"]))
	return out


def funnel(rows: Iterable[Mapping]) -> list[dict]:
	furthest: dict[str, int] = {}
	position = {step: index for index, step in enumerate(FUNNEL_STEPS)}
	for row in rows:
		session, step = row.get("session_id"), row.get("event_type")
		if not session or step not in position:
			continue
		furthest[session] = max(furthest.get(session, -1), position[step])
	reached = Counter(furthest.values())
	out, remaining, previous = [], len(furthest), None
	for index, step in enumerate(FUNNEL_STEPS):
		count = remaining
		remaining -= reached[index]
		lost = 0 if previous is None else previous - count
		out.append(
			{
				"step": step,
				"sessions": count,
				"drop_off": lost,
				"drop_off_rate": rate(lost, previous) if previous else 0.0,
				"conversion_rate": rate(count, out[0]["sessions"] if out else count),
			}
		)
		previous = count
	return out


def provider_stats(bookings: Iterable[Mapping], calls: Iterable[Mapping] = ()) -> list[ProviderStats]:
	"""Bookings with ``meeting_provider`` and ``status``; calls (video meeting log rows)
	with ``provider`` and ``result`` (Success / Failed)."""
	meetings: dict[str, Counter] = defaultdict(Counter)
	for row in bookings:
		if row.get("meeting_provider"):
			meetings[row["meeting_provider"]][row.get("status")] += 1
	logged: dict[str, Counter] = defaultdict(Counter)
	for row in calls:
		if row.get("provider"):
			logged[row["provider"]][row.get("result")] += 1
	out = []
	for provider in set(meetings) | set(logged):
		statuses, results = meetings[provider], logged[provider]
		total, attempts = sum(statuses.values()), sum(results.values())
		failure_rate = rate(results["Failed"], attempts)
		out.append(
			{
				"provider": provider,
				"meetings": total,
				"completed": statuses[COMPLETED],
				"no_show": statuses[NO_SHOW],
				"cancelled": statuses[CANCELLED],
				"completion_rate": rate(statuses[COMPLETED], total),
				"no_show_rate": rate(statuses[NO_SHOW], total),
				"calls": attempts,
				"failures": results["Failed"],
				"failure_rate": failure_rate,
				"reliability": round(100.0 - failure_rate, 2),
			}
		)
	out.sort(key=lambda item: (-item["meetings"], item["provider"]))
	return out


def _hours(delta) -> float:
	return delta.total_seconds() / 3600.0


def _local_hour(start: datetime, zone_name: str | None) -> int:
	"""The hour of day of ``start`` on the clock of ``zone_name`` (an aware ``start``);
	a naive ``start`` is already on the clock it is shown in."""
	if zone_name and start.tzinfo is not None:
		return start.astimezone(get_zone(zone_name)).hour
	return start.hour


def _paid(row: Mapping) -> tuple[float, float]:
	"""(paid, refunded) of one booking row: what its guest paid and what went back."""
	return float(row.get("amount_paid") or 0), float(row.get("amount_refunded") or 0)


def _earns(row: Mapping, now: datetime | None) -> tuple[str | None, float]:
	"""("revenue" | "forecast" | None, amount) of one booking row."""
	price = float(row.get("price") or 0)
	if not price:
		return None, 0.0
	if row.get("status") == COMPLETED:
		return "revenue", price
	start = row.get("start")
	if row.get("status") == CONFIRMED and now is not None and isinstance(start, datetime) and start > now:
		return "forecast", price
	return None, 0.0


def host_performance(
	bookings: Iterable[Mapping],
	zones: Mapping[str, str] | None = None,
	now: datetime | None = None,
	currency: str | None = None,
) -> list[dict]:
	"""Rows with ``host``, ``status``, ``start`` and ``creation`` (comparable datetimes),
	optionally ``price`` and ``currency``; ``zones`` maps hosts to their IANA zone (aware
	starts are then counted on that clock); revenue counts rows in ``currency`` (all
	priced rows when None)."""
	zones = zones or {}
	groups: dict[str, list[Mapping]] = defaultdict(list)
	for row in bookings:
		groups[row.get("host") or ""].append(row)
	out = []
	for host in sorted(groups):
		rows = groups[host]
		statuses = Counter(row.get("status") for row in rows)
		leads = [
			_hours(row["start"] - row["creation"])
			for row in rows
			if isinstance(row.get("start"), datetime) and isinstance(row.get("creation"), datetime)
		]
		hours = Counter(
			_local_hour(row["start"], zones.get(host))
			for row in rows
			if isinstance(row.get("start"), datetime)
		)
		money: Counter = Counter()
		for row in rows:
			if currency and (row.get("currency") or "") != currency:
				continue
			kind, amount = _earns(row, now)
			if kind:
				money[kind] += amount
			paid, refunded = _paid(row)
			money["paid"] += paid
			money["refunded"] += refunded
		total = len(rows)
		out.append(
			{
				"host": host,
				"bookings": total,
				"completed": statuses[COMPLETED],
				"cancelled": statuses[CANCELLED],
				"no_show": statuses[NO_SHOW],
				"completion_rate": rate(statuses[COMPLETED], total),
				"cancellation_rate": rate(statuses[CANCELLED], total),
				"no_show_rate": rate(statuses[NO_SHOW], total),
				"avg_lead_time_hours": round(sum(leads) / len(leads), 2) if leads else 0.0,
				"peak_hours": [
					hour for hour, _n in sorted(hours.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
				],
				"revenue": round(money["revenue"], 2),
				"forecast": round(money["forecast"], 2),
				"paid": round(money["paid"], 2),
				"refunded": round(money["refunded"], 2),
			}
		)
	return out


def _money_rows(groups: dict[tuple[str, str], Counter], key: str) -> list[dict]:
	out = [
		{
			key: group,
			"currency": currency,
			"revenue": round(counts["revenue"], 2),
			"forecast": round(counts["forecast"], 2),
			"paid": round(counts["paid"], 2),
			"refunded": round(counts["refunded"], 2),
			"completed": counts["completed"],
			"upcoming": counts["upcoming"],
		}
		for (group, currency), counts in groups.items()
	]
	out.sort(key=lambda item: (-item["revenue"], -item["forecast"], item[key], item["currency"]))
	return out


def revenue(bookings: Iterable[Mapping], now: datetime) -> RevenueFigures:
	"""Rows with ``host``, ``meeting_type``, ``status``, ``start``, ``price``, ``currency``
	and, for paid bookings, ``amount_paid`` and ``amount_refunded``."""
	totals: dict[str, Counter] = defaultdict(Counter)
	per_host: dict[tuple[str, str], Counter] = defaultdict(Counter)
	per_type: dict[tuple[str, str], Counter] = defaultdict(Counter)
	money: dict[str, Counter] = defaultdict(Counter)  # what was paid and refunded, per currency
	for row in bookings:
		currency = row.get("currency") or ""
		keys = ((row.get("host") or "", currency), (row.get("meeting_type") or "", currency))
		paid, refunded = _paid(row)
		if paid or refunded:
			for counter in (money[currency], per_host[keys[0]], per_type[keys[1]]):
				counter["paid"] += paid
				counter["refunded"] += refunded
		kind, amount = _earns(row, now)
		if not kind:
			continue
		count = "completed" if kind == "revenue" else "upcoming"
		for counter in (totals[currency], per_host[keys[0]], per_type[keys[1]]):
			counter[kind] += amount
			counter[count] += 1
	return {
		"revenue": {c: round(t["revenue"], 2) for c, t in sorted(totals.items())},
		"forecast": {c: round(t["forecast"], 2) for c, t in sorted(totals.items())},
		"paid": {c: round(t["paid"], 2) for c, t in sorted(money.items())},
		"refunded": {c: round(t["refunded"], 2) for c, t in sorted(money.items())},
		"net": {c: round(t["paid"] - t["refunded"], 2) for c, t in sorted(money.items())},
		"by_host": _money_rows(per_host, "host"),
		"by_meeting_type": _money_rows(per_type, "meeting_type"),
	}


def connection_rate(hosts: Mapping[str, Iterable[Mapping]]) -> ConnectionRate:
	"""{"rate", "connected", "hosts", "unconnected"} over the active hosts given."""
	unconnected = sorted(host for host, rows in hosts.items() if not any(connection_works(r) for r in rows))
	connected = len(hosts) - len(unconnected)
	return {
		"rate": rate(connected, len(hosts)),
		"connected": connected,
		"hosts": len(hosts),
		"unconnected": unconnected,
	}


def last_months(today: date, count: int) -> list[date]:
	"""The first day of each of the ``count`` calendar months up to ``today``'s, oldest first."""
	index = today.year * 12 + today.month - 1  # months since year 0, so a year's end just rolls on
	return [date(i // 12, i % 12 + 1, 1) for i in range(index - count + 1, index + 1)]


def per_month(days: Iterable[tuple[date, int]], months: list[date]) -> list[tuple[date, int]]:
	"""``days`` ((day, bookings) rows) summed into ``months`` (their first days, as
	``last_months`` gives them): [(month, bookings)], every month listed, 0 when empty."""
	counts = Counter()
	for day, n in days:
		counts[date(day.year, day.month, 1)] += int(n or 0)
	return [(month, counts[month]) for month in months]
