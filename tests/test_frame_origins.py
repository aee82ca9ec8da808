"""Who may frame the booking pages: Scheduler Settings' list of websites, read by
rules.embed.frame_origins into a CSP frame-ancestors source list."""

from scheduler_integration.rules.embed import frame_origins


def test_origins_are_normalised_and_deduplicated():
	accepted, refused = frame_origins(
		"https://www.Example.com\n\n  http://127.0.0.1:8080/ \nhttps://www.example.com\nhttp://[::1]:3000"
	)
	assert accepted == ["https://www.example.com", "http://127.0.0.1:8080", "http://[::1]:3000"]
	assert refused == []


def test_empty_means_nobody_else():
	assert frame_origins("") == ([], [])
	assert frame_origins(None) == ([], [])


def test_anything_that_could_widen_the_policy_is_refused():
	hostile = [
		"*",
		"https://*.example.com",
		"https://example.com/path",
		"example.com",
		"'self'",
		"https://example.com; script-src *",
		"https://example.com https://evil.test",
		"javascript:alert(1)",
		"data:",
		"ftp://example.com",
		"https://exa mple.com",
		"https://.example.com",
		"https://example..com",
		"https://user@example.com",
		"https://example.com:123456",
	]
	accepted, refused = frame_origins("\n".join(hostile))
	assert accepted == []
	assert refused == hostile
