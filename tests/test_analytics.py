"""Analytics aggregations (rules.analytics) against hand-computed answers."""

from datetime import datetime, timedelta

from scheduler_integration.rules.analytics import (
	FUNNEL_STEPS,
	funnel,
	host_performance,
	rate,
	summarize,
)


def ev(event_type, meeting_type=None, phase=None, session_id=None):
	return {"event_type": event_type, "meeting_type": meeting_type, "phase": phase, "session_id": session_id}


def test_rate():
	assert rate(12, 47) == 25.53
	assert rate(1, 3) == 33.33
	assert rate(5, 0) == 0.0


def test_summarize_matches_hand_computation():
	rows = (
		[ev("link_clicked", "mt-a", "Build")] * 6
		+ [ev("link_clicked", "mt-a", "Grow")] * 2
		+ [ev("link_clicked", "mt-b", "Build")] * 3
		+ [ev("link_clicked", None, "Stabilize")]
		+ [ev("meeting_booked", "mt-a", "Build")] * 2
		+ [ev("meeting_booked", "mt-b", None)]
		+ [ev("meeting_completed", "mt-a", "Build")]
		+ [ev("meeting_cancelled", "mt-a", "Build"), ev("page_viewed", "mt-a", "Build"), ev("odd")]
		+ [ev("link_clicked", "mt-c", "Custom phase")]
	)
	out = summarize(rows, {"mt-a": "Strategy", "mt-b": "Deep Dive"})
	assert out["summary"] == {
		"total_clicks": 13,
		"total_bookings": 3,
		"conversion_rate": 23.08,
		"total_completed": 1,
	}
	assert out["by_meeting_type"] == [
		{
			"meeting_type_id": "mt-a",
			"name": "Strategy",
			"clicks": 8,
			"bookings": 2,
			"completed": 1,
			"conversion_rate": 25.0,
		},
		{
			"meeting_type_id": "mt-b",
			"name": "Deep Dive",
			"clicks": 3,
			"bookings": 1,
			"completed": 0,
			"conversion_rate": 33.33,
		},
		{
			"meeting_type_id": "mt-c",
			"name": "mt-c",
			"clicks": 1,
			"bookings": 0,
			"completed": 0,
			"conversion_rate": 0.0,
		},
	]
	assert list(out["by_phase"]) == ["Stabilize", "Build", "Grow", "Custom phase"]
	assert out["by_phase"]["Build"] == {"clicks": 9, "bookings": 2}
	assert out["by_phase"]["Grow"] == {"clicks": 2, "bookings": 0}


def test_summarize_empty():
	out = summarize([])
	assert out == {
		"summary": {"total_clicks": 0, "total_bookings": 0, "conversion_rate": 0.0, "total_completed": 0},
		"by_meeting_type": [],
		"by_phase": {},
	}


def test_funnel_counts_furthest_step():
	rows = []
	# s1 books; s2 stops after the slot; s3 views only; s4 arrives on the type page and submits
	for step in FUNNEL_STEPS:
		rows.append(ev(step, session_id="s1"))
	rows += [
		ev("page_viewed", session_id="s2"),
		ev("type_selected", session_id="s2"),
		ev("slot_selected", session_id="s2"),
	]
	rows += [ev("page_viewed", session_id="s3"), ev("page_viewed", session_id="s3")]
	rows += [ev("form_submitted", session_id="s4")]
	rows += [ev("link_clicked", session_id="s5"), ev("page_viewed", session_id=None)]
	out = funnel(rows)
	assert [r["step"] for r in out] == list(FUNNEL_STEPS)
	assert [r["sessions"] for r in out] == [4, 3, 3, 2, 1]
	assert [r["drop_off"] for r in out] == [0, 1, 0, 1, 1]
	assert [r["drop_off_rate"] for r in out] == [0.0, 25.0, 0.0, 33.33, 50.0]
	assert [r["conversion_rate"] for r in out] == [100.0, 75.0, 75.0, 50.0, 25.0]


def test_funnel_empty():
	out = funnel([])
	assert [r["sessions"] for r in out] == [0] * 5
	assert all(r["conversion_rate"] == 0.0 and r["drop_off_rate"] == 0.0 for r in out)


def test_host_performance():
	base = datetime(2026, 3, 2, 8, 0)
	rows = [
		{
			"host": "a",
			"status": "Completed",
			"start": base.replace(hour=10),
			"creation": base - timedelta(hours=14),
		},
		{
			"host": "a",
			"status": "Completed",
			"start": base.replace(hour=10),
			"creation": base - timedelta(hours=2),
		},
		{"host": "a", "status": "Cancelled", "start": base.replace(hour=14), "creation": base},
		{"host": "a", "status": "No Show", "start": base.replace(hour=9), "creation": None},
		{"host": "b", "status": "Confirmed", "start": None, "creation": base},
	]
	a, b = host_performance(rows)
	assert a == {
		"host": "a",
		"bookings": 4,
		"completed": 2,
		"cancelled": 1,
		"no_show": 1,
		"completion_rate": 50.0,
		"cancellation_rate": 25.0,
		"no_show_rate": 25.0,
		"avg_lead_time_hours": round((16 + 4 + 6) / 3, 2),
		"peak_hours": [10, 9, 14],
		"revenue": 0.0,
		"forecast": 0.0,
		"paid": 0.0,
		"refunded": 0.0,
	}
	assert b["bookings"] == 1 and b["avg_lead_time_hours"] == 0.0 and b["peak_hours"] == []


def test_breakdown():
	from scheduler_integration.rules.analytics import breakdown

	rows = [
		ev("link_clicked", "a", "Build"),
		ev("link_clicked", "a", "Build"),
		ev("meeting_booked", "a", "Build"),
		ev("meeting_cancelled", "a", None),
		ev("no_show", "b", "Grow"),
		ev("meeting_completed", "b", "Grow"),
		ev("link_clicked", None, "Grow"),
	]
	assert breakdown(rows, "meeting_type") == [
		{
			"group": "a",
			"clicks": 2,
			"bookings": 1,
			"completed": 0,
			"cancelled": 1,
			"no_show": 0,
			"conversion_rate": 50.0,
		},
		{
			"group": "",
			"clicks": 1,
			"bookings": 0,
			"completed": 0,
			"cancelled": 0,
			"no_show": 0,
			"conversion_rate": 0.0,
		},
		{
			"group": "b",
			"clicks": 0,
			"bookings": 0,
			"completed": 1,
			"cancelled": 0,
			"no_show": 1,
			"conversion_rate": 0.0,
		},
	]
	assert [r["group"] for r in breakdown(rows, "phase")] == ["Build", "Grow", ""]


def test_peak_hours_on_each_hosts_own_clock():
	from datetime import timezone

	utc = timezone.utc
	# 14:00 UTC is 09:00 in New York (winter) and 15:00 in Amsterdam
	rows = [
		{
			"host": "ny",
			"status": "Completed",
			"start": datetime(2026, 1, 6, 14, 0, tzinfo=utc),
			"creation": None,
		},
		{
			"host": "ny",
			"status": "Completed",
			"start": datetime(2026, 1, 7, 14, 0, tzinfo=utc),
			"creation": None,
		},
		{
			"host": "ny",
			"status": "Completed",
			"start": datetime(2026, 1, 8, 20, 0, tzinfo=utc),
			"creation": None,
		},
		{
			"host": "ams",
			"status": "Completed",
			"start": datetime(2026, 1, 6, 14, 0, tzinfo=utc),
			"creation": None,
		},
		# summer time: 14:00 UTC is 10:00 in New York
		{
			"host": "ny",
			"status": "Completed",
			"start": datetime(2026, 7, 6, 14, 0, tzinfo=utc),
			"creation": None,
		},
	]
	ams, ny = host_performance(rows, zones={"ny": "America/New_York", "ams": "Europe/Amsterdam"})
	assert ny["peak_hours"] == [9, 10, 15]
	assert ams["peak_hours"] == [15]
	# without a zone the hour is read as given
	assert host_performance(rows[:1])[0]["peak_hours"] == [14]


def _priced(host, mtype, status, start, price, currency="USD"):
	return {
		"host": host,
		"meeting_type": mtype,
		"status": status,
		"start": start,
		"creation": start - timedelta(days=1),
		"price": price,
		"currency": currency,
	}


def test_revenue_and_forecast_match_hand_computation():
	from scheduler_integration.rules.analytics import revenue

	now = datetime(2026, 3, 10, 12, 0)
	past, future = now - timedelta(days=2), now + timedelta(days=2)
	rows = [
		_priced("a", "audit", "Completed", past, 150.0),
		_priced("a", "audit", "Completed", past, 150.0),
		_priced("a", "intro", "Completed", past, 0),  # free
		_priced("a", "audit", "No Show", past, 150.0),  # earns nothing
		_priced("a", "audit", "Cancelled", future, 150.0),
		_priced("a", "audit", "Confirmed", future, 150.0),  # forecast
		_priced("a", "audit", "Confirmed", past, 150.0),  # over, not completed yet: neither
		_priced("a", "audit", "Pending", future, 150.0),  # not confirmed: no forecast
		_priced("b", "coaching", "Completed", past, 99.99),
		_priced("b", "coaching", "Completed", past, 99.99),
		_priced("b", "coaching", "Completed", past, 99.99),
		_priced("b", "coaching", "Confirmed", future, 99.99),
		_priced("b", "eu", "Completed", past, 80.0, "EUR"),
	]
	out = revenue(rows, now)
	assert out["revenue"] == {"EUR": 80.0, "USD": 300.0 + 299.97}
	assert out["forecast"] == {"EUR": 0.0, "USD": 150.0 + 99.99}
	hosts = {(r["host"], r["currency"]): r for r in out["by_host"]}
	assert hosts[("a", "USD")] == {
		"host": "a",
		"currency": "USD",
		"revenue": 300.0,
		"forecast": 150.0,
		"paid": 0.0,
		"refunded": 0.0,
		"completed": 2,
		"upcoming": 1,
	}
	assert hosts[("b", "USD")]["revenue"] == 299.97 and hosts[("b", "USD")]["forecast"] == 99.99
	assert hosts[("b", "EUR")]["revenue"] == 80.0
	assert [r["host"] for r in out["by_host"]] == ["a", "b", "b"]  # most revenue first
	types = {
		(r["meeting_type"], r["currency"]): (r["revenue"], r["forecast"]) for r in out["by_meeting_type"]
	}
	assert types == {
		("audit", "USD"): (300.0, 150.0),
		("coaching", "USD"): (299.97, 99.99),
		("eu", "EUR"): (80.0, 0.0),
	}
	# the hosts' figures add up to the totals
	assert (
		round(sum(r["revenue"] for r in out["by_host"] if r["currency"] == "USD"), 2) == out["revenue"]["USD"]
	)


def test_host_performance_revenue_in_one_currency():
	now = datetime(2026, 3, 10, 12, 0)
	rows = [
		_priced("a", "x", "Completed", now - timedelta(days=1), 100.0),
		_priced("a", "x", "Completed", now - timedelta(days=1), 70.0, "EUR"),
		_priced("a", "x", "Confirmed", now + timedelta(days=1), 100.0),
	]
	(row,) = host_performance(rows, now=now, currency="USD")
	assert (row["revenue"], row["forecast"]) == (100.0, 100.0)
	(row,) = host_performance(rows, now=now, currency="EUR")
	assert (row["revenue"], row["forecast"]) == (70.0, 0.0)


def test_revenue_counts_what_was_paid_and_refunded_per_currency():
	from scheduler_integration.rules.analytics import host_performance, revenue

	now = datetime(2026, 3, 10, 12, 0)
	past, future = now - timedelta(days=2), now + timedelta(days=2)
	rows = [
		{**_priced("a", "paid", "Completed", past, 50.0), "amount_paid": 50.0},
		{**_priced("a", "paid", "Cancelled", future, 50.0), "amount_paid": 50.0, "amount_refunded": 25.0},
		{**_priced("a", "paid", "Cancelled", future, 50.0), "amount_paid": 50.0, "amount_refunded": 50.0},
		{**_priced("b", "jp", "Confirmed", future, 5000.0, "JPY"), "amount_paid": 5000.0},
		_priced("b", "free", "Awaiting Payment", future, 0),  # a hold: nothing yet
	]
	out = revenue(rows, now)
	assert out["paid"] == {"JPY": 5000.0, "USD": 150.0}
	assert out["refunded"] == {"JPY": 0.0, "USD": 75.0}
	assert out["net"] == {"JPY": 5000.0, "USD": 75.0}
	assert out["revenue"] == {"JPY": 0.0, "USD": 50.0}  # what the prices of held meetings say, as before
	host_a = next(r for r in out["by_host"] if r["host"] == "a")
	assert (host_a["paid"], host_a["refunded"]) == (150.0, 75.0)
	performance = {r["host"]: r for r in host_performance(rows, now=now, currency="USD")}
	assert (performance["a"]["paid"], performance["a"]["refunded"]) == (150.0, 75.0)
	assert performance["b"]["paid"] == 0.0  # its money is in yen


def test_last_months_roll_over_the_year():
	from datetime import date

	from scheduler_integration.rules.analytics import last_months

	assert last_months(date(2026, 2, 28), 4) == [
		date(2025, 11, 1),
		date(2025, 12, 1),
		date(2026, 1, 1),
		date(2026, 2, 1),
	]
	assert last_months(date(2026, 1, 1), 1) == [date(2026, 1, 1)]
	assert len(last_months(date(2026, 12, 31), 12)) == 12
	assert last_months(date(2026, 12, 31), 12)[0] == date(2026, 1, 1)


def test_per_month_counts_each_calendar_month_to_its_last_day():
	from datetime import date

	from scheduler_integration.rules.analytics import last_months, per_month

	months = last_months(date(2026, 3, 15), 3)  # January to March 2026
	days = [
		(date(2025, 12, 31), 7),  # before the first month: left out
		(date(2026, 1, 1), 1),  # the first day of a month
		(date(2026, 1, 31), 2),  # the last day of a 31-day month
		(date(2026, 2, 1), 4),  # the next day is the next month
		(date(2026, 2, 28), 8),  # the last day of February (2026 is no leap year)
		(date(2026, 4, 1), 9),  # after the last month: left out
		(datetime(2026, 1, 15, 23, 59), 16),  # a datetime counts by its day
	]
	assert per_month(days, months) == [
		(date(2026, 1, 1), 19),
		(date(2026, 2, 1), 12),
		(date(2026, 3, 1), 0),  # a month without bookings is listed as 0
	]
	assert per_month([], months) == [(month, 0) for month in months]
	assert per_month([(date(2024, 2, 29), 3)], last_months(date(2024, 2, 29), 1)) == [(date(2024, 2, 1), 3)]
