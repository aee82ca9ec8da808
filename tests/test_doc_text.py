"""rules.doc_text: a method's description as the API page shows it — paragraphs at blank
lines only, wrapped lines joined, `code` spans apart, nothing read as markup (no Frappe)."""

from __future__ import annotations

from scheduler_integration.rules.doc_text import paragraphs


def test_wrapped_lines_are_one_paragraph_and_blank_lines_separate_them():
	text = "Book a slot. 201 with the booking,\nor 409 with alternatives.\n\n  Guests may call it.  \n"
	assert paragraphs(text) == [
		[("Book a slot. 201 with the booking, or 409 with alternatives.", False)],
		[("Guests may call it.", False)],
	]


def test_blank_lines_with_spaces_and_windows_line_ends_separate_too():
	assert paragraphs("one\r\n \t\r\ntwo\n\n\n\nthree") == [
		[("one", False)],
		[("two", False)],
		[("three", False)],
	]


def test_code_spans_are_apart_from_the_prose():
	assert paragraphs("`link`: a token; ``routed`` too, see `get_challenge`") == [
		[
			("link", True),
			(": a token; ", False),
			("routed", True),
			(" too, see ", False),
			("get_challenge", True),
		]
	]


def test_a_lone_or_a_wrapped_backtick_stays_text():
	assert paragraphs("it's 5` tall") == [[("it's 5` tall", False)]]
	# a span broken by the wrap is joined first, then read as code
	assert paragraphs("see `api.public\n.book` here") == [
		[("see ", False), ("api.public .book", True), (" here", False)]
	]


def test_markup_is_only_text():
	hostile = "<script>alert(1)</script> and `<b>bold</b>` & more"
	assert paragraphs(hostile) == [
		[("<script>alert(1)</script> and ", False), ("<b>bold</b>", True), (" & more", False)]
	]


def test_nothing_gives_no_paragraphs():
	assert paragraphs("") == [] and paragraphs(None) == [] and paragraphs("\n \n") == []
