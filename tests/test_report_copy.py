import ast
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scheduler_integration.engine.errors import InvalidField
from scheduler_integration.rules import report_copy
from scheduler_integration.rules.report_copy import (
	Copy,
	SectionCopy,
	TypeCopy,
	button,
	closing,
	details_label,
	disc_letter,
	lead_line,
	section_copy,
	section_intro,
	section_title,
	short_name,
	tracking_params,
	type_heading,
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
	# the seed's S example; the rest of the seed's S intro function is the S lead line
	"S": "You don't have to do this alone. I'm here to support you every step of the way.",
	"": "Schedule a call to discuss your next steps.",
}
C_INTRO = "Based on your {0} phase assessment, I recommend scheduling a detailed review to analyze implementation strategies and success metrics."


# every line each profile adapts: (with a phase, without), the secondary heading, the
# description's label, the buttons (first type, others with "a", others with "an") and the
# closing line (emphasised, rest)
LEADS = {
	"D": ("Based on your {0} phase priorities, I recommend:", "Based on your priorities, I recommend:"),
	"I": (
		"Here's what I'd love to dive into together in your {0} phase:",
		"Here's what I'd love to dive into together:",
	),
	"S": (
		"Let's schedule a call to review your action plan and make sure you feel comfortable with the next steps.",
	),
	"C": (
		"Recommended sessions for the {0} phase, in order of priority:",
		"Recommended sessions, in order of priority:",
	),
	"": ("For your {0} phase, I recommend:", "I recommend:"),
}
SECONDARY = {
	"D": "Optional: {0}",
	"I": "Want to Go Further? {0}",
	"S": "When You Feel Ready: {0}",
	"C": "Additional Option: {0}",
	"": "Optional: {0}",
}
DETAILS = {
	"D": "What We'll Cover:",
	"I": "What We'll Talk About:",
	"S": "What We'll Discuss:",
	"C": "Agenda:",
	"": "What We'll Cover:",
}
BUTTONS = {
	"D": ("Schedule Your {0} →", "Schedule a {0} →", "Schedule an {0} →"),
	"I": ("Let's Book Your {0}! →", "Add a {0} →", "Add an {0} →"),
	"S": (
		"Schedule a Call When You're Ready →",
		"Schedule a {0} When You're Ready →",
		"Schedule an {0} When You're Ready →",
	),
	"C": ("Schedule the {0} →", "Schedule a {0} →", "Schedule an {0} →"),
	"": ("Schedule Your {0} →", "Schedule a {0} →", "Schedule an {0} →"),
}
CLOSINGS = {
	"D": None,
	"I": ("I can't wait to get started!", "Pick the time that suits you best."),
	"S": ("No pressure, no rush.", "We'll take this at your pace."),
	"C": ("Questions before you book?", "Each session can start with the points you want to examine first."),
	"": None,
}


def _example(copy: SectionCopy) -> str:
	"""A section's copy laid out as the seed's Markdown examples (types without bodies)."""
	out = [f"## {copy.title.text}", "", copy.intro.text, "", copy.lead.text, ""]
	for lines in copy.types:
		out += [f"### {lines.heading.text}", f"**{lines.details_label.text}**", ""]
		if copy.closing and lines is copy.types[-1]:
			strong, rest = copy.closing
			out += [f"**{strong.text}** {rest.text}", ""]
		out += [f"[{lines.button.text}]", ""]
	return "\n".join(out)


def test_the_seeds_d_build_example():
	copy = section_copy("D", "build", ["30-Minute Strategy Session", "60-Minute Deep Dive"])
	assert _example(copy) == (
		"## Let's Discuss Your Next Steps\n\n"
		"Ready to move forward? Book a strategy session to create your implementation plan and hit the "
		"ground running.\n\n"
		"Based on your BUILD phase priorities, I recommend:\n\n"
		"### 30-Minute Strategy Session\n**What We'll Cover:**\n\n"
		"[Schedule Your Strategy Session →]\n\n"
		"### Optional: 60-Minute Deep Dive\n**What We'll Cover:**\n\n"
		"[Schedule a Deep Dive →]\n"
	)


def test_the_seeds_s_stabilize_example():
	copy = section_copy("S", "Stabilize", ["30-Minute Support Call"])
	assert _example(copy) == (
		"## Let's Work Together on Your Next Steps\n\n"
		"You don't have to do this alone. I'm here to support you every step of the way.\n\n"
		"Let's schedule a call to review your action plan and make sure you feel comfortable with the "
		"next steps.\n\n"
		"### 30-Minute Support Call\n**What We'll Discuss:**\n\n"
		"**No pressure, no rush.** We'll take this at your pace.\n\n"
		"[Schedule a Call When You're Ready →]\n"
	)


@pytest.mark.parametrize("profile", ["D", "I", "S", "C", ""])
@pytest.mark.parametrize("phase", ["Build", " grow ", "Expansion", "", None])
def test_every_adapted_line_per_profile_and_phase(profile, phase):
	names = ["45-Minute Strategy Session", "Deep Dive", "Onboarding Review"]
	copy = section_copy(profile, phase, names)
	shown = {"Build": "Build", " grow ": "Grow", "Expansion": "Expansion"}.get(phase)
	with_phase, *without = LEADS[profile]
	if shown and "{0}" in with_phase:
		assert copy.lead == Copy(with_phase, (shown.upper() if profile == "D" else shown,))
	else:
		assert copy.lead == Copy((without or [with_phase])[0])
	assert copy.types == (
		TypeCopy(
			Copy("{0}", (names[0],)),
			Copy(DETAILS[profile]),
			Copy(BUTTONS[profile][0], ("Strategy Session",))
			if "{0}" in BUTTONS[profile][0]
			else Copy(BUTTONS[profile][0]),
		),
		TypeCopy(
			Copy(SECONDARY[profile], (names[1],)),
			Copy(DETAILS[profile]),
			Copy(BUTTONS[profile][1], ("Deep Dive",)),
		),
		TypeCopy(
			Copy(SECONDARY[profile], (names[2],)),
			Copy(DETAILS[profile]),
			Copy(BUTTONS[profile][2], ("Onboarding Review",)),
		),
	)
	expected = CLOSINGS[profile]
	assert copy.closing == (tuple(Copy(text) for text in expected) if expected else None)
	assert copy.title == section_title(profile) and copy.intro == section_intro(profile, phase)
	for long_name in ("dominance", "Influence", "steady", "Conscientious"):
		if long_name[0].upper() == profile:
			assert section_copy(long_name, phase, names) == copy


def test_one_line_at_a_time():
	assert lead_line("D", "systemic") == Copy(
		"Based on your {0} phase priorities, I recommend:", ("SYSTEMIC",)
	)
	assert (
		lead_line("C", "organize").text
		== "Recommended sessions for the Organize phase, in order of priority:"
	)
	assert lead_line("x", "Build").text == "For your Build phase, I recommend:"
	assert lead_line("D", "{0}").text == "Based on your {0} phase priorities, I recommend:"  # args stay text
	assert type_heading("D", "Deep Dive").text == "Deep Dive"
	assert type_heading("D", "Deep Dive", primary=False).text == "Optional: Deep Dive"
	assert type_heading("S", None, primary=False).text == "When You Feel Ready: "
	assert details_label("s").text == "What We'll Discuss:"
	assert button("S", "Anything").text == "Schedule a Call When You're Ready →"
	assert button("I", "60 min – Deep Dive").text == "Let's Book Your Deep Dive! →"
	assert button("C", "Intro", primary=False).text == "Schedule an Intro →"
	assert button("", "Call", primary=False).text == "Schedule a Call →"
	assert button("D", "", primary=False).text == "Schedule a  →"
	assert closing("D") is None and closing("?") is None
	assert section_copy("D", "Build").types == ()


@pytest.mark.parametrize(
	("name", "short"),
	[
		("30-Minute Strategy Session", "Strategy Session"),
		("60-Minute Deep Dive", "Deep Dive"),
		("60 min – Deep Dive", "Deep Dive"),
		("90 Minutes: Growth Plan", "Growth Plan"),
		("1-Hour Review", "Review"),
		("1.5 hours Workshop", "Workshop"),
		("15-min check-in", "check-in"),
		("30-Minute", "30-Minute"),  # nothing else to call it
		("Strategy Session", "Strategy Session"),
		("3 Hires Plan", "3 Hires Plan"),  # a number that is no length
		("  ", ""),
		(None, ""),
	],
)
def test_short_name_drops_a_leading_length(name, short):
	assert short_name(name) == short


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
	adapted = {
		text
		for table in (LEADS, SECONDARY, DETAILS, BUTTONS)
		for lines in table.values()
		for text in (lines if isinstance(lines, tuple) else (lines,))
	}
	closings = {text for lines in CLOSINGS.values() if lines for text in lines}
	assert marked == {*TITLES.values(), *INTROS.values(), C_INTRO, *adapted, *closings}


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
