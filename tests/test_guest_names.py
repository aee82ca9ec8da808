"""Guest names reach email headers, calendars and the CRM: no markup, no encoded words,
no control characters or invalid Unicode."""

import pytest

from scheduler_integration.engine.errors import InvalidField
from scheduler_integration.engine.validation import (
	clean_guest_name,
	clean_guest_text,
	clean_phases,
	clean_text,
	decoded,
	spreadsheet_safe,
)
from scheduler_integration.rules.guest_form import clean_booking_form
from scheduler_integration.rules.recommend import TypeInfo, canonical_phase, recommend

REFUSED = [
	"=?utf-8?q?Eve=0D=0AReply-To:_attacker@evil.example?=",
	"=?UTF-8?B?RXZlDQpCY2M6IHZAZXZpbC5leGFtcGxl?=",
	"Eve =?iso-8859-1?q?x?= Smith",
	"<img src=x>",
	"Eve <eve@evil.example>",
	'Eve "the admin"',
	"Eve\r\nBcc: v@example.org",
	"Eve\x00",
	"Eve\x85Next",
	"Eve\u2028Bcc: v@example.org",
	"Eve\u202eevil",
	"Eve\ud800",
	"",
	"   ",
	# entities are decoded once, before the check (issue 26: header injection through
	# entities; the CRM's "special characters" refusal of a decoded name)
	"Eve &#61;?utf-8?b?eA0KUmVwbHktVG86IGF0dGFja2VyQGV2aWwuZXhhbXBsZQ==?=",
	"&lt;img src=x onerror=alert(1)&gt;",
	"Eve&#13;&#10;Bcc: v@example.org",
	"Eve &amp;lt;b&amp;gt;",
	"&amp;amp;amp;amp;amp;lt;",
	# compatibility forms fold into the characters they stand for
	"Eve \uff1cb\uff1e",
	# the start of a spreadsheet formula (CSV/Excel injection)
	"=cmd|' /C calc'!A0",
	"+cmd|' /C calc'!A0",
	"-2+3",
	"@SUM(1+1)",
]
ACCEPTED = [
	"Eve",
	"José Müller-Lüdenscheidt",
	"O'Brien & Sons",
	"李小龍",
	"Ada (work)",
	"Not =? encoded",
	"x" * 140,
]


@pytest.mark.parametrize("name", REFUSED)
def test_dangerous_names_are_refused(name):
	with pytest.raises(InvalidField) as err:
		clean_guest_name(name, "name")
	assert err.value.field == "name"


@pytest.mark.parametrize("name", ACCEPTED)
def test_ordinary_names_pass_unchanged(name):
	assert clean_guest_name(name, "name") == name.strip()


def test_lone_surrogates_and_c1_controls_are_refused_in_any_text():
	for text in ("a\ud800b", "a\udfffb", "a\x9bb"):
		with pytest.raises(InvalidField):
			clean_text(text, "notes", 100, multiline=True)


def test_the_booking_form_names_every_bad_field():
	cleaned, errors = clean_booking_form(
		{"name": "=?utf-8?q?x?=", "email": "a@example.org", "company": "<b>", "timezone": "UTC"}
	)
	assert set(errors) == {"name", "company"}
	cleaned, errors = clean_booking_form({"name": "Ann", "email": "a@example.org", "timezone": "UTC"})
	assert errors == {} and cleaned["guest_company"] == ""


def test_phases_come_from_the_site():
	site = ("Discover", "Build")
	assert clean_phases(["discover", "build"], allowed=site) == ["Discover", "Build"]
	with pytest.raises(InvalidField):
		clean_phases(["Grow"], allowed=site)
	assert canonical_phase("discover ", site) == "Discover"
	assert canonical_phase("Grow", site) is None
	types = [
		TypeInfo("a", "A", phases=("Discover",), known_phases=site),
		TypeInfo("b", "B", known_phases=site),
	]
	assert [t.id for t in recommend(types, "discover", known=site)] == ["a"]


def test_guest_text_is_decoded_once_and_checked_after():
	# what every output then uses: decoding it again changes nothing
	for text in ("R&amp;D notes", "a &lt;b&gt; c", "x &#13;&#10; y", "caf\u0065\u0301"):
		out = clean_guest_text(text, "notes", 100)
		assert decoded(out) == out
	assert clean_guest_text("a &lt;b&gt; c", "notes", 100) == "a \u2039b\u203a c"
	assert clean_guest_text("caf\u0065\u0301", "notes", 100) == "caf\u00e9"  # NFC
	assert clean_guest_name("O&#39;Brien", "name") == "O'Brien"
	with pytest.raises(InvalidField):  # a decoded line break in one-line text
		clean_guest_text("x&#13;&#10;y", "reason", 100, multiline=False)


def test_spreadsheets_get_text_not_formulas():
	for text in ("=HYPERLINK(1)", "+1+1", "-x", "@A1", "\tx", "\rx"):
		assert spreadsheet_safe(text) == "'" + text
	for value in ("Eve", "O'Brien", "", None, 3, "a=b", "-5", "+49.5"):
		assert spreadsheet_safe(value) == value
