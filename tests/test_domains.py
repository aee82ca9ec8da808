"""Custom domains: host names a profile or team may take, and what a path on one leads to."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scheduler_integration.engine.errors import InvalidField
from scheduler_integration.rules.domains import (
	MANAGE,
	PAGE,
	TYPE,
	clean_domain,
	domain_route,
	request_host,
)


@pytest.mark.parametrize(
	("value", "expected"),
	[
		("book.example.com", "book.example.com"),
		("  Book.Example.COM. ", "book.example.com"),
		("a-b.c-d.io", "a-b.c-d.io"),
		("termine.bücher.de", "termine.xn--bcher-kva.de"),
		("", ""),
		(None, ""),
	],
)
def test_host_names_taken(value, expected):
	assert clean_domain(value) == expected


@pytest.mark.parametrize(
	"value",
	[
		"https://book.example.com",
		"book.example.com/sales",
		"book.example.com:8443",
		"localhost",
		"10.0.0.1",
		"-book.example.com",
		"book-.example.com",
		"book..example.com",
		"bo ok.example.com",
		"user@book.example.com",
		"book_1.example.com",
		("a" * 64) + ".example.com",
		".".join(["abcdefghi"] * 26) + ".com",  # 264 characters
	],
)
def test_anything_but_a_host_name_is_refused(value):
	with pytest.raises(InvalidField) as caught:
		clean_domain(value)
	assert caught.value.field == "custom_domain"


@given(st.text(max_size=80))
def test_a_taken_name_is_a_fixed_point_and_plain_ascii(value):
	try:
		cleaned = clean_domain(value)
	except InvalidField:
		return
	assert clean_domain(cleaned) == cleaned
	assert cleaned == "" or (cleaned.isascii() and cleaned == cleaned.lower() and "." in cleaned)


@pytest.mark.parametrize(
	("header", "expected"),
	[
		("Book.Example.com:8000", "book.example.com"),
		("book.example.com.", "book.example.com"),
		("[::1]:80", ""),
		(None, ""),
	],
)
def test_request_host(header, expected):
	assert request_host(header) == expected


@pytest.mark.parametrize(
	("path", "expected"),
	[
		("/", (PAGE, None)),
		("", (PAGE, None)),
		("/index", (PAGE, None)),
		("/intro-call", (TYPE, "intro-call")),
		("/intro-call/", (TYPE, "intro-call")),
		("/book/manage/abc_DEF-123", (MANAGE, "abc_DEF-123")),
		("/book/ada", None),
		("/book/ada/intro-call", None),
		("/book/team/sales", None),
		("/intro-call/extra", None),
		("/Intro-Call", None),
		("/login", (TYPE, "login")),  # a slug like any other: 404 unless the domain has that type
		("/app/scheduler-booking", None),
		("/book/manage/a/b", None),
		("/book/manage/bad token", None),
	],
)
def test_what_a_path_on_a_custom_domain_leads_to(path, expected):
	assert domain_route(path) == expected
