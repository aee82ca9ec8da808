import ast
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scheduler_integration.engine import report_copy
from scheduler_integration.engine.errors import InvalidField
from scheduler_integration.engine.report_copy import (
	Copy,
	disc_letter,
	section_intro,
	section_title,
	tracking_params,
	with_query,
)

TITLES = {
	"D": "Let's Discuss Your Next Steps",
	"I": "Let's Connect and Create Your Action Plan Together!",
	"S": "Let's Work Together on Your Next Steps",
	"C": "Schedule a Detailed Implementation Review",
	"": "Schedule a Follow-Up Call",
}
INTROS = {
	"D": "Ready to move forward? Book a strategy session to create your implementation plan and hit the ground running.",
	"I": "This is exciting! Let's schedule a call to discuss your roadmap and get you on the path to success.",
	"S": "You don't have to do this alone. I'm here to support you every step of the way. Let's schedule a call to review your action plan at a comfortable pace.",
	"": "Schedule a call to discuss your next steps.",
}
C_INTRO = "Based on your {0} phase assessment, I recommend scheduling a detailed review to analyze implementation strategies and success metrics."


@pytest.mark.parametrize("profile", ["D", "I", "S", "C", ""])
def test_titles_are_the_specs(profile):
	copy = section_title(profile)
	assert copy == Copy(TITLES[profile]) and copy.text == TITLES[profile] and copy.args == ()


@pytest.mark.parametrize("profile", ["D", "I", "S", ""])
def test_intros_are_the_specs(profile):
	for phase in ("Build", "", None):
		copy = section_intro(profile, phase)
		assert copy.template == INTROS[profile] and copy.args == () and copy.text == INTROS[profile]


def test_c_intro_names_the_phase_through_a_placeholder():
	copy = section_intro("C", "Build")
	assert copy.template == C_INTRO and copy.args == ("Build",)
	assert copy.text == (
		"Based on your Build phase assessment, I recommend scheduling a detailed review to "
		"analyze implementation strategies and success metrics."
	)
	assert section_intro("c", " organize ").args == ("Organize",)  # known phases spelled canonically
	assert section_intro("C", "Expansion").args == ("Expansion",)  # others as given
	assert section_intro("C", "{0} {x}").text.startswith(
		"Based on your {0} {x} phase"
	)  # args are not templates
	for empty in ("", "  ", None, 3):
		assert section_intro("C", empty) == Copy(INTROS[""])
	assert section_intro("C") == Copy(INTROS[""])


@pytest.mark.parametrize(
	("given", "letter"),
	[
		("D", "D"),
		("d", "D"),
		("Dominance", "D"),
		(" dominant ", "D"),
		("i", "I"),
		("Influence", "I"),
		("s", "S"),
		("Steadiness", "S"),
		("c", "C"),
		("Conscientiousness", "C"),
		("DI", "D"),
		("", ""),
		("  ", ""),
		("X", ""),
		("high D", ""),
		(None, ""),
		(1, ""),
	],
)
def test_disc_is_read_from_its_first_letter(given, letter):
	assert disc_letter(given) == letter
	assert section_title(given).template == TITLES[letter]
	if letter != "C":
		assert section_intro(given, "Grow").template == INTROS[letter]


def test_templates_are_marked_for_translation():
	"""Every template sits in a literal ``_()`` call, so Frappe's extractor finds it."""
	source = Path(report_copy.__file__).read_text()
	marked = {
		node.args[0].value
		for node in ast.walk(ast.parse(source))
		if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "_"
		if node.args and isinstance(node.args[0], ast.Constant)
	}
	assert marked == {*TITLES.values(), *INTROS.values(), C_INTRO}


def test_tracking_params():
	assert tracking_params("Build") == {
		"utm_source": "scheduler_integration",
		"utm_medium": "report",
		"utm_campaign": "phase_build",
	}
	assert tracking_params(" GROW ", source="financial_rise")["utm_campaign"] == "phase_grow"
	assert tracking_params(" GROW ", source="financial_rise")["utm_source"] == "financial_rise"
	assert tracking_params("") == {"utm_source": "scheduler_integration", "utm_medium": "report"}
	assert "utm_campaign" not in tracking_params(None)


def test_with_query_appends():
	params = tracking_params("Build")
	assert with_query("https://calendly.com/jane/30min", params) == (
		"https://calendly.com/jane/30min?utm_source=scheduler_integration&utm_medium=report&utm_campaign=phase_build"
	)
	assert with_query("https://x.org/a?", {"a": "1"}) == "https://x.org/a?a=1"
	assert with_query("https://x.org", {"a": "1"}) == "https://x.org?a=1"
	assert with_query("https://x.org/a?b=2", {}) == "https://x.org/a?b=2"
	assert with_query("https://x.org/a?", {}) == "https://x.org/a"


def test_with_query_merges_with_existing_query_and_fragment():
	url = "https://app.acuityscheduling.com/schedule.php?owner=1&appointmentType=2&utm_source=old&flag#/step?x=1"
	out = with_query(url, tracking_params("Grow"))
	assert out == (
		"https://app.acuityscheduling.com/schedule.php?owner=1&appointmentType=2&flag"
		"&utm_source=scheduler_integration&utm_medium=report&utm_campaign=phase_grow#/step?x=1"
	)
	# existing parameters keep their spelling, replaced ones go whatever their encoding
	assert with_query(
		"http://x.org/p?q=a%2Fb+c&utm%5Fsource=x&utm_medium=a&utm_medium=b#f",
		{"utm_source": "s", "utm_medium": "m"},
	) == ("http://x.org/p?q=a%2Fb+c&utm_source=s&utm_medium=m#f")
	assert with_query("https://x.org/#frag", {"a": "b"}) == "https://x.org/?a=b#frag"
	assert with_query("https://x.org/p?&&a=1&", {"b": 2}) == "https://x.org/p?a=1&b=2"


def test_with_query_encodes_values():
	out = with_query("https://x.org/p", {"utm_campaign": "phase a&b=c#d/é?", "k y": "x+y", "skip": None})
	assert out == "https://x.org/p?utm_campaign=phase%20a%26b%3Dc%23d%2F%C3%A9%3F&k%20y=x%2By"
	assert parse_qsl(urlsplit(out).query) == [("utm_campaign", "phase a&b=c#d/é?"), ("k y", "x+y")]


@pytest.mark.parametrize(
	"url", ["javascript:alert(1)", "ftp://x.org/a", "//x.org/a", "/relative", "", None, "https://x.org/a b"]
)
def test_with_query_refuses_non_http_urls(url):
	with pytest.raises(InvalidField) as err:
		with_query(url, {"a": "1"})
	assert err.value.field == "url"
	with pytest.raises(InvalidField) as err:
		with_query(url, {"a": "1"}, field="scheduler_url")
	assert err.value.field == "scheduler_url"


_query_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)


@given(
	existing=st.lists(
		st.tuples(
			st.from_regex(r"[a-z]{1,3}", fullmatch=True), st.from_regex(r"[a-z0-9]{0,3}", fullmatch=True)
		),
		max_size=5,
	),
	params=st.dictionaries(_query_text.filter(bool), _query_text, max_size=4),
	fragment=st.one_of(st.just(""), st.from_regex(r"#[a-z/?=&]{0,6}", fullmatch=True)),
)
def test_with_query_property(existing, params, fragment):
	query = "&".join(f"{k}={v}" for k, v in existing)
	url = "https://x.org/p" + ("?" + query if query else "") + fragment
	out = with_query(url, params)
	assert out.endswith(fragment)
	parts = urlsplit(out)
	assert (parts.scheme, parts.netloc, parts.path) == ("https", "x.org", "/p")
	assert "#" + parts.fragment == fragment or (not fragment and not parts.fragment)
	got = parse_qsl(parts.query, keep_blank_values=True)
	kept = [(k, v) for k, v in existing if k not in params]
	assert got == kept + list(params.items())
