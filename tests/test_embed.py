import pytest

from scheduler_integration.engine.errors import EmbedRejected
from scheduler_integration.rules.embed import allowed_iframe_hosts, sanitize_embed

GOOD = '<iframe src="https://calendly.com/johndoe-consulting" width="100%" height="600"></iframe>'


def test_provider_iframe_is_kept_and_reserialised():
	assert sanitize_embed(GOOD) == GOOD
	assert sanitize_embed(
		"  " + GOOD.upper().replace("HTTPS://CALENDLY.COM/JOHNDOE-CONSULTING", "https://calendly.com/x") + " "
	) == ('<iframe src="https://calendly.com/x" width="100%" height="600"></iframe>')


@pytest.mark.parametrize(
	"src",
	[
		"https://calendly.com/a",
		"https://www.calendly.com/a",
		"https://app.acuityscheduling.com/schedule.php?owner=1&amp;appointmentType=2",
		"https://jane.as.me/",
		"https://go.oncehub.com/jane",
		"https://secure.scheduleonce.com/jane",
	],
)
def test_each_provider_host_is_allowed(src):
	assert sanitize_embed(f'<iframe src="{src}"></iframe>').startswith('<iframe src="https://')


def test_admin_added_hosts_are_allowed_and_listed():
	code = '<iframe src="https://book.example.org/x" frameborder="1" allowfullscreen loading="eager" title="Book &quot;now&quot;" allow="camera; microphone"></iframe>'
	out = sanitize_embed(code, ["book.example.org"])
	assert out == (
		'<iframe src="https://book.example.org/x" title="Book &quot;now&quot;" frameborder="0" '
		'allow="camera; microphone" loading="lazy" allowfullscreen></iframe>'
	)
	assert "book.example.org" in allowed_iframe_hosts(["Book.Example.org "])


def test_empty_is_empty():
	assert sanitize_embed(None) == "" and sanitize_embed("   ") == ""


ATTACKS = [
	"<script>alert(1)</script>",
	GOOD + "<script>alert(1)</script>",
	"<script>alert(1)</script>" + GOOD,
	'<iframe src="https://calendly.com/a" onload="alert(1)"></iframe>',
	'<iframe src="https://calendly.com/a" ONLOAD="alert(1)"></iframe>',
	'<iframe src="javascript:alert(1)"></iframe>',
	'<iframe src="JaVaScRiPt:alert(1)"></iframe>',
	'<iframe src="data:text/html,<script>alert(1)</script>"></iframe>',
	'<iframe src="//calendly.com/a"></iframe>',
	'<iframe src="https://evil.example/calendly.com"></iframe>',
	'<iframe src="https://calendly.com.evil.example/a"></iframe>',
	'<iframe src="https://evilcalendly.com/a"></iframe>',
	'<iframe src="https://user:pw@calendly.com/a"></iframe>',
	'<iframe src="https://calendly.com/a" src="https://evil.example"></iframe>',
	'<iframe srcdoc="<script>alert(1)</script>"></iframe>',
	'<iframe src="https://calendly.com/a" width="100%; position:fixed"></iframe>',
	'<img src=x onerror="alert(1)">',
	"<div>" + GOOD + "</div>",
	GOOD + GOOD,
	"hello " + GOOD,
	"<!-- x -->" + GOOD,
	'<iframe src="https://calendly.com/a"><script>alert(1)</script></iframe>',
	'<svg onload="alert(1)"></svg>',
	'<iframe src="https://calendly.com/a" style="x:expression(alert(1))"></iframe><style>body{}</style>',
	"<iframe>",
	"x" * 6000,
	"just text",
]


@pytest.mark.parametrize("code", ATTACKS)
def test_attacks_are_rejected(code):
	with pytest.raises(EmbedRejected) as err:
		sanitize_embed(code)
	assert err.value.field == "embed_code" and err.value.message


def test_unknown_attributes_are_dropped():
	assert sanitize_embed(
		'<iframe src="https://calendly.com/a" style="color:red" class="x" sandbox=""></iframe>'
	) == ('<iframe src="https://calendly.com/a"></iframe>')
