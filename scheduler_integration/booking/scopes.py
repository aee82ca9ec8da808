"""Booking links that book within a scope: a personal link (``booking.personal_links``: its
rep only, for its record) or a routing form's decision (``booking.routing``: the hosts it
chose, the answers it took). The public API reads the token a page passes on (``link`` or
``routed``) for its slot reads and takes it, under its row lock, in the booking's
transaction. A token for another meeting type than the page's is no link at all (404)."""

from __future__ import annotations

import frappe
from frappe import _

from scheduler_integration.booking import personal_links, routing
from scheduler_integration.booking.errors import LinkGone
from scheduler_integration.engine import Assignment


def scope_for(ctx, link=None, routed=None, *, take: bool = False):
	"""The scope of ``link`` (or ``routed``) for the type of ``ctx``, None without either;
	``take``: lock it for this transaction (a personal link counts its use)."""
	if link:
		scope = personal_links.take(link) if take else personal_links.open_link(link)
	elif routed:
		scope = routing.take(routed) if take else routing.open_routed(routed)
	else:
		return None
	if scope.meeting_type != ctx.name:
		raise frappe.DoesNotExistError(_("This booking link does not exist"))
	if (
		scope.hosts
		and ctx.assignment is not Assignment.COLLECTIVE  # a collective meeting keeps every host
		and not set(scope.hosts) & set(ctx.hosts)
	):
		# its host (or every host it chose) left the type: gone, as a used-up link
		raise LinkGone(_("This link's host no longer hosts this meeting type"), "host_left")
	return scope


def extra_fields(scope) -> dict:
	"""What the booking records of the scope it was made in."""
	if isinstance(scope, personal_links.LinkScope):
		return {"personal_link": scope.name}
	if isinstance(scope, routing.RoutedScope):
		return {"routing_submission": scope.name}
	return {}


def answers_with(scope, answers: dict) -> dict:
	"""The booking's answers, with a routing form's answers kept beside them (the booking
	form's own answer wins a question both asked, when it gave one)."""
	if isinstance(scope, routing.RoutedScope):
		return {**scope.answers, **{q: a for q, a in answers.items() if a not in (None, "", [], False)}}
	return answers


def booked(scope, booking: str) -> None:
	"""Note the booking a scope's token made."""
	if isinstance(scope, personal_links.LinkScope):
		personal_links.booked(scope, booking)
	elif isinstance(scope, routing.RoutedScope):
		routing.booked(scope, booking)
