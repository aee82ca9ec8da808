"""A new host's set-up checklist (rules.onboarding) and the calendar connection rate
(rules.analytics.connection_rate)."""

from hypothesis import given
from hypothesis import strategies as st

from scheduler_integration.rules.analytics import connection_rate
from scheduler_integration.rules.onboarding import (
	STEPS,
	SetupFacts,
	bookable,
	calendar_state,
	checklist,
	complete,
	connection_works,
	next_step,
	page_problems,
)


def conn(status="Connected", calendar=True, enabled=True, account_wide=False):
	return {"calendar": calendar, "enabled": enabled, "account_wide": account_wide, "status": status}


def states(facts):
	return {step.key: step.state for step in checklist(facts)}


def test_a_brand_new_host_starts_with_the_profile_or_a_calendar():
	steps = checklist(SetupFacts())
	assert [s.key for s in steps] == list(STEPS)
	assert states(SetupFacts()) == {
		"profile": "todo",
		"hours": "waiting",
		"calendar": "todo",  # a connection is the user's: it needs no profile
		"first_type": "waiting",
		"share_link": "waiting",
	}
	assert next_step(steps) == "profile"
	assert not complete(steps)


def test_with_a_profile_the_next_steps_open_in_order():
	facts = SetupFacts(has_profile=True)
	assert states(facts) == {
		"profile": "done",
		"hours": "todo",
		"calendar": "todo",
		"first_type": "todo",
		"share_link": "waiting",  # a page without a type offers nothing to share
	}
	assert next_step(checklist(facts)) == "hours"
	facts = SetupFacts(has_profile=True, has_hours=True)
	assert next_step(checklist(facts)) == "calendar"


def test_everything_done_completes_the_checklist():
	facts = SetupFacts(True, True, (conn(),), True, True)
	steps = checklist(facts)
	assert complete(steps)
	assert next_step(steps) is None


def test_the_calendar_step_follows_the_connections():
	assert calendar_state([]) == "todo"
	assert calendar_state([conn("Not Synced")]) == "checking"
	assert calendar_state([conn("Error"), conn("Needs Reconnect")]) == "failing"
	assert calendar_state([conn("Error"), conn("Connected")]) == "done"
	assert calendar_state([conn("Error"), conn("Not Synced")]) == "checking"
	# a video-only connection, a disabled one or an admin's app for everyone is no calendar of theirs
	assert calendar_state([conn(calendar=False)]) == "todo"
	assert calendar_state([conn(enabled=False)]) == "todo"
	assert calendar_state([conn(account_wide=True)]) == "todo"
	facts = SetupFacts(has_profile=True, has_hours=True, connections=(conn("Not Synced"),))
	assert states(facts)["calendar"] == "checking"
	assert next_step(checklist(facts)) == "first_type"  # nothing to do while it is checked
	facts = SetupFacts(has_profile=True, has_hours=True, connections=(conn("Needs Reconnect"),))
	assert next_step(checklist(facts)) == "calendar"


def test_a_shared_link_without_a_type_or_hours_is_not_done():
	assert states(SetupFacts(has_profile=True, link_shared=True))["share_link"] == "waiting"
	# a type without working hours offers nothing either
	facts = SetupFacts(has_profile=True, has_active_type=True, link_shared=True)
	assert states(facts)["share_link"] == "waiting"
	facts = SetupFacts(has_profile=True, has_hours=True, has_active_type=True, link_shared=True)
	assert states(facts)["share_link"] == "done"


def test_a_page_without_times_says_why_and_sharing_waits():
	ready = dict(has_profile=True, has_hours=True, has_active_type=True, has_types=True)
	assert page_problems(SetupFacts(**ready)) == []
	assert bookable(SetupFacts(**ready))
	# each reason, with the fix in the order a host makes them
	assert page_problems(SetupFacts(has_profile=True)) == ["no_hours", "no_type"]
	assert page_problems(SetupFacts(**{**ready, "has_hours": False})) == ["no_hours"]
	assert page_problems(SetupFacts(**{**ready, "has_active_type": False})) == ["types_inactive"]
	assert page_problems(SetupFacts(**{**ready, "has_active_type": False, "has_types": False})) == ["no_type"]
	assert page_problems(SetupFacts(**{**ready, "profile_active": False})) == ["page_off"]
	# hours and a type that together give no free time in the next weeks
	assert page_problems(SetupFacts(**{**ready, "offers_times": False})) == ["no_times"]
	# no profile: the first step says it, no page to speak of
	assert page_problems(SetupFacts()) == []
	assert not bookable(SetupFacts())
	# a shared link of a page without times is not done: sharing waits for times
	for broken in ({"offers_times": False}, {"profile_active": False}, {"has_hours": False}):
		facts = SetupFacts(**{**ready, **broken, "link_shared": True})
		assert states(facts)["share_link"] == "waiting", broken
		assert not complete(checklist(facts))
	shared = SetupFacts(**ready, link_shared=True, connections=(conn(),))
	assert complete(checklist(shared))
	# before sharing, the last step is the one to do now
	assert next_step(checklist(SetupFacts(**ready, connections=(conn(),)))) == "share_link"


facts_strategy = st.builds(
	SetupFacts,
	st.booleans(),
	st.booleans(),
	st.lists(
		st.builds(
			conn,
			st.sampled_from(["Connected", "Not Synced", "Error", "Needs Reconnect"]),
			st.booleans(),
			st.booleans(),
			st.booleans(),
		),
		max_size=3,
	).map(tuple),
	st.booleans(),
	st.booleans(),
	st.booleans(),
	st.booleans(),
	st.booleans(),
)


@given(facts_strategy)
def test_properties_of_any_checklist(facts):
	steps = checklist(facts)
	by_key = {s.key: s for s in steps}
	# complete exactly when every fact is there and a connection works
	everything = (
		facts.has_profile
		and facts.has_hours
		and facts.has_active_type
		and facts.link_shared
		and facts.profile_active
		and facts.offers_times
		and any(connection_works(c) for c in facts.connections)
	)
	assert complete(steps) == everything
	# the next step is one the host can act on now, and the first such
	nxt = next_step(steps)
	if nxt is not None:
		assert by_key[nxt].state in ("todo", "failing")
		assert all(s.state not in ("todo", "failing") for s in steps[: STEPS.index(nxt)])
	# a step never counts as done before what it needs (a calendar needs nothing)
	assert all(not s.done or s.key == "calendar" or by_key["profile"].done for s in steps)
	# sharing is open only to a page that offers times, and then no problem is shown
	assert (by_key["share_link"].state != "waiting") == bookable(facts)
	assert bookable(facts) == (facts.has_profile and not page_problems(facts))


def test_connection_rate():
	hosts = {
		"a@x": [conn()],
		"b@x": [conn("Error"), conn()],
		"c@x": [conn("Not Synced")],
		"d@x": [],
		"e@x": [conn(calendar=False)],  # Zoom only
	}
	assert connection_rate(hosts) == {
		"rate": 40.0,
		"connected": 2,
		"hosts": 5,
		"unconnected": ["c@x", "d@x", "e@x"],
	}
	assert connection_rate({}) == {"rate": 0.0, "connected": 0, "hosts": 0, "unconnected": []}


@given(
	st.dictionaries(
		st.text(min_size=1, max_size=5),
		st.lists(st.builds(conn, st.sampled_from(["Connected", "Error"]))),
		max_size=8,
	)
)
def test_connection_rate_is_a_share_of_the_hosts(hosts):
	out = connection_rate(hosts)
	assert 0 <= out["rate"] <= 100
	assert out["connected"] + len(out["unconnected"]) == out["hosts"] == len(hosts)
