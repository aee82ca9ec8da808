"""Routing forms: the first rule whose conditions hold and whose outcome can be served
decides; conditions never raise, whatever the answers; account-based routing only ever
books the record's owner, and only when they host the type."""

from hypothesis import given
from hypothesis import strategies as st

from scheduler_integration.rules.routing import (
	OPERATORS,
	Condition,
	KnownRecord,
	Outcome,
	Rule,
	funnel,
	holds,
	route,
)

TYPES = {"demo": ("ada", "bob", "cy"), "intro": ("ada",)}
DEMO = Outcome("Meeting Type", "demo")
FALLBACK = Outcome("Message", message="Thanks, we will be in touch")


def test_first_matching_rule_wins_in_order():
	rules = [
		Rule(
			"big", Outcome("Team Hosts", "demo", ("bob", "cy")), (Condition("employees", "at least", "50"),)
		),
		Rule("germany", Outcome("Meeting Type", "intro"), (Condition("country", "is", "Germany"),)),
		Rule(
			"students",
			Outcome("External URL", url="https://example.com/edu"),
			(Condition("role", "is", "Student"),),
		),
	]
	decision = route(rules, {"employees": 120, "country": "germany"}, None, FALLBACK, TYPES)
	assert (decision.rule, decision.kind, decision.meeting_type, decision.hosts) == (
		"big",
		"Team Hosts",
		"demo",
		("bob", "cy"),
	)
	decision = route(rules, {"employees": "12", "country": " GERMANY "}, None, FALLBACK, TYPES)
	assert (decision.rule, decision.meeting_type, decision.hosts) == ("germany", "intro", ())
	decision = route(rules, {"role": "Student"}, None, FALLBACK, TYPES)
	assert (decision.kind, decision.url, decision.meeting_type) == (
		"External URL",
		"https://example.com/edu",
		"",
	)
	decision = route(rules, {}, None, FALLBACK, TYPES)
	assert (decision.rule, decision.kind, decision.message) == (
		None,
		"Message",
		"Thanks, we will be in touch",
	)
	assert not decision.books


def test_known_record_routes_to_its_owner_when_they_host_the_type():
	rules = [
		Rule(
			"account", Outcome("Record Owner", "demo"), (Condition("", "known record", "CRM Lead, CRM Deal"),)
		),
	]
	lead = KnownRecord("CRM Lead", "CRM-LEAD-1", "bob")
	decision = route(rules, {}, lead, DEMO, TYPES)
	assert (decision.rule, decision.hosts, decision.meeting_type) == ("account", ("bob",), "demo")
	# a Customer is not among the DocTypes the condition names
	assert route(rules, {}, KnownRecord("Customer", "Acme", "bob"), DEMO, TYPES).rule is None
	# an owner who does not host the type: passed over, the fallback books the team
	decision = route(rules, {}, KnownRecord("CRM Lead", "L2", "zed"), DEMO, TYPES)
	assert (decision.rule, decision.hosts) == (None, ())
	assert decision.passed_over == (("account", "owner is not a host of the meeting type"),)
	decision = route(rules, {}, KnownRecord("CRM Deal", "D1", None), DEMO, TYPES)
	assert decision.rule is None and decision.passed_over


def test_unbookable_type_is_passed_over_and_unservable_fallback_books_nothing():
	rules = [Rule("gone", Outcome("Meeting Type", "retired"))]
	decision = route(rules, {}, None, Outcome("Meeting Type", "also-gone"), TYPES)
	assert decision.kind == "Message" and not decision.books and decision.rule is None
	assert [name for name, _why in decision.passed_over] == ["gone", "fallback"]


def test_operators():
	answers = {"size": "51-200", "tools": ["Slack", "Jira"], "seats": 40, "note": "", "agree": True}
	cases = [
		("size", "is", "51-200", True),
		("size", "is not", "51-200", False),
		("tools", "is", "jira", True),
		("tools", "contains", "lac", True),
		("tools", "is one of", "Asana\nJira", True),
		("tools", "is one of", "Asana, Trello", False),
		("seats", "greater than", "39.5", True),
		("seats", "less than", "40", False),
		("seats", "at least", "40", True),
		("seats", "at most", "39", False),
		("size", "greater than", "5", False),  # no number: never compares
		("note", "is empty", "", True),
		("missing", "is empty", "", True),
		("missing", "is not", "x", True),
		("note", "is not empty", "", False),
		("agree", "is", "yes", True),
		("size", "no such operator", "x", False),
	]
	for question, operator, value, expected in cases:
		assert holds(Condition(question, operator, value), answers, None) is expected, (question, operator)


def test_funnel_counts():
	assert funnel(["Submitted", "Routed", "Booked", "Booked", "Routed"]) == {
		"submitted": 5,
		"routed": 4,
		"booked": 2,
	}


ANSWER = st.one_of(
	st.none(),
	st.booleans(),
	st.integers(),
	st.floats(allow_nan=True, allow_infinity=True),
	st.text(max_size=30),
	st.lists(st.one_of(st.text(max_size=10), st.integers(), st.none()), max_size=4),
)
KEYS = st.sampled_from(["a", "b", "c", ""])
CONDITIONS = st.builds(
	Condition,
	KEYS,
	st.sampled_from([*OPERATORS, "bogus"]),
	st.one_of(st.text(max_size=12), st.sampled_from(["1", "x", "a,b", "CRM Lead"])),
)
OUTCOMES = st.one_of(
	st.builds(
		Outcome, st.sampled_from(["Meeting Type", "Record Owner"]), st.sampled_from(["demo", "intro", "gone"])
	),
	st.builds(
		Outcome,
		st.just("Team Hosts"),
		st.sampled_from(["demo", "intro"]),
		st.lists(st.sampled_from(["ada", "bob", "cy", "zed"]), max_size=3).map(tuple),
	),
	st.builds(Outcome, st.just("External URL"), url=st.just("https://example.com")),
	st.builds(Outcome, st.just("Message"), message=st.text(max_size=5)),
)
RULES = st.lists(
	st.builds(Rule, st.text(min_size=1, max_size=5), OUTCOMES, st.lists(CONDITIONS, max_size=3).map(tuple)),
	max_size=6,
)
RECORDS = st.one_of(
	st.none(),
	st.builds(
		KnownRecord,
		st.sampled_from(["CRM Lead", "CRM Deal", "Customer", "Opportunity", "Lead"]),
		st.just("R-1"),
		st.sampled_from([None, "ada", "bob", "zed"]),
	),
)


@given(RULES, st.dictionaries(KEYS, ANSWER, max_size=4), RECORDS, OUTCOMES)
def test_the_decision_is_the_first_servable_matching_rule(rules, answers, record, fallback):
	decision = route(rules, answers, record, fallback, TYPES)
	matching = [rule for rule in rules if all(holds(c, answers, record) for c in rule.conditions)]
	winner = None
	for rule in matching:
		if rule.outcome.kind in ("External URL", "Message"):
			winner = rule
			break
		mt = rule.outcome.meeting_type
		if mt not in TYPES:
			continue
		if rule.outcome.kind == "Record Owner" and not (record and record.owner in TYPES[mt]):
			continue
		if rule.outcome.kind == "Team Hosts" and not set(rule.outcome.hosts) & set(TYPES[mt]):
			continue
		winner = rule
		break
	assert decision.rule == (winner.name if winner else None)
	# what it books is always bookable, and only ever among the type's hosts
	if decision.books:
		assert decision.meeting_type in TYPES
		assert set(decision.hosts) <= set(TYPES[decision.meeting_type])
		if decision.kind == "Record Owner":
			assert decision.hosts == (record.owner,)
	else:
		assert decision.hosts == ()


@given(CONDITIONS, st.dictionaries(KEYS, ANSWER, max_size=4), RECORDS)
def test_conditions_never_raise_and_negations_are_exact(condition, answers, record):
	result = holds(condition, answers, record)
	assert isinstance(result, bool)
	pairs = {"is": "is not", "is empty": "is not empty"}
	if condition.operator in pairs:
		other = Condition(condition.question, pairs[condition.operator], condition.value)
		assert holds(other, answers, record) is (not result)


@given(RULES, st.dictionaries(KEYS, ANSWER, max_size=4), RECORDS, OUTCOMES)
def test_order_of_answers_does_not_matter(rules, answers, record, fallback):
	reordered = dict(reversed(list(answers.items())))
	assert route(rules, answers, record, fallback, TYPES) == route(rules, reordered, record, fallback, TYPES)
