"""Google Meet links for bookings through the host's Google authorisation.

A Meet conference belongs to a Calendar event: Calendar v3 creates it from
``conferenceData.createRequest`` (``hangoutsMeet``, ``conferenceDataVersion=1``). So a
Meet link needs an event even when the host chose no destination calendar. What this
adapter does, and why (it is what Cal.com does: the booking's event goes to the host's
destination calendar, or to the primary one when there is none):

* the event is created in ``calendar_id`` (default ``primary``) at the booking's time,
  with its topic, agenda and attendees, *opaque*: the host really is in that meeting, and
  other tools reading the calendar should see it. Google sends no email
  (``sendUpdates=none``); the app sends its own invitation. Invited attendees are admitted
  to the call without knocking;
* its id derives from ``key + ".meet"``: a retried create finds the same event (Google
  answers 409 and the adapter reads it back) instead of making a second one, and it can
  never merge with the booking's own calendar event (id from ``key``) in the same calendar;
* ``Meeting.id`` is the event id; moving the meeting patches the event (the conference
  stays), deleting it deletes the event (already gone is fine).

If the booking *is* written to a Google destination calendar, ask that write for the link
instead (``GoogleCalendar.write(..., with_meeting=True)``) so the host gets one event, not
two. A conference Google still creates (``pending``) is read back ``pending_checks`` times;
then ``ProviderUnavailable`` (retryable: the retry finds the event and its link).
Errors are those of ``google``, with ``MeetingNotFound`` for a missing meeting.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from .errors import EventNotFound, MeetingNotFound, ProviderError, ProviderUnavailable
from .google import GoogleCalendar, meet_link
from .model import DialIn, EventDraft, Meeting, MeetingDraft

__all__ = ["GoogleMeet"]


def _dial_in(event: dict) -> tuple[DialIn, ...]:
	out = []
	for entry in (event.get("conferenceData") or {}).get("entryPoints") or ():
		if entry.get("entryPointType") == "phone" and entry.get("uri"):
			number = str(entry.get("label") or entry["uri"]).removeprefix("tel:")
			out.append(
				DialIn(
					number=number, country=str(entry.get("regionCode") or ""), pin=str(entry.get("pin") or "")
				)
			)
	return tuple(out)


class GoogleMeet:
	"""Meet meetings in one Google account: pass a ``GoogleCalendar`` or its keyword
	arguments (``access_token``, ``credentials``, ``base_url``, ...)."""

	name = "google"

	def __init__(
		self,
		calendar: GoogleCalendar | None = None,
		*,
		calendar_id: str = "primary",
		pending_checks: int = 2,
		pause: float = 1.0,
		sleep: Callable[[float], None] = time.sleep,
		**google_kwargs,
	):
		self.calendar = calendar or GoogleCalendar(**google_kwargs)
		self.calendar_id = calendar_id
		self.pending_checks = pending_checks
		self.pause = pause
		self.sleep = sleep

	def _event(self, draft: MeetingDraft) -> EventDraft:
		return EventDraft(
			start=draft.start,
			end=draft.end,
			summary=draft.topic,
			description=draft.agenda,
			timezone=draft.timezone,
			attendees=draft.attendees,
			uid=f"{draft.key}.meet" if draft.key else None,
			private={"scheduler_meeting": draft.key or "1"},
		)

	def create_meeting(self, draft: MeetingDraft) -> Meeting:
		event_id, link = self.calendar.insert_event(self.calendar_id, self._event(draft), with_meet=True)
		return self._meeting(event_id, link)

	def update_meeting(self, meeting_id: str, draft: MeetingDraft) -> Meeting:
		try:
			event_id, link = self.calendar.patch_event(self.calendar_id, meeting_id, self._event(draft))
		except EventNotFound as exc:
			raise MeetingNotFound(
				"Meet event {0} does not exist any more", meeting_id, status=exc.status
			) from None
		return self._meeting(event_id, link)

	def delete_meeting(self, meeting_id: str) -> bool:
		return self.calendar.delete_event(self.calendar_id, meeting_id)

	def _meeting(self, event_id: str, link: str | None) -> Meeting:
		event: dict = {}
		for _check in range(self.pending_checks):
			if link:
				break
			self.sleep(self.pause)
			event = self.calendar.get_event(self.calendar_id, event_id)
			link = meet_link(event)
		if not link:
			raise ProviderUnavailable("Google has not made the Meet link of event {0} yet", event_id)
		if not link.startswith("https://"):
			raise ProviderError("Google answered with a Meet link that is not https")
		return Meeting(
			provider="google",
			id=event_id,
			join_url=link,
			dial_in=_dial_in(event),
			extra={"calendar_id": self.calendar_id},
		)
